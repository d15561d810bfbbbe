"""``build-driving-bundle``: turn marker recordings (e.g. from CARLA) into a scene bundle.

Each scene is a recording (a video file or a folder of frames) in which the patch area of
the target surface carries a flat marker: a solid key colour (markers.py), an ArUco marker
(markers_aruco.py) or a checkerboard (markers_checker.py), chosen by a ``MarkerSpec``
(marker_spec.py). The quad, shading and occluder of every frame are recovered from the
marker. The frames stored in the bundle come from a clean recording of the same scene
(rendered without the marker) when one is given, otherwise the marker is painted out by
inpainting.

A frame whose marker is not found (occluded, out of view, too small, or a fit that fails its
checks) is left out of the bundle, never given a guessed quad. Every recording frame gets a
line in ``scenes/<name>/build_report.json`` (kept as which bundle frame, or skipped and why),
and the log says how many frames each scene skipped.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from authoring.driving.markers.fit import Miss
from authoring.driving.markers.spec import MarkerSpec, make_finder
from evaluators.common.errors import BundleError
from evaluators.driving.bundle import SCENE_KINDS, finish_bundle, write_scene

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
    out_dir: Path, sources: list[SceneSource], *, public: bool = False, key_rgb=None,
    marker: MarkerSpec | None = None, frame_ext: str = ".png", log: Callable[[str], None] = print,
) -> Path:
    """Write a bundle from marker recordings. ``marker`` defaults to the magenta key colour
    (``key_rgb`` sets another key colour)."""
    out_dir = Path(out_dir)
    if (out_dir / "manifest.json").exists():
        raise BundleError(f"{out_dir} already holds a bundle; choose a new output directory")
    if marker is None:
        marker = MarkerSpec(key_rgb=tuple(key_rgb)) if key_rgb is not None else MarkerSpec()
    elif key_rgb is not None:
        raise BundleError("give the key colour inside the MarkerSpec, not as key_rgb as well")
    find = make_finder(marker)
    entries = []
    size = None
    for src in sources:
        if src.kind not in SCENE_KINDS:
            raise BundleError(f"scene {src.name}: kind must be one of {sorted(SCENE_KINDS)}, not {src.kind!r}")
        size, n = _build_scene(out_dir, src, find, marker, size, frame_ext, log)
        entries.append({"name": src.name, "kind": src.kind, "frames": n})
    finish_bundle(out_dir, entries, size, public=public, name=out_dir.name)
    return out_dir


def _build_scene(out_dir, src, find, marker, size, frame_ext, log):
    import cv2

    sdir = out_dir / "scenes" / src.name
    (sdir / "frames").mkdir(parents=True, exist_ok=True)
    clean_iter = read_recording(src.clean) if src.clean else None
    frames, quads, shading, occluders, records = [], [], [], [], []
    prev = None
    for i, img in enumerate(read_recording(src.recording)):
        clean = next(clean_iter, None) if clean_iter is not None else None
        if clean_iter is not None and clean is None:
            raise BundleError(f"scene {src.name}: the clean recording has fewer frames than the marker recording")
        if clean is not None and clean.shape != img.shape:
            raise BundleError(f"scene {src.name} frame {i}: the clean recording's frame is {clean.shape[1]}x"
                              f"{clean.shape[0]}, the marker recording's {img.shape[1]}x{img.shape[0]}")
        size = size or (img.shape[1], img.shape[0])
        if (img.shape[1], img.shape[0]) != size:
            raise BundleError(f"scene {src.name} frame {i}: size {img.shape[1]}x{img.shape[0]} differs from {size}")
        fit = find(img, prev)
        if isinstance(fit, Miss):
            records.append({"source": i, "status": "skipped", "reason": fit.reason})
            continue
        prev = fit.quad
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
        records.append({"source": i, "status": "kept", "frame": len(frames)})
        frames.append(name)
        quads.append(fit.quad)
        shading.append(round(fit.shading, 4))
        occluders.append(occ)
    skipped = [r for r in records if r["status"] == "skipped"]
    if skipped:
        shown = "; ".join(f"{r['source']}: {r['reason']}" for r in skipped[:5])
        log(f"scene {src.name}: skipped {len(skipped)} of {len(records)} frame(s) without a trustworthy "
            f"marker fit ({shown}{'; ...' if len(skipped) > 5 else ''}); all listed in "
            f"scenes/{src.name}/build_report.json")
    if not frames:
        shutil.rmtree(sdir)
        reason = skipped[0]["reason"] if skipped else "the recording has no frames"
        raise BundleError(f"scene {src.name}: the {marker.kind} marker was not found in any frame "
                          f"(first frame: {reason})")
    write_scene(out_dir, src.name, frames, np.array(quads), shading, occluders)
    report = {"marker": marker.describe(), "recording_frames": len(records), "kept": len(frames),
              "skipped": len(skipped), "frames": records}
    (sdir / "build_report.json").write_text(json.dumps(report, indent=1))
    log(f"scene {src.name}: {len(frames)} frames kept, {len(skipped)} skipped")
    return size, len(frames)
