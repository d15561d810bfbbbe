"""Detector backends: the real COCO YOLOX-nano through the ONNX backend, and the
YOLOv8-export layout decode."""
from __future__ import annotations

import numpy as np

from evaluators.driving.detectors import load_detectors
from evaluators.driving.detectors.base import letterbox


def test_yolox_nano_finds_the_bus_and_the_people(yolox_model_set, bus_jpg):
    import cv2

    (det,) = load_detectors(yolox_model_set)
    img = cv2.imread(str(bus_jpg))
    d1, d2 = det.detect([img, img[:, ::-1].copy()])  # a batch of two
    for d in (d1, d2):
        assert d.count(["bus"]) == 1
        assert d.count(["person"]) >= 3
    bus = d1.boxes[d1.labels.index("bus")]
    # the bus spans most of the photo width in its middle rows
    assert bus[0] < 60 and bus[2] > 760 and 180 < bus[1] < 280 and 680 < bus[3] < 800
    assert max(s for s, lab in zip(d1.scores, d1.labels) if lab == "bus") > 0.85


def test_yolov8_layout_decodes_boxes_back_to_frame_pixels(tmp_path):
    """A synthetic (1, 4+nc, N) output through the decode path, with a centred letterbox."""
    from evaluators.driving.detectors.onnx_backend import OnnxDetector

    det = OnnxDetector.__new__(OnnxDetector)
    det.name, det.layout, det.conf, det.iou, det.size, det.center = "v8", "yolov8", 0.5, 0.45, 320, True
    det.names = ["person", "car", "truck"]
    frame = np.zeros((180, 320, 3), np.uint8)
    canvas, r, (dx, dy) = letterbox(frame, 320, center=True)
    assert (r, dx, dy) == (1.0, 0, 70)
    out = np.zeros((4 + 3, 3), np.float32)
    out[:, 0] = [100, 140, 40, 60, 0.1, 0.9, 0.0]  # a car at (80..120, 110..170) in the canvas
    out[:, 1] = [102, 141, 40, 60, 0.1, 0.8, 0.0]  # duplicate: suppressed by NMS
    out[:, 2] = [200, 200, 10, 10, 0.2, 0.1, 0.3]  # below the threshold
    boxes, scores, cls = det._decode(out, det.conf)
    assert len(boxes) == 2 and list(cls) == [1, 1]
    from evaluators.driving.detectors.base import nms_per_class

    keep = nms_per_class(boxes, scores, cls, det.iou)
    assert len(keep) == 1
    np.testing.assert_allclose(boxes[keep[0]] - [0, dy, 0, dy], [80, 40, 120, 100])
