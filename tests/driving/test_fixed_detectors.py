"""The detectors that ship with the repository (the CI demo's, and the full demo's once frozen):
present, the files their record names by sha256, loadable offline by the Ultralytics backend,
and free of the machine paths of the training run."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from evaluators.common.manifest import sha256_file
from evaluators.driving.demo import DEMO_RECORD, fixed_detectors

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
