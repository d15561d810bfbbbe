"""``build-driving-bundle``: turn marker recordings (e.g. from CARLA) into a scene bundle.

Each scene is a recording (a video file or a folder of frames) in which the target surface
carries a flat key-colour marker. The quad, shading and occluder of every frame are
recovered from the marker (markers.py). The frames stored in the bundle come from a clean
recording of the same scene (rendered without the marker) when one is given, otherwise the
marker is painted out by inpainting.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..common.errors import BundleError
from .bundle import SCENE_KINDS, finish_bundle, write_scene
from .markers import MAGENTA, fit_marker

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".bmp")


@dataclass
class SceneSource:
    name: str
    kind: str
    recording: Path
    clean: Path | None = None


def read_recording(path: Path) -> Iterator[np.ndarray]:
    import cv2

    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXT)
        if not files:
            raise BundleError(f"recording folder {path} holds no {'/'.join(IMAGE_EXT)} frames")
        for p in files:
            img = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if img is None:
                raise BundleError(f"recording frame {p} cannot be read")
            yield img
        return
    if not path.is_file():
        raise BundleError(f"recording {path} does not exist")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise BundleError(f"recording {path} cannot be opened as a video")
    try:
        while True:
            ok, img = cap.read()
            if not ok:
                break
            yield img
    finally:
        cap.release()


def build_bundle(
    out_dir: Path, sources: list[SceneSource], *, public: bool = False, key_rgb=MAGENTA,
    frame_ext: str = ".png", log: Callable[[str], None] = print,
) -> Path:
    import cv2

    out_dir = Path(out_dir)
    if (out_dir / "manifest.json").exists():
        raise BundleError(f"{out_dir} already holds a bundle; choose a new output directory")
    entries = []
    size = None
    for src in sources:
        if src.kind not in SCENE_KINDS:
            raise BundleError(f"scene {src.name}: kind must be one of {sorted(SCENE_KINDS)}, not {src.kind!r}")
        sdir = out_dir / "scenes" / src.name
        (sdir / "frames").mkdir(parents=True, exist_ok=True)
        clean_iter = read_recording(src.clean) if src.clean else None
        frames, quads, shading, occluders, missing = [], [], [], [], []
        for i, img in enumerate(read_recording(src.recording)):
            clean = next(clean_iter, None) if clean_iter is not None else None
            if clean_iter is not None and clean is None:
                raise BundleError(f"scene {src.name}: the clean recording has fewer frames than the marker recording")
            size = size or (img.shape[1], img.shape[0])
            if (img.shape[1], img.shape[0]) != size:
                raise BundleError(f"scene {src.name} frame {i}: size {img.shape[1]}x{img.shape[0]} differs from {size}")
            fit = fit_marker(img, key_rgb)
            if fit is None:
                missing.append(i)
                continue
            if clean is None:
                grown = cv2.dilate(fit.marker.astype(np.uint8) * 255, np.ones((5, 5), np.uint8))
                clean = cv2.inpaint(img, grown, 3, cv2.INPAINT_TELEA)
            name = f"frames/{len(frames):06d}{frame_ext}"
            cv2.imwrite(str(sdir / name), clean)
            occ = None
            if fit.occluder is not None:
                occ = f"occluders/{len(frames):06d}.png"
                (sdir / "occluders").mkdir(exist_ok=True)
                cv2.imwrite(str(sdir / occ), fit.occluder)
            frames.append(name)
            quads.append(fit.quad)
            shading.append(round(fit.shading, 4))
            occluders.append(occ)
        if missing:
            log(f"scene {src.name}: no marker found in {len(missing)} frame(s) {missing[:10]}...; they are left out")
        if not frames:
            shutil.rmtree(sdir)
            raise BundleError(f"scene {src.name}: the key-colour marker {key_rgb} was not found in any frame")
        write_scene(out_dir, src.name, frames, np.array(quads), shading, occluders)
        entries.append({"name": src.name, "kind": src.kind, "frames": len(frames)})
        log(f"scene {src.name}: {len(frames)} frames")
    finish_bundle(out_dir, entries, size, public=public, name=out_dir.name)
    return out_dir
