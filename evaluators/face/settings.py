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
  ``$AISC_FACE_CACHE`` or ``var/cache/face`` in the repository (``FaceEnvironment``).
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

from pathlib import Path
from typing import Literal, Optional

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from evaluators.common.errors import BundleError
from evaluators.common.settings import Device, Int, Num, TrackSettings, parse_track_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
NEAR_THRESHOLD_EPSILON = 1e-3


class FaceEnvironment(BaseSettings):
    """Where the face track keeps its files on this machine (``AISC_FACE_*``)."""
    model_config = SettingsConfigDict(env_prefix="AISC_FACE_", extra="ignore")

    cache: str = ""  # target-embedding cache (default var/cache/face); a phase's cache_dir wins
    assets: str = ""  # model files fetched by scripts/setup.d (default var/face_assets)

    def cache_dir(self) -> Path:
        return Path(self.cache) if self.cache else REPO_ROOT / "var" / "cache" / "face"

    def assets_dir(self) -> Path:
        return Path(self.assets) if self.assets else REPO_ROOT / "var" / "face_assets"


def face_environment() -> FaceEnvironment:
    """Read now (not cached): cheap, and a test or a long-lived worker may change the variables."""
    return FaceEnvironment()


class FaceSettings(TrackSettings):
    model_set: Optional[Path] = None
    connectivity: Literal[4, 8] = 8
    max_components: Int = Field(5, ge=1, le=112 * 112)
    max_pixels: Int = Field(1254, ge=1, le=112 * 112)
    n_pairs: Optional[Int] = Field(None, ge=1, le=1_000_000)
    max_upload_bytes: Optional[Int] = Field(None, ge=1024, le=1 << 40)
    max_entry_bytes: Int = Field(256 * 1024, ge=1024, le=64 << 20)
    cache_dir: Optional[Path] = None
    batch_size: Int = Field(32, ge=1, le=4096)
    near_threshold_epsilon: Num = Field(NEAR_THRESHOLD_EPSILON, ge=0, le=0.5)
    device: Device = "auto"
    workers: Int = Field(0, ge=0, le=64)

    def cap_for(self, n_pairs: int) -> int:
        """The archive size cap in bytes for a bundle of ``n_pairs``."""
        return self.max_upload_bytes or (64 * 1024 * n_pairs + (1 << 20))

    def upload_cap(self, bundle_dir: Path) -> int:
        from .bundle import load_face_bundle

        return self.cap_for(load_face_bundle(bundle_dir, verify=False).n_pairs)

    def embedding_cache_dir(self) -> Path:
        return self.cache_dir or face_environment().cache_dir()


def parse_settings(settings: dict | None, *, need_model_set: bool = True) -> FaceSettings:
    """Validate a phase's settings; a bad value is the organizer's error (SettingsError, a BundleError)."""
    cfg = parse_track_settings(FaceSettings, settings, "face")
    if need_model_set and not cfg.model_set:
        raise BundleError("face settings: 'model_set' (path to the phase's model set) is required")
    return cfg
