"""Ultralytics checkpoints (any YOLO family, ``.pt``): the white-box backend.

Model-set keys: ``conf``, ``iou``, ``imgsz``, ``batch``, ``classes`` (default: the names
stored in the checkpoint). Weights are loaded from the file only; nothing is downloaded.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .base import Detections, Detector, class_names


class UltralyticsDetector(Detector):
    def __init__(self, spec: dict[str, Any]):
        import os

        os.environ.setdefault("YOLO_OFFLINE", "1")
        from ultralytics import YOLO
        from ultralytics.utils.checks import check_yolov5u_filename

        from ...common.errors import BundleError

        self.name = spec["name"]
        if check_yolov5u_filename(spec["file"], verbose=False) != spec["file"]:
            raise BundleError(
                f"model {self.name!r}: Ultralytics renames {spec['file']} to its 'u' variant and tries to "
                "download that; rename the checkpoint file (e.g. append -local before .pt)"
            )
        self.conf = float(spec.get("conf", 0.25))
        self.iou = float(spec.get("iou", 0.45))
        self.imgsz = int(spec.get("imgsz", 640))
        self.batch_size = int(spec.get("batch", 8))
        self.device = spec.get("device", "cpu")  # resolved: cpu or cuda:N
        try:
            self.model = YOLO(spec["file"], task="detect")
        except Exception as e:  # a broken checkpoint is the organizer's problem
            raise BundleError(f"model {self.name!r}: cannot load Ultralytics checkpoint {spec['file']}: {e}") from e
        stored = self.model.names
        default = [stored[i] for i in sorted(stored)] if isinstance(stored, dict) else list(stored)
        self.names = class_names(spec.get("classes"), default)

    @property
    def torch_model(self):
        """The underlying torch module (white-box access for attacks)."""
        return self.model.model

    def detect_batch(self, frames: Sequence[np.ndarray], min_conf: float) -> list[Detections]:
        results = self.model.predict(
            list(frames), imgsz=self.imgsz, conf=min_conf, iou=self.iou, device=self.device,
            verbose=False, batch=len(frames),
        )
        out = []
        for r in results:
            b = r.boxes
            b = b.cpu()
            cls = b.cls.numpy().astype(int)
            labels = [self.names[c] if c < len(self.names) else f"class{c}" for c in cls]
            out.append(Detections(b.xyxy.numpy().astype(np.float32), b.conf.numpy().astype(np.float32), labels))
        return out
