"""The detector backend interface, plus letterboxing and NMS shared by the backends.

A backend turns a batch of BGR uint8 frames into per-frame detections in frame pixel
coordinates, already filtered by the model's confidence threshold and NMS, with class
ids mapped to COCO-style names so scenes can name their target classes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

COCO80 = (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant "
    "stop_sign parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe "
    "backpack umbrella handbag tie suitcase frisbee skis snowboard sports_ball kite baseball_bat "
    "baseball_glove skateboard surfboard tennis_racket bottle wine_glass cup fork knife spoon bowl "
    "banana apple sandwich orange broccoli carrot hot_dog pizza donut cake chair couch "
    "potted_plant bed dining_table toilet tv laptop mouse remote keyboard cell_phone microwave "
    "oven toaster sink refrigerator book clock vase scissors teddy_bear hair_drier toothbrush"
).split()
COCO80 = tuple(n.replace("_", " ") for n in COCO80)


@dataclass
class Detections:
    """Detections in one frame: boxes (N,4) xyxy in frame pixels, scores (N,), class names."""

    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    scores: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    labels: list[str] = field(default_factory=list)

    def count(self, classes: Sequence[str], min_score: float = 0.0) -> int:
        """Detections of ``classes`` scoring at least ``min_score`` (the model's ``conf``)."""
        wanted = set(classes)
        return sum(1 for name, s in zip(self.labels, self.scores) if name in wanted and s >= min_score)

    def margin(self, classes: Sequence[str], threshold: float) -> float:
        """|top score - threshold| over the detections of ``classes`` (inf when there are none).

        A frame counts as detected when its best target detection reaches the threshold, so
        this is how far the frame's decision is from flipping under float rounding."""
        wanted = set(classes)
        top = max((float(s) for name, s in zip(self.labels, self.scores) if name in wanted), default=None)
        return float("inf") if top is None else abs(top - threshold)

    def above(self, min_score: float) -> "Detections":
        """The detections scoring at least ``min_score``."""
        keep = [i for i, s in enumerate(self.scores) if s >= min_score]
        return Detections(self.boxes[keep], self.scores[keep], [self.labels[i] for i in keep])

    def select(self, classes: Sequence[str]) -> "Detections":
        keep = [i for i, name in enumerate(self.labels) if name in set(classes)]
        return Detections(self.boxes[keep], self.scores[keep], [self.labels[i] for i in keep])


class Detector:
    """Base class: ``detect(frames)`` -> one Detections per frame.

    ``detect(frames, below=e)`` also returns detections scoring in [conf - e, conf), so that a
    caller can see decisions near the threshold; NMS is greedy in score order, so the
    detections at or above ``conf`` are the same either way. Count with
    ``Detections.count(classes, detector.conf)``.
    """

    name: str = "detector"
    conf: float = 0.25
    iou: float = 0.45
    batch_size: int = 8
    device: str = "cpu"

    def detect_batch(self, frames: Sequence[np.ndarray], min_conf: float) -> list[Detections]:
        raise NotImplementedError

    def detect(self, frames: Sequence[np.ndarray], below: float = 0.0) -> list[Detections]:
        min_conf = max(0.0, self.conf - below)
        out: list[Detections] = []
        for i in range(0, len(frames), self.batch_size):
            out.extend(self.detect_batch(frames[i : i + self.batch_size], min_conf))
        return out


def class_names(spec, default: Sequence[str] | None = None) -> list[str]:
    """The model set's ``classes``: "coco" (80 COCO names), a list, or {id: name}."""
    if spec is None and default is not None:
        return list(default)
    if spec is None or spec == "coco":
        return list(COCO80)
    if isinstance(spec, list):
        return [str(x) for x in spec]
    if isinstance(spec, dict):
        n = max(int(k) for k in spec) + 1
        names = [f"class{i}" for i in range(n)]
        for k, v in spec.items():
            names[int(k)] = str(v)
        return names
    raise ValueError(f"classes must be 'coco', a list of names or a mapping id -> name, not {spec!r}")


def letterbox(
    img: np.ndarray, size: int, pad: int = 114, center: bool = False
) -> tuple[np.ndarray, float, tuple[int, int]]:
    """Resize keeping aspect ratio into a size x size canvas, top-left aligned (YOLOX) or
    centred (YOLOv5/v8 exports). Returns (canvas, scale, (dx, dy)); frame coords =
    (canvas coords - d) / scale."""
    import cv2

    h, w = img.shape[:2]
    r = min(size / h, size / w)
    nh, nw = int(round(h * r)), int(round(w * r))
    dx, dy = ((size - nw) // 2, (size - nh) // 2) if center else (0, 0)
    canvas = np.full((size, size, 3), pad, np.uint8)
    canvas[dy : dy + nh, dx : dx + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return canvas, r, (dx, dy)


def nms_per_class(boxes: np.ndarray, scores: np.ndarray, cls: np.ndarray, iou: float) -> np.ndarray:
    """Class-aware NMS; returns kept indices sorted by score."""
    import torch
    from torchvision.ops import batched_nms

    if len(boxes) == 0:
        return np.zeros((0,), np.int64)
    keep = batched_nms(
        torch.from_numpy(boxes.astype(np.float32)),
        torch.from_numpy(scores.astype(np.float32)),
        torch.from_numpy(cls.astype(np.int64)),
        float(iou),
    )
    return keep.numpy()


def cxcywh_to_xyxy(b: np.ndarray) -> np.ndarray:
    out = np.empty_like(b)
    out[:, 0] = b[:, 0] - b[:, 2] / 2
    out[:, 1] = b[:, 1] - b[:, 3] / 2
    out[:, 2] = b[:, 0] + b[:, 2] / 2
    out[:, 3] = b[:, 1] + b[:, 3] / 2
    return out
