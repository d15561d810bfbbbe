"""Scene bundles: frames plus, per frame, the patch quad, shading and occluder.

Layout (all files listed with sha256 in manifest.json)::

    manifest.json          meta: {"frame_size": [w, h], "public": bool,
                                  "scenes": [{"name", "kind", "targets", "dir", "frames"}]}
                           labels: {scene name: {"boxes": [[x0, y0, x1, y1] | null per frame]}}
    scenes/<name>/scene.json   {"quads": [[[x, y] x 4] per frame],       # TL, TR, BR, BL of the patch
                                "shading": [factor | "relative.png" | null per frame],
                                "occluders": ["relative.png" | null per frame]}
    scenes/<name>/frames/000000.jpg ...

A quad gives the image positions of the texture's outer corners (pixel-edge convention:
texture corner (0, 0) maps to quad[0], (W, 0) to quad[1], (W, H) to quad[2], (0, H) to
quad[3]), with frame pixel centres at integer + 0.5. Shading multiplies the patch colour
(a number, or a grayscale PNG where 128 means 1.0). An occluder PNG is 255 where something
stands in front of the patch.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..common.errors import BundleError
from ..common.manifest import load_manifest, write_manifest

TRACK = "driving"
SCENE_KINDS = {"truck": ("car", "truck", "bus"), "mannequin": ("person",)}


@dataclass
class Scene:
    name: str
    kind: str
    targets: tuple[str, ...]
    root: Path  # the scene directory
    frames: list[str]  # relative to root
    quads: np.ndarray  # (F, 4, 2) float64
    shading: list[Any]  # float | relative path | None per frame
    occluders: list[str | None]
    boxes: list[Any] = field(default_factory=list)  # target boxes (labels), may be empty

    def __len__(self) -> int:
        return len(self.frames)

    def frame(self, i: int) -> np.ndarray:
        import cv2

        img = cv2.imread(str(self.root / self.frames[i]), cv2.IMREAD_COLOR)
        if img is None:
            raise BundleError(f"scene {self.name}: frame {self.frames[i]} cannot be read")
        return img

    def shading_at(self, i: int) -> float | np.ndarray:
        s = self.shading[i] if self.shading else None
        if s is None:
            return 1.0
        if isinstance(s, (int, float)):
            return float(s)
        import cv2

        m = cv2.imread(str(self.root / s), cv2.IMREAD_GRAYSCALE)
        if m is None:
            raise BundleError(f"scene {self.name}: shading map {s} cannot be read")
        return m.astype(np.float32) / 128.0

    def occluder_at(self, i: int) -> np.ndarray | None:
        o = self.occluders[i] if self.occluders else None
        if o is None:
            return None
        import cv2

        m = cv2.imread(str(self.root / o), cv2.IMREAD_GRAYSCALE)
        if m is None:
            raise BundleError(f"scene {self.name}: occluder {o} cannot be read")
        return m


@dataclass
class Bundle:
    root: Path
    scenes: list[Scene]
    frame_size: tuple[int, int]
    public: bool

    def select(self, kinds: Sequence[str] | None) -> list[Scene]:
        return [s for s in self.scenes if not kinds or s.kind in kinds]


def load_bundle(bundle_dir: str | Path, *, verify: bool = True) -> Bundle:
    root = Path(bundle_dir)
    manifest = load_manifest(root, TRACK, verify=verify)
    meta = manifest.get("meta") or {}
    labels = manifest.get("labels") or {}
    scenes = []
    if not meta.get("scenes"):
        raise BundleError(f"bundle {root} lists no scenes")
    for entry in meta["scenes"]:
        try:
            name, kind, sdir = entry["name"], entry["kind"], root / entry["dir"]
            spec = json.loads((sdir / "scene.json").read_text())
            quads = np.asarray(spec["quads"], np.float64)
        except (KeyError, OSError, ValueError) as e:
            raise BundleError(f"bundle {root}: scene entry {entry!r} is broken ({e})") from e
        frames = entry.get("frame_files") or spec.get("frames")
        if kind not in SCENE_KINDS:
            raise BundleError(f"bundle {root}: scene {name} has unknown kind {kind!r}")
        if not frames or quads.shape != (len(frames), 4, 2):
            raise BundleError(f"bundle {root}: scene {name} has {len(frames or [])} frames but quads {quads.shape}")
        n = len(frames)
        shading = spec.get("shading") or [None] * n
        occluders = spec.get("occluders") or [None] * n
        if len(shading) != n or len(occluders) != n:
            raise BundleError(f"bundle {root}: scene {name} shading/occluder lists do not have {n} entries")
        targets = tuple(entry.get("targets") or SCENE_KINDS[kind])
        boxes = (labels.get(name) or {}).get("boxes") or []
        scenes.append(Scene(name, kind, targets, sdir, list(frames), quads, shading, occluders, boxes))
    size = tuple(meta.get("frame_size") or (0, 0))
    return Bundle(root, scenes, (int(size[0]), int(size[1])), bool(meta.get("public", False)))


def write_scene(
    bundle_dir: Path,
    name: str,
    frames: Sequence[str],
    quads: np.ndarray,
    shading: Sequence[Any] | None = None,
    occluders: Sequence[str | None] | None = None,
) -> Path:
    """Write scenes/<name>/scene.json (frames and extra files must already be in place)."""
    sdir = bundle_dir / "scenes" / name
    sdir.mkdir(parents=True, exist_ok=True)
    spec = {
        "frames": list(frames),
        "quads": np.round(np.asarray(quads, np.float64), 3).tolist(),
        "shading": list(shading) if shading is not None else None,
        "occluders": list(occluders) if occluders is not None else None,
    }
    (sdir / "scene.json").write_text(json.dumps(spec))
    return sdir


def finish_bundle(
    bundle_dir: Path,
    scenes: Sequence[dict[str, Any]],
    frame_size: tuple[int, int],
    *,
    public: bool,
    name: str = "",
    boxes: dict[str, list] | None = None,
) -> dict[str, Any]:
    """Write manifest.json over every file under scenes/. ``scenes`` entries: name, kind, targets."""
    entries = []
    for s in scenes:
        kind = s["kind"]
        entries.append({
            "name": s["name"], "kind": kind, "dir": f"scenes/{s['name']}",
            "targets": list(s.get("targets") or SCENE_KINDS[kind]), "frames": int(s["frames"]),
        })
    files = [str(p.relative_to(bundle_dir)) for p in sorted((bundle_dir / "scenes").rglob("*")) if p.is_file()]
    labels = {k: {"boxes": v} for k, v in (boxes or {}).items()}
    return write_manifest(
        bundle_dir, TRACK, files, name=name,
        labels=labels or None,
        meta={"frame_size": list(frame_size), "public": public, "scenes": entries},
    )

