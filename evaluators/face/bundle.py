"""Face bundles: ``images/NNNN.png`` (original) and ``images/NNNN_compare.png`` (target of another
identity), both aligned 112x112 RGB, plus manifest.json (sha256 of every file; ``labels`` holds
the identities of each pair; ``meta.n_pairs`` the count)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluators.common.errors import BundleError
from evaluators.common.manifest import load_manifest, write_manifest

IMAGES = "images"


def pair_id(i: int) -> str:
    return f"{i:04d}"


def original_rel(pid: str) -> str:
    return f"{IMAGES}/{pid}.png"


def compare_rel(pid: str) -> str:
    return f"{IMAGES}/{pid}_compare.png"


@dataclass
class FaceBundle:
    root: Path
    manifest: dict[str, Any]

    @property
    def n_pairs(self) -> int:
        return int(self.manifest["meta"]["n_pairs"])

    @property
    def ids(self) -> list[str]:
        return [pair_id(i) for i in range(1, self.n_pairs + 1)]

    def digest(self, rel: str) -> str:
        return self.manifest["files"][rel]

    def read(self, rel: str) -> np.ndarray:
        from PIL import Image

        with Image.open(self.root / rel) as im:
            arr = np.asarray(im.convert("RGB"))
        if arr.shape != (112, 112, 3):
            raise BundleError(f"bundle {self.root}: {rel} is {arr.shape}, not 112x112x3")
        return arr


def load_face_bundle(bundle_dir: str | Path, *, verify: bool = True) -> FaceBundle:
    root = Path(bundle_dir)
    manifest = load_manifest(root, "face", verify=verify)
    n = manifest.get("meta", {}).get("n_pairs")
    if not isinstance(n, int) or n < 1:
        raise BundleError(f"bundle {root}: meta.n_pairs is missing or not a positive integer")
    for i in range(1, n + 1):
        for rel in (original_rel(pair_id(i)), compare_rel(pair_id(i))):
            if rel not in manifest["files"]:
                raise BundleError(f"bundle {root}: {rel} is not listed in the manifest")
    return FaceBundle(root, manifest)


def save_png(arr: np.ndarray, path: Path) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.ascontiguousarray(arr, dtype=np.uint8), "RGB").save(path, format="PNG")


def write_face_bundle(out_dir: str | Path, pairs: list[tuple[np.ndarray, np.ndarray, dict]], *,
                      name: str = "", meta: dict | None = None) -> FaceBundle:
    """Write (original, compare, label) triples as a bundle. Labels stay in the hidden manifest."""
    root = Path(out_dir)
    if not pairs:
        raise BundleError("no pairs to write: every face failed detection or no different-identity pair exists")
    files, labels = [], {}
    for i, (orig, comp, label) in enumerate(pairs, start=1):
        pid = pair_id(i)
        for rel, arr in ((original_rel(pid), orig), (compare_rel(pid), comp)):
            if arr.shape != (112, 112, 3) or arr.dtype != np.uint8:
                raise BundleError(f"pair {pid}: image is {arr.shape} {arr.dtype}, not 112x112x3 uint8")
            save_png(arr, root / rel)
            files.append(rel)
        labels[pid] = label
    write_manifest(root, "face", files, name=name or root.name, labels=labels,
                   meta={"n_pairs": len(pairs), "image_size": [112, 112], **(meta or {})})
    return load_face_bundle(root, verify=False)
