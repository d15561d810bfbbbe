"""Generic ONNX face embedder for InsightFace-style ArcFace models, run by insightface's own loader.

The model is a local file (the model set's ``file``); nothing is downloaded. insightface's
``ArcFaceONNX`` (``insightface.model_zoo.arcface_onnx``, insightface 2.1) wraps an onnxruntime
session that this backend creates itself, so the project's device rule holds
(``evaluators.common.device.onnx_providers``: CPU, or CUDA on the resolved ``cuda:N``, never
insightface's default provider list) and so do the thread options.

Input: N x 112 x 112 x 3 uint8 RGB aligned faces. The network gets float32 ``(x - mean) / std``
computed by ``ArcFaceONNX.forward`` (the same float32 arithmetic as before insightface was used,
so embeddings are bit-identical). Defaults follow InsightFace: N x 3 x 112 x 112 RGB, mean 127.5,
std 127.5, any output width (512 for ArcFace). ``layout`` ("NCHW"/"NHWC"), ``channel_order``
("RGB"/"BGR"), ``mean``, ``std`` can be set per model in the model set; they override the mean/std
that insightface guesses from the first graph nodes (0/1 for MXNet exports). insightface requires
exactly one network output.
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
            sess = ort.InferenceSession(str(self.file), opts, providers=onnx_providers(self.device))
        except DeviceUnavailable:
            raise
        except Exception as e:  # onnxruntime raises its own exception types
            raise BundleError(f"model {self.name!r}: {self.file} is not a loadable ONNX model ({e})") from e
        if len(sess.get_outputs()) != 1:
            raise BundleError(f"model {self.name!r}: {len(sess.get_outputs())} outputs; insightface's ArcFace "
                              "loader takes a network with one output (the embedding)")
        self._model = _arcface(self.file, sess, self.name)
        self._model.input_mean, self._model.input_std = self.mean, self.std
        inp = sess.get_inputs()[0]
        dims = inp.shape[1:] if self.layout == "NCHW" else [inp.shape[3], inp.shape[1], inp.shape[2]]
        if [d for d in dims if isinstance(d, int)] not in ([3, 112, 112], []):
            raise BundleError(f"model {self.name!r}: input shape {inp.shape} does not take 112x112 RGB faces")
        b = inp.shape[0]
        self.batch = b if isinstance(b, int) and b > 0 else None

    def params(self):
        return {"mean": self.mean, "std": self.std, "layout": self.layout, "channel_order": self.channel_order}

    def embed(self, faces: np.ndarray) -> np.ndarray:
        """N x 112 x 112 x 3 uint8 RGB -> N x D float32, L2-normalised (fixed-batch models padded)."""
        faces = check_faces(faces)
        x = faces[..., ::-1] if self.channel_order == "BGR" else faces
        x = x.astype(np.float32)  # raw 0..255; ArcFaceONNX.forward normalises
        if self.layout == "NCHW":
            x = x.transpose(0, 3, 1, 2)
        step = self.batch or len(x)
        out = []
        for i in range(0, len(x), step):
            chunk = x[i:i + step]
            n = len(chunk)
            if self.batch and n < self.batch:
                chunk = np.concatenate([chunk, np.repeat(chunk[-1:], self.batch - n, axis=0)])
            y = self._model.forward(chunk)
            out.append(np.asarray(y).reshape(len(chunk), -1)[:n])
        return l2_normalize(np.concatenate(out))


def _arcface(path, session, name: str):
    """insightface's ArcFaceONNX around ``session`` (it also reads the file with onnx.load)."""
    from insightface.model_zoo.arcface_onnx import ArcFaceONNX

    try:
        return ArcFaceONNX(model_file=str(path), session=session)
    except Exception as e:  # onnx.load's protobuf errors, insightface's asserts
        raise BundleError(f"model {name!r}: insightface cannot load {path} as an ArcFace model ({e!r})") from e
