"""dlib's ResNet face descriptor (face-recognition-models), 128-d.

dlib aligns its own 150x150 chip from 5 landmarks; we locate them on the 112x112 ArcFace crop
with dlib's 5-point shape predictor inside a fixed face rectangle, then let dlib cut the chip.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from evaluators.common.errors import BundleError

from .base import FaceBackend, check_faces, l2_normalize

# Where the face sits in an ArcFace-aligned 112x112 crop (x1, y1, x2, y2).
DEFAULT_RECT = (8, 20, 104, 112)


class DlibResNet(FaceBackend):
    backend = "dlib"

    def __init__(self, spec):
        super().__init__(spec)
        import dlib

        sp = Path(spec.get("shape_predictor") or "")
        if not sp.is_file():
            raise BundleError(f"model {self.name!r}: 'shape_predictor' file {sp} is missing")
        self.rect = tuple(int(v) for v in spec.get("face_rect", DEFAULT_RECT))
        self.padding = float(spec.get("padding", 0.25))
        self._dlib = dlib
        self._rec = dlib.face_recognition_model_v1(str(self.file))
        self._sp = dlib.shape_predictor(str(sp))

    def params(self):
        return {"rect": list(self.rect), "padding": self.padding}

    def embed(self, faces: np.ndarray) -> np.ndarray:
        faces = check_faces(faces)
        rect = self._dlib.rectangle(*self.rect)
        out = []
        for face in faces:
            face = np.ascontiguousarray(face)
            shape = self._sp(face, rect)
            out.append(np.asarray(self._rec.compute_face_descriptor(face, shape, 0, self.padding)))
        return l2_normalize(np.array(out))
