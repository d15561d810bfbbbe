"""Phase scoring settings for the face track (the phase's ``scoring`` mapping).

Keys (all optional except ``model_set``):

- ``model_set`` (path): JSON/YAML model set; each model carries its verification ``threshold``.
- ``connectivity`` (8 or 4, default 8): pixel connectivity for counting perturbation components.
- ``max_components`` (default 5): most connected components a perturbation may have.
- ``max_pixels`` (default 1254 = floor(112*112*0.1)): most perturbed pixels in total.
- ``n_pairs`` (optional int): expected number of pairs; must equal the bundle's if given.
- ``max_upload_bytes`` (optional int): archive size cap; default 64 KiB per pair + 1 MiB.
- ``max_entry_bytes`` (default 256 KiB): cap on one file's uncompressed size in the zip.
- ``cache_dir`` (optional path): where target embeddings are cached; default
  ``$AISC_FACE_CACHE`` or ``var/cache/face`` in the repository.
- ``batch_size`` (default 32): images per inference batch.
- ``workers`` (default 0 = one per model): threads that run the models side by side; 1 runs
  them one after another. The numbers are the same either way.
- ``device`` (default ``auto``): where the models run, ``auto | cpu | cuda | cuda:N``
  (``evaluators.common.device``); the worker sets it from ``AISC_DEVICE`` unless the phase does.
- ``near_threshold_epsilon`` (default 0.001, cosine units): a decision with
  |similarity - threshold| below this is *near the threshold*: it is counted per model in the
  result (``near_threshold``) because float rounding on another worker could flip it
  (README, "Reproducibility").
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from evaluators.common.device import check_device
from evaluators.common.errors import BundleError

REPO_ROOT = Path(__file__).resolve().parents[2]
KNOWN_KEYS = {
    "model_set", "connectivity", "max_components", "max_pixels", "n_pairs",
    "max_upload_bytes", "max_entry_bytes", "cache_dir", "batch_size", "near_threshold_epsilon", "device", "workers",
}
NEAR_THRESHOLD_EPSILON = 1e-3


@dataclass(frozen=True)
class FaceSettings:
    model_set: Optional[Path]
    connectivity: int = 8
    max_components: int = 5
    max_pixels: int = 1254
    n_pairs: Optional[int] = None
    max_upload_bytes: Optional[int] = None
    max_entry_bytes: int = 256 * 1024
    cache_dir: Path = REPO_ROOT / "var" / "cache" / "face"
    batch_size: int = 32
    near_threshold_epsilon: float = NEAR_THRESHOLD_EPSILON
    device: str = "auto"
    workers: int = 0

    def upload_cap(self, n_pairs: int) -> int:
        return self.max_upload_bytes or (64 * 1024 * n_pairs + (1 << 20))


def _int(settings: dict, key: str, default: Any, lo: int, hi: int) -> Any:
    v = settings.get(key, default)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise BundleError(f"face settings: {key}={v!r} must be an integer in [{lo}, {hi}]")
    return v


def parse_settings(settings: dict | None, *, need_model_set: bool = True) -> FaceSettings:
    """Validate a phase's settings; a bad value is the organizer's error (BundleError)."""
    s = dict(settings or {})
    unknown = set(s) - KNOWN_KEYS
    if unknown:
        raise BundleError(f"face settings: unknown keys {sorted(unknown)}; known: {sorted(KNOWN_KEYS)}")
    ms = s.get("model_set")
    if need_model_set and not ms:
        raise BundleError("face settings: 'model_set' (path to the phase's model set) is required")
    conn = s.get("connectivity", 8)
    if conn not in (4, 8):
        raise BundleError(f"face settings: connectivity={conn!r} must be 4 or 8")
    eps = s.get("near_threshold_epsilon", NEAR_THRESHOLD_EPSILON)
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 <= eps <= 0.5:
        raise BundleError(f"face settings: near_threshold_epsilon={eps!r} must be a number in [0, 0.5]")
    cache = s.get("cache_dir") or os.environ.get("AISC_FACE_CACHE") or REPO_ROOT / "var" / "cache" / "face"
    return FaceSettings(
        model_set=Path(ms) if ms else None,
        connectivity=conn,
        max_components=_int(s, "max_components", 5, 1, 112 * 112),
        max_pixels=_int(s, "max_pixels", 1254, 1, 112 * 112),
        n_pairs=_int(s, "n_pairs", None, 1, 1_000_000),
        max_upload_bytes=_int(s, "max_upload_bytes", None, 1024, 1 << 40),
        max_entry_bytes=_int(s, "max_entry_bytes", 256 * 1024, 1024, 64 << 20),
        cache_dir=Path(cache),
        batch_size=_int(s, "batch_size", 32, 1, 4096),
        near_threshold_epsilon=float(eps),
        device=check_device(s.get("device", "auto")),
        workers=_int(s, "workers", 0, 0, 64),
    )
