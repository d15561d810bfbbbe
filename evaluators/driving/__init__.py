"""Driving track scorer: adversarial patches rendered into driving scenes, scored against
white- and black-box detectors (DESIGN.md section 4). See settings.py for the phase keys
and submission.py for the accepted upload forms."""
from .scorer import SCORER_VERSION, score, validate_upload

__all__ = ["SCORER_VERSION", "score", "validate_upload"]
