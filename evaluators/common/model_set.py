"""Model sets: which models a phase's scorer uses.

A model set is a JSON or YAML file::

    {"track": "face",
     "models": [{"name": "dlib", "backend": "dlib", "file": "dlib.dat", "sha256": "...",
                 "threshold": 0.6, ...backend-specific keys...}]}

``file`` is resolved relative to the model-set file (or absolute). Each track interprets
the backend-specific keys; this module only loads, resolves and verifies.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import BundleError
from .manifest import sha256_file


def load_model_set(path: str | Path, track: str, *, verify: bool = True) -> list[dict[str, Any]]:
    p = Path(path)
    if not p.is_file():
        raise BundleError(f"model set {p} does not exist")
    text = p.read_text()
    if p.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict) or data.get("track") != track:
        raise BundleError(f"model set {p} is not for track {track!r}")
    models = data.get("models")
    if not isinstance(models, list) or not models:
        raise BundleError(f"model set {p} lists no models")
    out = []
    names = set()
    for i, m in enumerate(models):
        for key in ("name", "backend"):
            if key not in m:
                raise BundleError(f"model set {p}: model #{i} has no {key!r}")
        if m["name"] in names:
            raise BundleError(f"model set {p}: model name {m['name']!r} appears twice")
        names.add(m["name"])
        m = dict(m)
        if m.get("file"):
            f = Path(m["file"])
            if not f.is_absolute():
                f = (p.parent / f).resolve()
            if not f.exists():
                raise BundleError(f"model set {p}: file {f} of model {m['name']!r} is missing")
            if verify and m.get("sha256") and f.is_file():
                actual = sha256_file(f)
                if actual != m["sha256"]:
                    raise BundleError(
                        f"model set {p}: {m['name']!r} file {f} has sha256 {actual}, expected {m['sha256']}"
                    )
            m["file"] = str(f)
        out.append(m)
    return out
