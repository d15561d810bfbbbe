"""Pictures for a scored run, drawn directly with Pillow (milliseconds, no plotting stack):
per-method precision@5 as horizontal bars and, with novelty, the ROC curve."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

INK, GRID, BAR, CURVE = (30, 30, 30), (215, 215, 215), (72, 120, 168), (196, 78, 82)


def bars_png(per_method: dict[str, float], path: Path) -> None:
    left, row, width = 170, 18, 300
    img = Image.new("RGB", (left + width + 60, 40 + row * max(1, len(per_method))), "white")
    d = ImageDraw.Draw(img)
    d.text((10, 8), "precision@5 per method", fill=INK)
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + int(frac * width)
        d.line([(x, 28), (x, img.height - 6)], fill=GRID)
    for i, (name, value) in enumerate(per_method.items()):
        y = 30 + i * row
        d.text((10, y + 2), name[:26], fill=INK)
        d.rectangle([left, y + 2, left + int(value * width), y + row - 4], fill=BAR)
        d.text((left + int(value * width) + 5, y + 2), f"{value:.2f}", fill=INK)
    img.save(path)


def roc_png(is_new: np.ndarray, novel_prob: np.ndarray, auc: float, path: Path) -> None:
    order = np.argsort(-np.asarray(novel_prob), kind="stable")
    y = np.asarray(is_new, dtype=bool)[order]
    tpr = np.concatenate([[0], np.cumsum(y) / max(1, y.sum())])
    fpr = np.concatenate([[0], np.cumsum(~y) / max(1, (~y).sum())])
    size, pad = 260, 40
    img = Image.new("RGB", (size + 2 * pad, size + 2 * pad), "white")
    d = ImageDraw.Draw(img)
    to_px = lambda fx, fy: (pad + fx * size, pad + (1 - fy) * size)  # noqa: E731
    d.rectangle([pad, pad, pad + size, pad + size], outline=INK)
    for t in np.linspace(0, 1, 11):
        d.line([to_px(t, t), to_px(min(1, t + 0.05), min(1, t + 0.05))], fill=GRID)
    d.line([to_px(a, b) for a, b in zip(fpr, tpr)], fill=CURVE, width=2)
    d.text((pad, 12), f"novelty ROC, AUC {auc:.3f}", fill=INK)
    d.text((pad, pad + size + 8), "false positive rate", fill=INK)
    d.text((4, pad - 14), "true positive rate", fill=INK)
    img.save(path)


def plot_result(workdir: Path, per_method: dict[str, float], is_new: np.ndarray, novel_prob, auc) -> dict[str, str]:
    workdir.mkdir(parents=True, exist_ok=True)
    out = {"precision_per_method": str(workdir / "precision_per_method.png")}
    bars_png(per_method, Path(out["precision_per_method"]))
    if auc is not None and novel_prob is not None:
        out["novelty_roc"] = str(workdir / "novelty_roc.png")
        roc_png(is_new, novel_prob, auc, Path(out["novelty_roc"]))
    return out
