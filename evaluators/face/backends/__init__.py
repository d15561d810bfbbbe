"""Face-recognition backends behind one interface (see base.FaceBackend)."""
from __future__ import annotations

from typing import Any

from evaluators.common.errors import BundleError

from .base import FaceBackend, cosine, l2_normalize

BACKENDS = {
    "dlib": ("dlib_resnet", "DlibResNet"),
    "opencv_facenet": ("opencv_facenet", "OpenCVFaceNet"),
    "litert": ("litert_tflite", "LiteRTEmbedder"),
    "onnx": ("onnx_arcface", "OnnxArcFace"),
}


def load_backend(spec: dict[str, Any]) -> FaceBackend:
    """Instantiate the backend named by ``spec['backend']`` (a model-set entry)."""
    import importlib

    kind = spec.get("backend")
    if kind not in BACKENDS:
        raise BundleError(f"model {spec.get('name')!r}: unknown backend {kind!r}; known: {sorted(BACKENDS)}")
    module, cls = BACKENDS[kind]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)(spec)


__all__ = ["BACKENDS", "FaceBackend", "cosine", "l2_normalize", "load_backend"]
