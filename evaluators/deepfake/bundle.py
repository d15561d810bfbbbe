"""A deepfake phase bundle: probe and gallery images plus their method labels.

Layout::

    manifest.json   track "deepfake"; files probe/<id>.png and gallery/<id>.png;
                    labels {"probe": {id: method}, "gallery": {id: method},
                            "new_methods": [methods with no gallery image]};
                    meta {"phase_kind": ..., "image_size": ...}
    probe/<id>.png
    gallery/<id>.png

Ids are the file stems and carry no method information. Labels never leave the worker.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..common.errors import BundleError
from ..common.manifest import load_manifest

TRACK = "deepfake"


@dataclass
class DeepfakeBundle:
    root: Path
    probe_labels: dict[str, str]
    gallery_labels: dict[str, str]
    new_methods: frozenset[str] = frozenset()
    meta: dict[str, Any] = field(default_factory=dict)

    def probe_path(self, pid: str) -> Path:
        return self.root / "probe" / f"{pid}.png"

    def gallery_path(self, gid: str) -> Path:
        return self.root / "gallery" / f"{gid}.png"


def load_bundle(bundle_dir: str | Path, *, verify: bool = True) -> DeepfakeBundle:
    root = Path(bundle_dir)
    manifest = load_manifest(root, TRACK, verify=verify)
    labels = manifest.get("labels") or {}
    probe, gallery = labels.get("probe"), labels.get("gallery")
    if not isinstance(probe, dict) or not probe or not isinstance(gallery, dict) or len(gallery) < 5:
        raise BundleError(f"deepfake bundle {root}: labels need a non-empty 'probe' map and >= 5 gallery images")
    files = set(manifest["files"])
    for part, ids in (("probe", probe), ("gallery", gallery)):
        listed = {f[len(part) + 1 : -4] for f in files if f.startswith(part + "/") and f.endswith(".png")}
        if listed != set(ids):
            raise BundleError(f"deepfake bundle {root}: {part} files and {part} labels differ")
    new = frozenset(labels.get("new_methods") or ())
    if new & set(gallery.values()):
        raise BundleError(f"deepfake bundle {root}: new methods {sorted(new)} must not appear in the gallery")
    return DeepfakeBundle(root, dict(probe), dict(gallery), new, dict(manifest.get("meta") or {}))
