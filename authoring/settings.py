"""The authoring tools' environment (``AISC_DARKNET_DATA``)."""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO = Path(__file__).resolve().parents[1]


class AuthoringSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AISC_", extra="ignore")

    darknet_data: str = ""  # Debian's darknet photos for the driving scene generator (default var/assets/darknet)

    def darknet_dir(self) -> Path:
        return Path(self.darknet_data) if self.darknet_data else REPO / "var" / "assets" / "darknet"


def authoring_settings() -> AuthoringSettings:
    return AuthoringSettings()
