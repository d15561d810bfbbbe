"""Face track scorer (AISC 2022 face-recognition security track).

Submission: a zip of aligned 112x112 8-bit RGB PNGs ``0001.png``..``NNNN.png``; the adversarial
version of pair j should verify as the pair's ``NNNN_compare.png`` target on three black-box
face-recognition models while changing at most 5 connected regions and 1254 pixels of the original.

Score = mean over the models of (verified pairs / N). Phase settings: see ``settings.py``
(``model_set``, ``connectivity``, ``max_components``, ``max_pixels``, ``n_pairs``, ...).
Thresholds live in the model set (``python -m authoring calibrate-face``).

The platform uses ``track.TRACK`` (``evaluators.registry``). As a library: ``score`` and
``validate_upload`` below, imported on first use so that importing the package stays cheap.
"""
from __future__ import annotations

from ..common.lazy import lazy

__all__ = ["SCORER_VERSION", "score", "validate_upload"]
__getattr__ = lazy(__name__, {"SCORER_VERSION": "scoring", "score": "scoring", "validate_upload": "track"})
