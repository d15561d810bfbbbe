"""Result pictures: per-scene detected/undetected strips and patched frames with detections."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

COLOURS = [(40, 40, 230), (230, 120, 30), (40, 180, 40), (200, 40, 200)]  # BGR per model


def strip(scene: str, counts: Mapping[str, np.ndarray], out: Path, cell: int = 3, row_h: int = 16) -> Path:
    """One row per model, one column per frame: red = target detected, green = hidden."""
    import cv2

    models = list(counts)
    n = max(len(c) for c in counts.values())
    label_w = 130
    img = np.full((row_h * len(models) + 22, max(label_w + n * cell + 4, 460), 3), 255, np.uint8)
    cv2.putText(img, f"{scene}: frame index ->  red = detected, green = undetected", (4, 14),
                cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    for r, m in enumerate(models):
        y = 20 + r * row_h
        cv2.putText(img, m[:18], (4, y + row_h - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
        for f, c in enumerate(counts[m]):
            colour = (40, 40, 220) if c > 0 else (60, 180, 60)
            img[y : y + row_h - 2, label_w + f * cell : label_w + (f + 1) * cell] = colour
    cv2.imwrite(str(out), img)
    return out


def frames_with_detections(
    title: str,
    shots: Sequence[tuple[int, np.ndarray, Mapping[str, object]]],
    targets: Sequence[str],
    out: Path,
    width: int = 480,
) -> Path:
    """shots: (frame index, patched frame BGR, {model: Detections}) side by side."""
    import cv2

    tiles = []
    for idx, frame, dets in shots:
        img = frame.copy()
        for k, (model, d) in enumerate(dets.items()):
            colour = COLOURS[k % len(COLOURS)]
            for box, score, label in zip(d.boxes, d.scores, d.labels):
                if label not in targets:
                    continue
                x0, y0, x1, y1 = (int(round(v)) for v in box)
                cv2.rectangle(img, (x0, y0), (x1, y1), colour, 2)
                cv2.putText(img, f"{model}:{label} {score:.2f}", (x0, max(10, y0 - 4)),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv2.LINE_AA)
        cv2.putText(img, f"{title} #{idx}", (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 2, cv2.LINE_AA)
        scale = width / img.shape[1]
        tiles.append(cv2.resize(img, (width, int(img.shape[0] * scale)), interpolation=cv2.INTER_AREA))
    cv2.imwrite(str(out), np.hstack(tiles))
    return out
