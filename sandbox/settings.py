"""The environment of a machine that runs sandboxed containers (``AISC_SANDBOX_*``)."""
from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class SandboxSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AISC_SANDBOX_", extra="ignore")

    tmp: str = ""  # where a run's input/output directories go (must be visible to dockerd); default: the system's
    min_free_gb: float = 10.0  # below this much free space on the engine's disk, prune unused images after a run
    gpus: str = ""  # GPU ids containers may get, one per run (default: every GPU nvidia-smi lists)
    gpu_lock_dir: str = "/tmp/aisc-gpu-locks"  # one lock file per GPU, shared by the worker processes of a machine
    gpu_wait_s: float = 60.0  # how long a GPU run waits for a free device before it is an infra failure (retried)


def sandbox_settings() -> SandboxSettings:
    """Read now (not cached): cheap, and a test or a long-lived worker may change the variables."""
    return SandboxSettings()
