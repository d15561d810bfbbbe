"""The public part of a face bundle (what a team gets) and the submission zip.

A face pair j is ``NNNN.png`` (the original to perturb) and ``NNNN_compare.png`` (the image
it should verify as), both aligned 112x112 RGB. They are found through the bundle's
manifest file list (sha256-verified); the manifest's hidden ``labels`` and the phase's model
set are never read.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from evaluators.common.manifest import load_manifest

PAIR_RE = re.compile(r"(?:^|/)(\d{4,})\.png$")


@dataclass
class PublicPairs:
    ids: list[str]  # "0001", ...
    originals: np.ndarray  # N x 112 x 112 x 3 uint8
    compares: np.ndarray


def _read_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        if im.size != (112, 112):
            raise ValueError(f"{path} is {im.size[0]}x{im.size[1]}, expected an aligned 112x112 face")
        return np.asarray(im.convert("RGB"))


def load_public_pairs(bundle_dir: str | Path) -> PublicPairs:
    root = Path(bundle_dir)
    manifest = load_manifest(root, "face")
    found = {}
    for rel in manifest["files"]:
        m = PAIR_RE.search(rel)
        if m:
            compare = rel[: -len(".png")] + "_compare.png"
            if compare not in manifest["files"]:
                raise ValueError(f"bundle {root}: {rel} has no {compare}")
            found[m.group(1)] = (rel, compare)
    if not found:
        raise ValueError(f"bundle {root} lists no NNNN.png / NNNN_compare.png pairs")
    ids = sorted(found, key=int)
    expected = [f"{i:04d}" for i in range(1, len(ids) + 1)]
    if ids != expected:
        raise ValueError(f"bundle {root}: pair ids {ids[:3]}... are not 0001..{len(ids):04d}")
    originals = np.stack([_read_rgb(root / found[i][0]) for i in ids])
    compares = np.stack([_read_rgb(root / found[i][1]) for i in ids])
    return PublicPairs(ids, originals, compares)


def png_bytes(face: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(face), "RGB").save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def write_submission(path: str | Path, ids: list[str], faces: np.ndarray) -> Path:
    """Write ``0001.png``.. (8-bit RGB, 112x112) into a flat zip, deterministically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for pid, face in zip(ids, faces):
            info = zipfile.ZipInfo(f"{pid}.png", date_time=(2022, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, png_bytes(face))
    tmp.replace(path)
    return path
