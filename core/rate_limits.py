"""Abuse limits (the ``limits`` library): sign-in, registration and uploads are counted per
client address (uploads per team) in a moving window. The counters live in Redis when
AISC_BROKER_URL is a redis:// URL (shared by every API process, under AISC_BROKER_KEY_PREFIX)
and in this process's memory when the platform runs embedded.

Each limit is a setting in the library's notation ("10/minute", "100/hour"; "" = no limit):
AISC_RATE_LIMIT_SIGNIN, AISC_RATE_LIMIT_REGISTER, AISC_RATE_LIMIT_UPLOAD. When Redis cannot
be reached the limits are not applied (logged as a warning) rather than failing the request."""
from __future__ import annotations

import logging
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from .errors import ErrorKind, PlatformError
from .settings import get_settings

ACTIONS = ("signin", "register", "upload")
log = logging.getLogger(__name__)


class RateLimited(PlatformError):
    """Too many attempts (HTTP 429); the message says when to try again."""
    kind = ErrorKind.QUOTA


def _storage() -> Storage:
    s = get_settings()
    if s.broker_url.startswith(("redis://", "rediss://")):
        return RedisStorage(s.broker_url, key_prefix=f"{s.broker_key_prefix}aisc-limits")
    return MemoryStorage()


_built: tuple[MovingWindowRateLimiter, dict[str, RateLimitItem | None]] | None = None
_lock = threading.Lock()


def _limiter() -> tuple[MovingWindowRateLimiter, dict[str, RateLimitItem | None]]:
    """Built once per process, under a lock: the library imports its Redis client lazily and
    reads ``redis.__version__`` from ``sys.modules``, so two first requests at once in the
    thread pool saw a half-imported module ("version 0.0.0") and failed with a 500."""
    global _built
    with _lock:
        if _built is None:
            s = get_settings()
            items = {a: (parse(v) if (v := getattr(s, f"rate_limit_{a}").strip()) else None) for a in ACTIONS}
            _built = MovingWindowRateLimiter(_storage()), items
        return _built


def check(action: str, who: str) -> None:
    """Count one attempt of ``action`` (one of ACTIONS) by ``who`` (a client address or team
    id); RateLimited when the limit is reached."""
    limiter, items = _limiter()
    item = items[action]
    if item is None:
        return
    try:
        if limiter.hit(item, action, who or "-"):
            return
    except Exception as e:  # noqa: BLE001 - the counter store (Redis) is down: let the request through, say so
        log.warning("rate limit %s not checked: the counter store is unavailable (%s)", action, e)
        return
    reset = limiter.get_window_stats(item, action, who or "-").reset_time
    wait = max(1, int(reset - time.time() + 0.999))
    raise RateLimited(f"too many {action} attempts from here ({item}); try again in {wait} s")


def reset_cache() -> None:
    """Forget the limiter (tests change the settings)."""
    global _built
    with _lock:
        _built = None
