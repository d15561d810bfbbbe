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
- ``max_linf`` (optional, 0-255 pixel units): the ε of an L∞ limit on each adversarial face.
- ``min_ssim`` (optional, -1..1): the least SSIM (scikit-image) of an adversarial face to its original.
- ``min_psnr`` (optional, dB): the least PSNR of an adversarial face to its original.
- ``over_limit`` (``unsuccessful`` | ``project``, default ``unsuccessful``): a sample over a limit
  counts as an unsuccessful attack (AISC), or, with ``project`` (needs ``max_linf``), is clipped
  back into the ε-ball before scoring (the ARES contest); see ``limits``.
- ``liveness_in_total`` (default false): when true, a verification counts only if the adversarial
  face also passes every liveness model of the model set (``role: liveness``); needs one.
  When false, liveness is reported in its own columns and leaves the total alone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from evaluators.common.errors import BundleError
from evaluators.common.settings import Bool, Device, Int, Num, TrackSettings, parse_track_settings

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
    max_linf: Optional[Num] = Field(None, ge=0, le=255)
    min_ssim: Optional[Num] = Field(None, ge=-1, le=1)
    min_psnr: Optional[Num] = Field(None, ge=0, le=200)
    over_limit: Literal["unsuccessful", "project"] = "unsuccessful"
    liveness_in_total: Bool = False

    @model_validator(mode="after")
    def _project_needs_eps(self):
        if self.over_limit == "project" and self.max_linf is None:
            raise ValueError("over_limit='project' clips into the L∞ ball, so it needs max_linf (ε, 0-255 units)")
        return self

    def limits(self):
        """The threat-model limits (``limits.Limits``)."""
        from .limits import Limits

        return Limits(self.max_linf, self.min_ssim, self.min_psnr, self.over_limit)

    def limits_text(self) -> list[str]:
        """The limits said plainly, one line each (the leaderboard page prints them)."""
        out = [f"connected-domain rule: at most {self.max_components} regions ({self.connectivity}-connectivity) "
               f"and {self.max_pixels} changed pixels"]
        if self.max_linf is not None:
            out.append(f"L∞ distance at most {self.max_linf:g} (0-255 units)")
        if self.min_ssim is not None:
            out.append(f"SSIM at least {self.min_ssim:g}")
        if self.min_psnr is not None:
            out.append(f"PSNR at least {self.min_psnr:g} dB")
        if self.max_linf is not None or self.min_ssim is not None or self.min_psnr is not None:
            out.append("a sample over a limit " + ("is clipped into the ε-ball before scoring"
                                                   if self.over_limit == "project" else "counts as unsuccessful"))
        if self.liveness_in_total:
            out.append("a verification counts only if the adversarial face also passes as live")
        return out

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
