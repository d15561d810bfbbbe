"""Driving track scorer: adversarial patches rendered into driving scenes, scored against
white- and black-box detectors (DESIGN.md section 4). See settings.py for the phase keys
and submission.py for the accepted upload forms.

The platform uses ``track.TRACK`` (``evaluators.registry``). As a library: ``score`` and
``validate_upload`` below, imported on first use so that importing the package stays cheap.
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["SCORER_VERSION", "score", "validate_upload"]


def __getattr__(name: str) -> Any:
    if name in ("SCORER_VERSION", "score"):
        return getattr(importlib.import_module(f"{__name__}.scorer"), name)
    if name == "validate_upload":
        from .track import TRACK

        return TRACK.validate_upload
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
