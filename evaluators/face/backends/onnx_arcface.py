"""Generic ONNX face embedder for InsightFace-style ArcFace models (onnxruntime).

Defaults follow InsightFace: input N x 3 x 112 x 112 RGB, (x - 127.5) / 127.5, any output width
(512 for ArcFace). ``layout`` ("NCHW"/"NHWC"), ``channel_order`` ("RGB"/"BGR"), ``mean``, ``std``
can be set per model in the model set.
"""
from __future__ import annotations

import numpy as np

from evaluators.common.device import DeviceUnavailable, onnx_providers
from evaluators.common.errors import BundleError

from .base import FaceBackend, check_faces, l2_normalize


class OnnxArcFace(FaceBackend):
    backend = "onnx"
    gpu_path = True

    def __init__(self, spec):
        super().__init__(spec)
        import onnxruntime as ort

        self.mean = float(spec.get("mean", 127.5))
        self.std = float(spec.get("std", 127.5))
        self.layout = spec.get("layout", "NCHW")
        self.channel_order = spec.get("channel_order", "RGB")
        if self.layout not in ("NCHW", "NHWC") or self.channel_order not in ("RGB", "BGR"):
            raise BundleError(f"model {self.name!r}: layout must be NCHW/NHWC and channel_order RGB/BGR")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(spec.get("num_threads", 2))
        opts.inter_op_num_threads = 1
        try:
            self._sess = ort.InferenceSession(str(self.file), opts, providers=onnx_providers(self.device))
        except DeviceUnavailable:
            raise
        except Exception as e:  # onnxruntime raises its own exception types
            raise BundleError(f"model {self.name!r}: {self.file} is not a loadable ONNX model ({e})") from e
        inp = self._sess.get_inputs()[0]
        self._input = inp.name
        dims = inp.shape[1:] if self.layout == "NCHW" else [inp.shape[3], inp.shape[1], inp.shape[2]]
        if [d for d in dims if isinstance(d, int)] not in ([3, 112, 112], []):
            raise BundleError(f"model {self.name!r}: input shape {inp.shape} does not take 112x112 RGB faces")
        b = inp.shape[0]
        self.batch = b if isinstance(b, int) and b > 0 else None

    def params(self):
        return {"mean": self.mean, "std": self.std, "layout": self.layout, "channel_order": self.channel_order}

    def embed(self, faces: np.ndarray) -> np.ndarray:
        faces = check_faces(faces)
        x = faces[..., ::-1] if self.channel_order == "BGR" else faces
        x = (x.astype(np.float32) - self.mean) / self.std
        if self.layout == "NCHW":
            x = x.transpose(0, 3, 1, 2)
        x = np.ascontiguousarray(x)
        step = self.batch or len(x)
        out = []
        for i in range(0, len(x), step):
            chunk = x[i:i + step]
            n = len(chunk)
            if self.batch and n < self.batch:
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], self.batch - n, axis=0)])
            y = self._sess.run(None, {self._input: chunk})[0]
            out.append(np.asarray(y).reshape(len(chunk), -1)[:n])
        return l2_normalize(np.concatenate(out))
