"""Errors as HTTP answers, in one place: the map from a core error's kind to its status code,
the handlers that answer every error as ``{"detail": str}`` (schemas.ErrorResponse), and the
``responses=`` entries with which routes document the errors they may answer."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from core.errors import ErrorKind, PlatformError

from .schemas import ErrorResponse

STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.REJECTED: 422,
    ErrorKind.QUOTA: 429,
    ErrorKind.UNAVAILABLE: 503,
}
CHALLENGE = {"WWW-Authenticate": "Bearer"}  # sent with every 401

_MEANING = {
    ErrorKind.INVALID: "The request is malformed (a body that cannot be parsed, an empty upload).",
    ErrorKind.UNAUTHORIZED: "No valid API token (missing, malformed, invalid or revoked).",
    ErrorKind.FORBIDDEN: "Not allowed for this caller or not now.",
    ErrorKind.NOT_FOUND: "Not found, or not the caller's to see.",
    ErrorKind.CONFLICT: "The current state does not allow this.",
    ErrorKind.TOO_LARGE: "The upload exceeds the phase's size limit.",
    ErrorKind.REJECTED: "The content was refused (the reason is in detail).",
    ErrorKind.QUOTA: "A quota is used up; detail says when it resets.",
    ErrorKind.UNAVAILABLE: "Temporarily unavailable; try again later.",
}
_INVALID_REQUEST = "Invalid parameters or body (errors lists each field)."
# Error entries refer to the component by name, so that a page or a text route documents its
# errors as JSON too (FastAPI would give a "model" the route's own media type).
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}


def add_error_schemas(doc: dict[str, Any]) -> dict[str, Any]:
    """Put ErrorResponse (and what it uses) into an OpenAPI document's components."""
    schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["ErrorResponse"] = schema
    return doc


async def platform_error(_: Request, exc: PlatformError) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=STATUS[exc.kind],
                        headers=CHALLENGE if exc.kind is ErrorKind.UNAUTHORIZED else None)


def _where(loc) -> str:
    return ".".join(str(part) for part in loc)


async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's request validation errors in the same shape as every other error."""
    fields = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
              for e in exc.errors()]
    detail = "invalid request: " + "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in fields)
    return JSONResponse({"detail": detail, "errors": fields}, status_code=422)


def errors(*kinds: ErrorKind, validated: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the errors a route may answer with. ``validated``: the route has
    parameters or a body, so it may answer 422 for invalid ones."""
    out: dict[int | str, dict[str, Any]] = {}
    for kind in kinds:
        entry: dict[str, Any] = {"description": _MEANING[kind], "content": _ERROR_CONTENT}
        if kind is ErrorKind.UNAUTHORIZED:
            entry["headers"] = {"WWW-Authenticate": {"description": "always 'Bearer'", "schema": {"type": "string"}}}
        out[STATUS[kind]] = entry
    if validated:
        rejected = ErrorKind.REJECTED in kinds
        out[422] = {"description": _INVALID_REQUEST + (" " + _MEANING[ErrorKind.REJECTED] if rejected else ""),
                    "content": _ERROR_CONTENT}
    return out
