"""Errors the core raises for the callers (the API, the CLI) to report. Each says what kind of
problem it is; the API maps kinds to HTTP status codes in one place (``api/errors.py``).
Messages are for the team or organizer and say what is wrong and how to fix it."""
from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    INVALID = "invalid"            # the request itself is wrong (e.g. an empty upload)
    UNAUTHORIZED = "unauthorized"  # no valid credentials
    FORBIDDEN = "forbidden"        # valid credentials, not allowed (role, closed phase, hidden logs)
    NOT_FOUND = "not_found"        # absent, or not the caller's to see
    CONFLICT = "conflict"          # the current state does not allow it
    TOO_LARGE = "too_large"        # an upload over the phase's size limit
    REJECTED = "rejected"          # well-formed request, content refused (upload checks, competition YAML)
    QUOTA = "quota"                # a quota is used up
    UNAVAILABLE = "unavailable"    # a dependency is missing right now; retry later


class PlatformError(Exception):
    kind = ErrorKind.INVALID


class Unauthorized(PlatformError):
    kind = ErrorKind.UNAUTHORIZED


class NotFound(PlatformError):
    kind = ErrorKind.NOT_FOUND


class Forbidden(PlatformError):
    kind = ErrorKind.FORBIDDEN


class Conflict(PlatformError):
    kind = ErrorKind.CONFLICT


class UploadTooLarge(PlatformError):
    kind = ErrorKind.TOO_LARGE


class UploadRejected(PlatformError):
    kind = ErrorKind.REJECTED


class QuotaRefused(PlatformError):
    kind = ErrorKind.QUOTA


class Unavailable(PlatformError):
    kind = ErrorKind.UNAVAILABLE
