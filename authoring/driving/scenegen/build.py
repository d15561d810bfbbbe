"""Build the demo's scene bundles: hidden test scenes and public train/validation scenes."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import numpy as np

from evaluators.driving.bundle import finish_bundle, write_scene

from .road import H, W
from .scenes import render_scene

HIDDEN_SEED, TRAIN_SEED, VAL_SEED = 1000, 2000, 3000


def build_scene_bundle(
    out_dir: Path,
    plan: list[tuple[str, str, int, int]],
    *,
    public: bool,
    name: str,
    example_patch: Callable[[Path, object], None] | None = None,
    progress: Callable[[float], None] | None = None,
) -> Path:
    """plan: (scene name, kind, seed, frames). Writes a complete bundle; idempotent via manifest."""
    if (out_dir / "manifest.json").is_file():
        return out_dir
    tmp = out_dir.with_name(out_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    entries, boxes = [], {}
    for i, (scene, kind, seed, n) in enumerate(plan):
        sdir = tmp / "scenes" / scene
        sf = render_scene(kind, seed, n, sdir)
        write_scene(tmp, scene, sf.frames, sf.quads, sf.shading, None)
        (sdir / "label.txt").write_text(sf.label + "\n")
        if example_patch is not None and scene.endswith("_patched"):
            example_patch(sdir, sf)
        entries.append({"name": scene, "kind": kind, "frames": n})
        boxes[scene] = sf.boxes
        if progress:
            progress(100.0 * (i + 1) / len(plan))
    finish_bundle(tmp, entries, (W, H), public=public, name=name, boxes=boxes)
    shutil.rmtree(out_dir, ignore_errors=True)
    tmp.rename(out_dir)
    return out_dir


def hidden_plan(n_per_kind: int = 5, frames: int = 240) -> list[tuple[str, str, int, int]]:
    plan = []
    for kind in ("truck", "mannequin"):
        for j in range(n_per_kind):
            plan.append((f"{kind}_{j + 1:02d}", kind, HIDDEN_SEED + 10 * len(plan), frames))
    return plan


def train_plan(n_scenes: int = 24, frames: int = 40) -> list[tuple[str, str, int, int]]:
    kinds = ("truck", "mannequin")
    return [(f"train_{kinds[i % 2]}_{i + 1:02d}", kinds[i % 2], TRAIN_SEED + 10 * i, frames) for i in range(n_scenes)]


def val_plan(frames: int = 60, n_per_kind: int = 5) -> list[tuple[str, str, int, int]]:
    """AISC style: half the public validation scenes carry an example patch, half are clean."""
    plan = []
    for j in range(n_per_kind * 2):
        kind = ("truck", "mannequin")[j % 2]
        tag = "patched" if j < n_per_kind else "clean"
        plan.append((f"val_{kind}_{j + 1:02d}_{tag}", kind, VAL_SEED + 10 * j, frames))
    return plan


def example_patcher(texture: np.ndarray, mask: np.ndarray) -> Callable[[Path, object], None]:
    """Render an example patch into a public scene's frames (in place)."""
    import cv2

    from evaluators.driving.render import build_pyramid, render_frame

    pyr = build_pyramid(texture, mask)

    def apply(sdir: Path, sf) -> None:
        for name, quad, shade in zip(sf.frames, sf.quads, sf.shading):
            p = sdir / name
            img = render_frame(cv2.imread(str(p)), pyr, quad, shade)
            cv2.imwrite(str(p), img, [cv2.IMWRITE_JPEG_QUALITY, 92])

    return apply
