"""Bundle manifests: a directory plus ``manifest.json`` listing every file with its sha256.

Layout of manifest.json::

    {"schema_version": 1, "track": "face", "name": "...",
     "files": {"relative/path.png": "<sha256>", ...},
     "labels": {...},   # hidden part; never leaves the worker
     "meta": {...}}     # anything else the track needs (pairs, scenes, settings)
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from .errors import BundleError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def write_manifest(
    bundle_dir: str | Path,
    track: str,
    files: Iterable[str],
    *,
    name: str = "",
    labels: Any = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Hash ``files`` (paths relative to bundle_dir) and write manifest.json."""
    root = Path(bundle_dir)
    listing = {}
    for rel in sorted(set(files)):
        p = root / rel
        if not p.is_file():
            raise BundleError(f"cannot write manifest: {rel} is not a file in {root}")
        listing[rel] = sha256_file(p)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "track": track,
        "name": name or root.name,
        "files": listing,
        "labels": labels,
        "meta": meta or {},
    }
    (root / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def load_manifest(bundle_dir: str | Path, track: str, *, verify: bool = True) -> dict[str, Any]:
    """Load and check a bundle's manifest; with ``verify`` every file's sha256 is checked."""
    root = Path(bundle_dir)
    path = root / MANIFEST
    if not path.is_file():
        raise BundleError(f"{root} is not a bundle: {MANIFEST} is missing")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise BundleError(f"{path} is not valid JSON: {e}") from e
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise BundleError(
            f"{path}: schema_version {manifest.get('schema_version')!r} is not supported "
            f"(this scorer reads {SCHEMA_VERSION})"
        )
    if manifest.get("track") != track:
        raise BundleError(f"{path}: bundle is for track {manifest.get('track')!r}, not {track!r}")
    if verify:
        verify_files(root, manifest["files"])
    return manifest


def verify_files(root: Path, listing: dict[str, str]) -> None:
    for rel, digest in listing.items():
        p = root / rel
        if not p.is_file():
            raise BundleError(f"bundle {root}: file {rel} listed in the manifest is missing")
        actual = sha256_file(p)
        if actual != digest:
            raise BundleError(f"bundle {root}: {rel} has sha256 {actual}, manifest says {digest}")
