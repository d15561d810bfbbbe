"""Face detection (MTCNN from the facenet-pytorch wheel) and 5-point ArcFace alignment to 112x112."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

FACE_SIZE = 112
# The standard InsightFace/ArcFace 5-point template for 112x112 crops:
# left eye, right eye, nose tip, left mouth corner, right mouth corner (x, y).
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float64,
)


@dataclass(frozen=True)
class DetectedFace:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    landmarks: np.ndarray  # 5x2, same order as ARCFACE_TEMPLATE
    confidence: float

    @property
    def area(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (rotation, uniform scale, translation) mapping src->dst (Umeyama 1991).

    Returns the 2x3 matrix for cv2.warpAffine.
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s0, d0 = src - mu_s, dst - mu_d
    cov = d0.T @ s0 / len(src)
    u, sig, vt = np.linalg.svd(cov)
    sign = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[1, 1] = -1
    rot = u @ sign @ vt
    scale = np.trace(np.diag(sig) @ sign) / s0.var(0).sum()
    m = np.zeros((2, 3))
    m[:, :2] = scale * rot
    m[:, 2] = mu_d - scale * rot @ mu_s
    return m


def align_face(image_rgb: np.ndarray, landmarks: np.ndarray, size: int = FACE_SIZE) -> np.ndarray:
    """Warp a face so its 5 landmarks land on the ArcFace template; returns size x size x 3 uint8 RGB."""
    import cv2

    m = similarity_transform(landmarks, ARCFACE_TEMPLATE * (size / FACE_SIZE))
    return cv2.warpAffine(image_rgb, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


@lru_cache(maxsize=1)
def _mtcnn():
    import torch
    from facenet_pytorch.models.mtcnn import MTCNN  # weights ship inside the wheel

    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    return MTCNN(keep_all=True, device="cpu", min_face_size=20)


def detect_faces(image_rgb: np.ndarray, min_confidence: float = 0.95) -> list[DetectedFace]:
    """All faces MTCNN finds, largest first."""
    import torch

    with torch.no_grad():
        boxes, probs, points = _mtcnn().detect(image_rgb, landmarks=True)
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
