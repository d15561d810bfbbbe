"""The detectors that ship with the repository (the CI demo's, and the full demo's once frozen):
present, the files their record names by sha256, loadable offline by the Ultralytics backend,
and free of the machine paths of the training run."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from authoring.driving.demo import DEMO_RECORD, fixed_detectors
from evaluators.common.manifest import sha256_file

REPO = Path(__file__).resolve().parents[2]
RECORDS = [REPO / "reference_solutions" / "driving" / "ci_models" / "ci_models.json", DEMO_RECORD]


@pytest.mark.parametrize("record", RECORDS, ids=["ci", "full"])
def test_shipped_detectors_match_their_record(record):
    models = fixed_detectors(record)
    assert models is not None, f"{record} is missing"
    assert set(models) == {"yolov3-tiny", "yolov8n"}
    for arch, m in models.items():
        path = Path(m["file"])
        assert path.is_file() and sha256_file(path) == m["sha256"], arch
        with zipfile.ZipFile(path) as z:
            leaked = [n for n in z.namelist() for marker in (b"/work/", b"/root/", b"/home/", b"/tmp/")
                      if marker in z.read(n)]
        assert not leaked, f"{path.name} names a machine path in {leaked}"


@pytest.mark.parametrize("record", RECORDS, ids=["ci", "full"])
def test_shipped_detectors_load_and_name_the_demo_classes(record):
    from evaluators.driving.detectors import make_detector

    for arch, m in fixed_detectors(record).items():
        det = make_detector({"name": arch, "backend": "ultralytics", "file": m["file"], "imgsz": 320})
        assert det.names[:4] == ["person", "car", "truck", "bus"]


def test_detectors_side_by_side_give_the_same_numbers(tmp_path):
    """The scorer runs its detectors in threads (settings ``workers``); one thread gives the same
    counts, margins and score, with the CI demo's real detectors."""
    import json

    import numpy as np

    from authoring.driving.baselines import write_rgba
    from authoring.driving.scenegen.build import build_scene_bundle
    from evaluators.driving import score
    from evaluators.driving.submission import PATCH_H, PATCH_W

    bundle = build_scene_bundle(tmp_path / "hidden", [("truck_01", "truck", 1000, 6), ("mannequin_01", "mannequin", 1050, 6)],
                                public=False, name="threads")
    models = fixed_detectors(RECORDS[0])
    ms = tmp_path / "ms.json"
    ms.write_text(json.dumps({"track": "driving", "models": [
        {"name": arch, "backend": "ultralytics", "file": m["file"], "imgsz": 320, "batch": 4} for arch, m in models.items()]}))
    mask = np.zeros((PATCH_H, PATCH_W), bool)
    mask[200:900, 300:2000] = True
    patch = write_rgba(tmp_path / "p.png", np.full((PATCH_H, PATCH_W, 3), 70, np.uint8), mask)
    settings = {"model_set": str(ms), "pictures": False, "near_threshold_epsilon": 0.05}
    one = score(patch, bundle, dict(settings, workers=1))
    two = score(patch, bundle, settings)
    assert one.score == two.score
    for key in ("counts", "near_threshold_frames", "smallest_margin"):
        assert one.details[key] == two.details[key], key
