"""Driving track scorer: adversarial patches rendered into driving scenes, scored against
white- and black-box detectors (DESIGN.md section 4). See settings.py for the phase keys
and submission.py for the accepted upload forms.

The platform uses ``track.TRACK`` (``evaluators.registry``). As a library: ``score`` and
``validate_upload`` below, imported on first use so that importing the package stays cheap.
"""
from __future__ import annotations

from ..common.lazy import lazy

__all__ = ["SCORER_VERSION", "score", "validate_upload"]
__getattr__ = lazy(__name__, {"SCORER_VERSION": "scorer", "score": "scorer", "validate_upload": "track"})
