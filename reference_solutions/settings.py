"""The reference solutions' environment (``AISC_REFERENCE_CACHE``)."""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parents[1]


class ReferenceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AISC_", extra="ignore")

    reference_cache: str = ""  # generated reference artifacts by content hash (default var/reference_cache)

    def cache_dir(self) -> Path:
        return Path(self.reference_cache) if self.reference_cache else REPO / "var" / "reference_cache"


def reference_settings() -> ReferenceSettings:
    return ReferenceSettings()
