"""The one settings object, read from ``AISC_*`` environment variables.

With no variables set everything runs embedded under ``var/``: an SQLite database, an
SQLite-backed Celery broker and a local storage directory. Set ``AISC_DATABASE_URL``
(``postgresql+psycopg://...``), ``AISC_BROKER_URL`` (``redis://...``) and
``AISC_STORAGE_URL`` (``s3://bucket/prefix``) for the production-like stack.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AISC_", extra="ignore")

    database_url: str = ""  # default: sqlite under var/
    broker_url: str = ""  # default: SQLite-backed kombu transport under var/
    storage_url: str = ""  # local directory (default var/storage) or s3://bucket/prefix
    s3_endpoint_url: str | None = None  # for S3-compatible stores (MinIO, moto, ...)
    s3_region: str = "us-east-1"
    workdir: str = ""  # scratch space for workers (default var/work)
    public_url: str = "http://127.0.0.1:8000"  # how the leaderboard URL is printed
    api_workers: int = 0  # API processes started by `python -m api.serve`; 0: one per CPU this process may use
    token_cache_seconds: float = 5.0  # an API process trusts a verified token this long (a revoked one stops within it)
    # Abuse limits (core.rate_limits), in the `limits` library's notation; "" = none
    rate_limit_signin: str = "20/minute"  # sign-in attempts per client address
    rate_limit_register: str = "10/hour"  # registrations per client address
    rate_limit_upload: str = "60/minute"  # uploads per team

    heartbeat_seconds: float = 5.0  # worker heartbeat period
    stale_after_seconds: float = 60.0  # a running job with an older heartbeat is lost
    reaper_seconds: float = 15.0  # how often beat runs the reaper
    requeue_after_seconds: float = 600.0  # re-send tasks of submissions queued this long
    max_attempts: int = 2  # runs per submission before an infra failure is final
    workers_consume_control: bool = True  # scoring workers also run the reaper's queue
    log_tail_kib: int = 32  # last N KiB of logs kept per run
    visibility_timeout_seconds: int = 6 * 3600  # Redis redelivery of unacknowledged tasks
    broker_key_prefix: str = ""  # isolates several deployments (or test runs) on one Redis
    device: str = "auto"  # where this worker's scorers run: auto | cpu | cuda | cuda:N (a phase's device wins)

    # Regression runs of the reference solutions (workers/regression.py)
    regress_seconds: float = 86400.0  # beat schedule period; 0 disables the schedule and the version check
    regress_budget: str = "quick"  # quick | full
    regress_demo_dir: str = ""  # default var/regress/<budget> (quick and full demos never share a folder)
    regress_tracks: str = "all"  # comma-separated tracks, or all
    regress_queue: str = "cpu"  # the queue the runs go to (a scoring worker runs them)
    regress_timeout_seconds: int = 6 * 3600  # a run's subprocess is killed after this

    # Notifications when a submission ends (core.notifications, workers/notify.py)
    smtp_host: str = ""  # empty: no e-mails are sent
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "aisc@localhost"
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"  # none | starttls | ssl
    smtp_user: str = ""  # with smtp_password: log in before sending
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    organizer_webhook_urls: str = ""  # comma-separated URLs called for every finished submission
    organizer_webhook_secret: str = ""  # their HMAC-SHA256 key
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)  # connect + read, per call
    webhook_allow_private: bool = False  # allow loopback/private/link-local targets (tests, intranets)
    notify_seconds: float = Field(default=5.0, gt=0)  # how often beat drains the outbox
    notify_max_attempts: int = Field(default=8, ge=1)  # deliveries tried this often, then marked dead
    notify_backoff_seconds: float = Field(default=10.0, ge=0)  # wait after the first failure; doubles each time, at most 1 h

    def organizer_webhooks(self) -> list[str]:
        return [u.strip() for u in self.organizer_webhook_urls.split(",") if u.strip()]

    def resolved_regress_demo_dir(self, budget: str) -> Path:
        return Path(self.regress_demo_dir) if self.regress_demo_dir else VAR / "regress" / budget

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        VAR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{VAR / 'aisc.sqlite3'}"

    def resolved_broker_url(self) -> str:
        if self.broker_url:
            return self.broker_url
        VAR.mkdir(parents=True, exist_ok=True)
        return f"sqla+sqlite:///{VAR / 'broker.sqlite3'}"

    def resolved_storage_url(self) -> str:
        return self.storage_url or str(VAR / "storage")

    def resolved_workdir(self) -> Path:
        return Path(self.workdir) if self.workdir else VAR / "work"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
