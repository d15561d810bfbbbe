"""Detector backends behind one interface; ``load_detectors`` reads a driving model set."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ...common.errors import BundleError
from ...common.model_set import load_model_set
from .base import COCO80, Detections, Detector

BACKENDS = ("ultralytics", "onnx")


def make_detector(spec: dict[str, Any]) -> Detector:
    backend = spec.get("backend")
    if backend == "ultralytics":
        from .ultralytics_backend import UltralyticsDetector

        return UltralyticsDetector(spec)
    if backend == "onnx":
        from .onnx_backend import OnnxDetector

        try:
            return OnnxDetector(spec)
        except BundleError:
            raise
        except ValueError as e:
            raise BundleError(str(e)) from e
    raise BundleError(f"model {spec.get('name')!r}: backend must be one of {BACKENDS}, not {backend!r}")


def load_detectors(model_set: str | Path, device: str = "cpu") -> list[Detector]:
    """The model set's detectors on ``device`` (a resolved device: cpu or cuda:N)."""
    specs = load_model_set(model_set, "driving")
    for s in specs:
        if not s.get("file"):
            raise BundleError(f"model set {model_set}: model {s['name']!r} has no 'file'")
    return [make_detector(dict(s, device=device)) for s in specs]


__all__ = ["COCO80", "Detections", "Detector", "load_detectors", "make_detector"]
