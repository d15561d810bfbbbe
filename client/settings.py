"""The team client's environment (``AISC_URL``, ``AISC_TOKEN``, ``AISC_PUBLIC_URL``,
``AISC_ADMIN_TOKEN``); command-line options win."""
from __future__ import annotations

from typing import Optional

from pydantic_settings import BaseSettings, SettingsConfigDict


class ClientSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AISC_", extra="ignore")

    url: str = "http://127.0.0.1:8000"  # the API the client talks to
    token: Optional[str] = None  # the team's API token
    public_url: Optional[str] = None  # the server's public address for printed links (else url)
    admin_token: Optional[str] = None  # organizer token of the demo driver


def client_settings() -> ClientSettings:
    return ClientSettings()
