"""Baseline submissions: an empty-ish mask, a random-noise patch and a solid-colour patch.

Each is written as one RGBA PNG (alpha = mask), the primary upload form; ``write_zip``
writes the alternative zip form (patch.png + mask.png).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from evaluators.driving.submission import PATCH_H, PATCH_W


def _png(arr: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def write_rgba(path: Path, texture: np.ndarray, mask: np.ndarray) -> Path:
    """texture HxWx3 RGB uint8, mask HxW bool/0-255 -> RGBA PNG."""
    alpha = np.where(np.asarray(mask) > 0, 255, 0).astype(np.uint8)
    path.write_bytes(_png(np.dstack([texture, alpha])))
    return path


def write_zip(path: Path, texture: np.ndarray, mask: np.ndarray) -> Path:
    alpha = np.where(np.asarray(mask) > 0, 255, 0).astype(np.uint8)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("patch.png", _png(np.ascontiguousarray(texture)))
        zf.writestr("mask.png", _png(alpha))
    return path


def full_mask() -> np.ndarray:
    return np.ones((PATCH_H, PATCH_W), bool)


def empty_ish_mask() -> np.ndarray:
    """A single 10x10 region: nearly no patch, so the score is about the area term (0.2)."""
    m = np.zeros((PATCH_H, PATCH_W), bool)
    m[PATCH_H // 2 : PATCH_H // 2 + 10, PATCH_W // 2 : PATCH_W // 2 + 10] = True
    return m


def noise_texture(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (PATCH_H, PATCH_W, 3), dtype=np.uint8)


def solid_texture(rgb: tuple[int, int, int] = (128, 128, 128)) -> np.ndarray:
    return np.broadcast_to(np.array(rgb, np.uint8), (PATCH_H, PATCH_W, 3)).copy()


def write_baselines(out_dir: Path) -> dict[str, str]:
    """The three demo baselines; reused when already written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = {
        "empty_mask": lambda p: write_rgba(p, solid_texture((128, 128, 128)), empty_ish_mask()),
        "random_noise": lambda p: write_rgba(p, noise_texture(0), full_mask()),
        "solid_colour": lambda p: write_rgba(p, solid_texture((200, 40, 40)), full_mask()),
    }
    out = {}
    for name, make in plan.items():
        p = out_dir / f"{name}.png"
        if not p.is_file():
            tmp = p.with_suffix(".tmp")
            make(tmp)
            tmp.rename(p)
        out[name] = str(p.resolve())
    return out
