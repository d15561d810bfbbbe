"""ONNX detectors through onnxruntime (the black-box backend).

Output layouts, declared per model in the model set as ``layout``:

- ``yolox``:  (B, N, 5+nc) = raw (x, y, log w, log h) on stride-8/16/32 grids, objectness,
  class scores; input BGR 0..255, top-left letterbox padded with 114.
- ``yolov5``: (B, N, 5+nc) = (cx, cy, w, h) in input pixels, objectness, class scores;
  input RGB 0..1, centred letterbox.
- ``yolov8``: (B, 4+nc, N) = (cx, cy, w, h) in input pixels, class scores (no
  objectness); input RGB 0..1, centred letterbox.

Keys ``input`` ("bgr255" | "rgb01"), ``letterbox`` ("topleft" | "center") and
``strides`` override the layout's defaults.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .base import Detections, Detector, class_names, cxcywh_to_xyxy, letterbox, nms_per_class

LAYOUTS = {
    "yolox": {"input": "bgr255", "letterbox": "topleft"},
    "yolov5": {"input": "rgb01", "letterbox": "center"},
    "yolov8": {"input": "rgb01", "letterbox": "center"},
}


from ...common.device import onnx_providers


class OnnxDetector(Detector):
    def __init__(self, spec: dict[str, Any]):
        import onnxruntime as ort

        layout = spec.get("layout")
        if layout not in LAYOUTS:
            raise ValueError(f"model {spec.get('name')!r}: layout must be one of {sorted(LAYOUTS)}, not {layout!r}")
        self.name = spec["name"]
        self.layout = layout
        self.input_format = spec.get("input", LAYOUTS[layout]["input"])
        self.center = spec.get("letterbox", LAYOUTS[layout]["letterbox"]) == "center"
        self.strides = tuple(spec.get("strides", (8, 16, 32)))
        self.conf = float(spec.get("conf", 0.25))
        self.iou = float(spec.get("iou", 0.45))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(spec.get("threads", 2))
        opts.inter_op_num_threads = 1
        self.device = spec.get("device", "cpu")  # resolved: cpu or cuda:N
        self.session = ort.InferenceSession(spec["file"], opts, providers=onnx_providers(self.device))
        inp = self.session.get_inputs()[0]
        self.input_name = inp.name
        shape = inp.shape
        size = spec.get("imgsz") or (shape[2] if isinstance(shape[2], int) else 640)
        self.size = int(size)
        self.fixed_batch = shape[0] if isinstance(shape[0], int) else None
        self.batch_size = int(spec.get("batch", self.fixed_batch or 8))
        self.names = class_names(spec.get("classes", "coco"))
        self._grids: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _prep(self, frame: np.ndarray) -> tuple[np.ndarray, float, tuple[int, int]]:
        canvas, r, d = letterbox(frame, self.size, 114, self.center)
        if self.input_format == "rgb01":
            x = canvas[:, :, ::-1].astype(np.float32) / 255.0
        else:
            x = canvas.astype(np.float32)
        return np.ascontiguousarray(x.transpose(2, 0, 1)), r, d

    def _yolox_grid(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if n not in self._grids:
            grids, strides = [], []
            for s in self.strides:
                g = self.size // s
                yy, xx = np.mgrid[0:g, 0:g]
                grids.append(np.stack([xx.ravel(), yy.ravel()], 1))
                strides.append(np.full((g * g, 1), s))
            grid, stride = np.concatenate(grids).astype(np.float32), np.concatenate(strides).astype(np.float32)
            if len(grid) != n:
                raise ValueError(
                    f"model {self.name!r}: YOLOX output has {n} rows but strides {self.strides} at "
                    f"{self.size}px give {len(grid)}; fix 'strides' or 'imgsz' in the model set"
                )
            self._grids[n] = (grid, stride)
        return self._grids[n]

    def _decode(self, out: np.ndarray, min_conf: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One image's raw output -> (boxes xyxy in input pixels, scores, class ids)."""
        if self.layout == "yolov8":
            out = out.T  # (N, 4+nc)
            box, cls_scores = out[:, :4], out[:, 4:]
        else:
            box, cls_scores = out[:, :4].copy(), out[:, 5:] * out[:, 4:5]
            if self.layout == "yolox":
                grid, stride = self._yolox_grid(len(out))
                box[:, :2] = (box[:, :2] + grid) * stride
                box[:, 2:4] = np.exp(np.clip(box[:, 2:4], -20, 20)) * stride
        cls = cls_scores.argmax(1)
        scores = cls_scores[np.arange(len(cls)), cls]
        keep = scores >= min_conf
        return cxcywh_to_xyxy(box[keep]), scores[keep], cls[keep]

    def detect_batch(self, frames: Sequence[np.ndarray], min_conf: float) -> list[Detections]:
        prepped = [self._prep(f) for f in frames]
        if self.fixed_batch == 1:
            outs = [self.session.run(None, {self.input_name: p[0][None]})[0][0] for p in prepped]
        else:
            outs = list(self.session.run(None, {self.input_name: np.stack([p[0] for p in prepped])})[0])
        result = []
        for out, (_, r, (dx, dy)), frame in zip(outs, prepped, frames):
            boxes, scores, cls = self._decode(np.asarray(out, np.float32), min_conf)
            keep = nms_per_class(boxes, scores, cls, self.iou)
            boxes = boxes[keep]
            boxes[:, [0, 2]] = np.clip((boxes[:, [0, 2]] - dx) / r, 0, frame.shape[1])
            boxes[:, [1, 3]] = np.clip((boxes[:, [1, 3]] - dy) / r, 0, frame.shape[0])
            labels = [self.names[c] if c < len(self.names) else f"class{c}" for c in cls[keep]]
            result.append(Detections(boxes.astype(np.float32), scores[keep].astype(np.float32), labels))
        return result
