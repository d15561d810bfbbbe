"""Errors the core raises for the API to turn into HTTP answers. Messages are for the
team or organizer and say what is wrong and how to fix it."""


class PlatformError(Exception):
    status_code = 400


class NotFound(PlatformError):
    status_code = 404


class Forbidden(PlatformError):
    status_code = 403


class Conflict(PlatformError):
    status_code = 409


class UploadTooLarge(PlatformError):
    status_code = 413


class UploadRejected(PlatformError):
    status_code = 422


class QuotaRefused(PlatformError):
    status_code = 429


class Unavailable(PlatformError):
    status_code = 503
