"""Face detection (MTCNN from the facenet-pytorch wheel) and 5-point ArcFace alignment to 112x112
(insightface's ``utils.face_align``)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

FACE_SIZE = 112


@dataclass(frozen=True)
class DetectedFace:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2, pixels of the input image
    # 5 x 2 (x, y) pixels: left eye, right eye, nose tip, left and right mouth corner (MTCNN's
    # order, the order of insightface's ArcFace template ``face_align.arcface_dst``)
    landmarks: np.ndarray
    confidence: float

    @property
    def area(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)


def align_face(image_rgb: np.ndarray, landmarks: np.ndarray, size: int = FACE_SIZE) -> np.ndarray:
    """Warp a face so its 5 landmarks land on InsightFace's ArcFace template; size x size x 3 uint8 RGB.

    ``image_rgb``: H x W x 3 uint8; ``landmarks``: 5 x 2 pixels (``DetectedFace.landmarks``);
    ``size``: a multiple of 112 (or of 128, insightface's 8-px-shifted variant). The matrix is
    insightface's ``face_align.estimate_norm`` (least-squares similarity, scikit-image's
    SimilarityTransform, to its float32 template scaled to ``size``); the warp is bilinear with
    reflected borders (as the bundles were always built) where ``face_align.norm_crop`` fills black;
    inside the image both give the same pixels.
    """
    import warnings

    import cv2
    from insightface.utils import face_align

    with warnings.catch_warnings():  # scikit-image 0.26 deprecates the estimate() it calls
        warnings.filterwarnings("ignore", message=".*estimate.* is deprecated", category=FutureWarning)
        m = face_align.estimate_norm(np.asarray(landmarks, np.float64), size)
    return cv2.warpAffine(image_rgb, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


@lru_cache(maxsize=4)
def _mtcnn(device: str = "cpu"):
    import torch
    from facenet_pytorch.models.mtcnn import MTCNN  # weights ship inside the wheel

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    return MTCNN(keep_all=True, device=device, min_face_size=20)


def detect_faces(image_rgb: np.ndarray, min_confidence: float = 0.95, device: str = "cpu") -> list[DetectedFace]:
    """All faces MTCNN finds, largest first. ``device``: ``auto | cpu | cuda | cuda:N``
    (``evaluators.common.device``; ``DeviceUnavailable`` where torch sees no such GPU)."""
    import torch

    from evaluators.common.device import resolve_device

    with torch.no_grad():
        boxes, probs, points = _mtcnn(resolve_device(device)).detect(image_rgb, landmarks=True)
    if boxes is None:
        return []
    faces = [
        DetectedFace(tuple(float(v) for v in b), np.asarray(p, np.float64), float(c))
        for b, c, p in zip(boxes, probs, points)
        if c is not None and c >= min_confidence
    ]
    return sorted(faces, key=lambda f: -f.area)


def load_rgb(path) -> np.ndarray:
    """Read any photo as 8-bit RGB."""
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))
