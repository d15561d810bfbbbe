"""The kit's environment (``AISC_DEEPFAKE_BASE_IMAGE``)."""
from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class KitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AISC_", extra="ignore")

    deepfake_base_image: str = "aisc/deepfake-base:bookworm-pip"  # the base image team images build FROM
