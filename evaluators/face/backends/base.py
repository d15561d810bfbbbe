"""The one interface every face-recognition backend implements.

A backend maps a batch of aligned 112x112 RGB uint8 faces (N x 112 x 112 x 3) to L2-normalised
float32 embeddings (N x D). Two faces verify as the same identity when the cosine similarity of
their embeddings is at least the model's threshold (from the phase's model set).
"""
from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.common.errors import BundleError
from evaluators.common.manifest import sha256_file


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two L2-normalised N x D float32 arrays -> N float64.

    The one similarity function of the face track: calibration (``calibrate.pair_similarities``)
    and scoring both call it, so a threshold and the similarities it is compared with are
    rounded the same way. Inputs are rounded to float32 first; every float32 x float32 product is
    exact in float64, so only the order of the float64 sum can differ between machines (~1e-16).
    """
    a64 = np.asarray(a, np.float32).astype(np.float64)
    b64 = np.asarray(b, np.float32).astype(np.float64)
    return np.einsum("ij,ij->i", a64, b64)


class FaceBackend(ABC):
    backend = ""
    # Bump when preprocessing changes so cached embeddings are not reused.
    preprocess_version = 1
    gpu_path = False  # True where the backend can run on a CUDA device (ONNX)

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.name = spec["name"]
        self.file = Path(spec.get("file") or "")
        if not self.file.is_file():
            raise BundleError(f"model {self.name!r}: file {self.file} is missing")
        self.threshold = spec.get("threshold")
        self.requested_device = spec.get("device", "cpu")  # resolved by the scorer: cpu or cuda:N
        self.device = self.requested_device if self.gpu_path else "cpu"

    def device_note(self) -> str:
        """Where this model ran, said plainly (a backend without a GPU path says so)."""
        if self.device == self.requested_device:
            return self.device
        return f"cpu ({self.backend} has no GPU path; {self.requested_device} was available)"

    @abstractmethod
    def embed(self, faces: np.ndarray) -> np.ndarray:
        """N x 112 x 112 x 3 uint8 RGB -> N x D float32, L2-normalised."""

    def params(self) -> dict[str, Any]:
        """Preprocessing parameters that change the embeddings (part of the cache key)."""
        return {}

    @property
    def cache_key(self) -> str:
        digest = self.spec.get("sha256") or sha256_file(self.file)
        payload = json.dumps([self.backend, self.preprocess_version, digest, self.params()], sort_keys=True)
        return f"{self.name}-{hashlib.sha256(payload.encode()).hexdigest()[:20]}"

    def embed_batched(self, faces: np.ndarray, batch_size: int = 32) -> np.ndarray:
        out = [self.embed(faces[i:i + batch_size]) for i in range(0, len(faces), batch_size)]
        return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def check_faces(faces: np.ndarray) -> np.ndarray:
    faces = np.asarray(faces)
    if faces.ndim != 4 or faces.shape[1:] != (112, 112, 3) or faces.dtype != np.uint8:
        raise ValueError(f"expected N x 112 x 112 x 3 uint8 faces, got {faces.shape} {faces.dtype}")
    return faces
