"""Face-track fixtures: the quick offline demo (real photos, real MTCNN, real models), built once
per test session in a temporary folder."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def face_demo(tmp_path_factory):
    from authoring.face.demo import build_demo

    out = tmp_path_factory.mktemp("face_demo")
    demo = build_demo(out, quick=True)
    demo["root"] = out / "quick"
    return demo


@pytest.fixture(scope="session")
def phase(face_demo, tmp_path_factory):
    """(bundle dir, settings with a private embedding cache) of the quick demo's preliminary phase."""
    p = face_demo["phases"]["preliminary"]
    settings = dict(p["settings"], cache_dir=str(tmp_path_factory.mktemp("face_cache")))
    return Path(p["bundle"]), settings


@pytest.fixture(scope="session")
def aligned_faces(face_demo):
    """{identity: [aligned 112x112 faces]} of the unjittered packaged photos."""
    out: dict[str, list[np.ndarray]] = {}
    for f in sorted((face_demo["root"] / "calib").glob("*/*_00.png")):
        out.setdefault(f.parent.name, []).append(np.asarray(Image.open(f).convert("RGB")))
    return out


@pytest.fixture(scope="session")
def with_liveness(phase, tmp_path_factory):
    """The phase's settings pointing at its model set plus FaceAntiSpoofing (role: liveness)."""
    from evaluators.face.models import liveness_entry

    _, settings = phase
    ms = json.loads(Path(settings["model_set"]).read_text())
    ms["models"].append(liveness_entry())
    p = tmp_path_factory.mktemp("ms") / "model_set.json"
    p.write_text(json.dumps(ms))
    return dict(settings, model_set=str(p))
