"""White-box detectors as differentiable torch modules (Ultralytics checkpoints).

The checkpoint's ``model`` is loaded in torch (nothing downloaded), put in eval mode with
frozen weights; ``scores(x)`` runs it on an RGB 0..1 batch (sides multiples of the stride)
and returns the head's per-anchor class confidences *before* NMS, (B, nc, N), with
gradients flowing to ``x``. This is exactly what Ultralytics' predictor thresholds with
``conf`` before NMS, so a frame has no detection of class c iff max_a scores[c, a] < conf.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

from evaluators.common.errors import BundleError


@dataclass
class WhiteBox:
    name: str
    module: torch.nn.Module
    names: list[str]       # class id -> name
    conf: float            # the model set's confidence threshold
    imgsz: int             # the model set's inference size (long side of the letterboxed frame)
    stride: int
    device: str = "cpu"    # where the module runs; inputs are moved there and scores come back to the CPU

    def class_ids(self, classes) -> list[int]:
        return [i for i, n in enumerate(self.names) if n in set(classes)]

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """(B, nc, N) on the CPU, differentiable back to ``x`` across the device hop."""
        out = self.module(x.to(self.device))
        y = out[0] if isinstance(out, (tuple, list)) else out
        return y[:, 4:4 + len(self.names)].cpu()


def load_white_box(entry: dict, device: str = "cpu") -> WhiteBox:
    """entry: a model-set entry (``backend`` ultralytics, ``file`` resolved); device: a resolved
    torch device (``evaluators.common.device.resolve_device``). Only the detector runs there: the
    texture, the renderer and the losses stay on the CPU."""
    if entry.get("backend") != "ultralytics":
        raise BundleError(f"white-box model {entry.get('name')!r}: only Ultralytics checkpoints can be attacked "
                          f"with gradients here, not backend {entry.get('backend')!r}")
    os.environ.setdefault("YOLO_OFFLINE", "1")
    from ultralytics.nn.tasks import load_checkpoint

    path = Path(entry["file"])
    try:
        model, _ = load_checkpoint(str(path), device="cpu", fuse=False)
    except Exception as e:
        raise BundleError(f"white-box model {entry['name']!r}: cannot load {path}: {e}") from e
    model = model.float().eval().to(device)
    for p in model.parameters():
        p.requires_grad_(False)
    stored = model.names
    names = [stored[i] for i in sorted(stored)] if isinstance(stored, dict) else list(stored)
    if entry.get("classes") and isinstance(entry["classes"], list):
        names = [str(c) for c in entry["classes"]]
    stride = int(max(model.stride)) if hasattr(model, "stride") else 32
    return WhiteBox(entry["name"], model, names, float(entry.get("conf", 0.25)), int(entry.get("imgsz", 640)), stride,
                    device)
