"""``build-face-bundle``: an LFW-style folder (``<root>/<Name>/<Name>_0001.jpg``) plus an LFW
``pairs.txt`` -> a face bundle. Faces are found with MTCNN and aligned to 112x112 with the 5-point
ArcFace template; only mismatched (different-identity) pairs are used, as in AISC."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from evaluators.common.errors import BundleError
from evaluators.common.result import Progress, report
from evaluators.face.bundle import FaceBundle, write_face_bundle

from .align import align_face, detect_faces, load_rgb


@dataclass(frozen=True)
class LfwPair:
    name1: str
    num1: int
    name2: str
    num2: int

    @property
    def mismatched(self) -> bool:
        return self.name1 != self.name2


def parse_pairs(path: str | Path) -> list[LfwPair]:
    """Parse LFW pairs.txt: an optional header line of counts, then ``Name n1 n2`` (matched) or
    ``Name1 n1 Name2 n2`` (mismatched) lines, tab- or space-separated."""
    pairs = []
    for lineno, line in enumerate(Path(path).read_text().splitlines(), start=1):
        f = line.split()
        if not f or (lineno == 1 and all(x.isdigit() for x in f)):
            continue
        try:
            if len(f) == 3:
                pairs.append(LfwPair(f[0], int(f[1]), f[0], int(f[2])))
            elif len(f) == 4:
                pairs.append(LfwPair(f[0], int(f[1]), f[2], int(f[3])))
            else:
                raise ValueError
        except ValueError:
            raise BundleError(f"{path}:{lineno}: expected 'Name n1 n2' or 'Name1 n1 Name2 n2', got {line!r}")
    return pairs


def lfw_image(root: Path, name: str, num: int) -> Path:
    for ext in (".jpg", ".jpeg", ".png"):
        p = root / name / f"{name}_{num:04d}{ext}"
        if p.is_file():
            return p
    raise FileNotFoundError(f"{root / name / f'{name}_{num:04d}.jpg'} does not exist")


class Aligner:
    """Detect + align with a per-file memo, so each photo is processed once."""

    def __init__(self, min_confidence: float = 0.95, device: str = "cpu"):
        self.min_confidence = min_confidence
        self.device = device
        self._memo: dict[Path, Optional[np.ndarray]] = {}

    def __call__(self, path: Path) -> Optional[np.ndarray]:
        if path not in self._memo:
            img = load_rgb(path)
            faces = detect_faces(img, self.min_confidence, self.device)
            self._memo[path] = align_face(img, faces[0].landmarks) if faces else None  # largest face
        return self._memo[path]


def build_face_bundle(lfw_root: str | Path, pairs_file: str | Path, out_dir: str | Path, *,
                      max_pairs: Optional[int] = None, progress: Optional[Progress] = None,
                      device: str = "cpu") -> FaceBundle:
    """Align the mismatched pairs of an LFW-style ``pairs.txt`` with MTCNN on ``device``
    (``auto | cpu | cuda | cuda:N``) and write a face bundle to ``out_dir``."""
    from evaluators.common.device import resolve_device

    device = resolve_device(device)  # a missing GPU is an error before the first photo, not at it
    root = Path(lfw_root)
    wanted = [p for p in parse_pairs(pairs_file) if p.mismatched]
    if not wanted:
        raise BundleError(f"{pairs_file} lists no mismatched (different-identity) pairs")
    align = Aligner(device=device)
    out, skipped = [], []
    for k, p in enumerate(wanted):
        if max_pairs is not None and len(out) >= max_pairs:
            break
        report(progress, "align", 100.0 * k / len(wanted))
        try:
            src, dst = lfw_image(root, p.name1, p.num1), lfw_image(root, p.name2, p.num2)
        except FileNotFoundError as e:
            skipped.append(str(e))
            continue
        a, b = align(src), align(dst)
        if a is None or b is None:
            skipped.append(f"no face found in {src if a is None else dst}")
            continue
        label = {"source": f"{p.name1}_{p.num1:04d}", "source_identity": p.name1,
                 "target": f"{p.name2}_{p.num2:04d}", "target_identity": p.name2}
        out.append((a, b, label))
    report(progress, "write", 100.0)
    return write_face_bundle(out_dir, out, meta={"source": "lfw-layout", "skipped": skipped[:100],
                                                 "n_skipped": len(skipped)})
