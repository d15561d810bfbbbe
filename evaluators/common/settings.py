"""The base of every track's phase settings (the ``scoring`` mapping of a phase in the
competition YAML): a pydantic model that forbids unknown keys and checks types strictly, so
``area_weight: "x"`` or a misspelt key is a load error that names the key.

Use the strict aliases for fields (``Int``, ``Num``, ``Bool``); plain ``str``/``Path`` fields are
fine. ``parse_track_settings`` turns a validation error into ``SettingsError`` (an organizer's
error: ``BundleError``) whose ``problems`` list ``(key path, message)`` pairs; the competition
loader prefixes them with the phase's place in the YAML.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Strict, ValidationError

from .device import check_device
from .errors import BundleError


def _device(value: str) -> str:
    try:
        return check_device(value)
    except BundleError as e:
        raise ValueError(str(e)) from None


Bool = Annotated[bool, Strict()]
Int = Annotated[int, Strict()]
Num = Annotated[float, Strict()]  # strict still takes YAML integers for a float
Device = Annotated[str, Strict(), AfterValidator(_device)]  # auto | cpu | cuda | cuda:N (common.device)

S = TypeVar("S", bound="TrackSettings")


class TrackSettings(BaseModel):
    """Common base: unknown keys refused, values frozen, no NaN or infinity."""
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def upload_cap(self, bundle_dir: Path) -> int:
        """Largest upload in bytes a phase with these settings accepts (the API streams at most
        this much). Each track defines it from its own settings."""
        raise NotImplementedError

    def limits_text(self) -> list[str]:
        """The rules a submission must keep, one plain line each (the leaderboard page prints
        them); a track without such rules returns []."""
        return []


class SettingsError(BundleError, ValueError):
    """A phase's settings are invalid: the organizer's error.

    ``problems``: [(key path or "", message)]; a message with a key starts with it
    (``area_weight='x': Input should be a valid number``)."""

    def __init__(self, track: str, problems: list[tuple[str, str]]):
        self.track, self.problems = track, problems
        super().__init__(f"{track} phase settings are invalid: " + "; ".join(msg for _, msg in problems))


def _problems(model: type[BaseModel], e: ValidationError) -> list[tuple[str, str]]:
    out, unknown = [], []
    for err in e.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            unknown.append(key)
        elif key:
            out.append((key, f"{key}={err['input']!r}: {err['msg'].removeprefix('Value error, ')}"))
        else:
            out.append(("", err["msg"]))
    if unknown:
        out.insert(0, ("", f"unknown keys {sorted(unknown)}; known keys are {sorted(model.model_fields)}"))
    return out


def parse_track_settings(model: type[S], raw: dict[str, Any] | None, track: str) -> S:
    """Validate ``raw`` (plain JSON types from YAML) against ``model``; raise SettingsError."""
    if raw is not None and not isinstance(raw, dict):
        raise SettingsError(track, [("", f"the scoring settings must be a mapping, not {type(raw).__name__}")])
    try:
        return model.model_validate(dict(raw or {}))
    except ValidationError as e:
        raise SettingsError(track, _problems(model, e)) from None
