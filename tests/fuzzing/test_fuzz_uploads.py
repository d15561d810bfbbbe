"""Mutation fuzzing of every track's upload check and scorer entry (issue: no untrusted byte
reaches a 500). Valid zips, PNGs, image tarballs and predictions files are flipped, truncated,
spliced, extended and cut by hypothesis with a fixed budget and a fixed case sequence; the only
outcomes allowed are a result or the track's rejection (SubmissionRejected) with a message.
Each test prints how many cases it ran."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

from mutate import Outcomes, fuzz_settings, image_tarball, mutated, png_bytes, run_case


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def _report(name: str, outcomes: Outcomes, budget: int) -> None:
    print(f"fuzz {name}: {outcomes}")
    assert outcomes.total == budget, f"{name}: ran {outcomes.total} of {budget} cases"
    assert outcomes.rejected > 0  # the mutations did reach the checks


# ------------------------------------------------------------------------ face
def _face_zip(face_demo) -> bytes:
    from evaluators.face.bundle import load_face_bundle, original_rel

    p = face_demo["phases"]["preliminary"]
    bundle = load_face_bundle(Path(p["bundle"]), verify=False)
    entries = []
    for pid in bundle.ids:
        arr = bundle.read(original_rel(pid)).copy()
        arr[10:20, 10:20] = 255 - arr[10:20, 10:20]  # a small patch, within the budget
        entries.append((f"{pid}.png", png_bytes(arr)))
    return _zip(entries)


FACE_CHECK = 300


def test_face_upload_check_survives_mutations(face_demo):
    from evaluators.face import validate_upload

    p = face_demo["phases"]["preliminary"]
    seed, outcomes = _face_zip(face_demo), Outcomes()

    @fuzz_settings(FACE_CHECK)
    @given(mutated(seed))
    def case(data):
        run_case(lambda path: validate_upload(path, Path(p["bundle"]), p["settings"]), data, outcomes, ".zip")

    case()
    _report("face validate_upload", outcomes, FACE_CHECK)


FACE_SCORE = 30


def test_face_scorer_survives_mutations(face_demo, tmp_path_factory):
    from evaluators.face import score

    p = face_demo["phases"]["preliminary"]
    settings = dict(p["settings"], cache_dir=str(tmp_path_factory.mktemp("fuzz_face_cache")))
    seed, outcomes = _face_zip(face_demo), Outcomes()

    @fuzz_settings(FACE_SCORE)
    @given(mutated(seed))
    def case(data):
        def run(path):
            result = score(path, Path(p["bundle"]), settings)
            assert 0.0 <= result.score <= 1.0 and len(result.details["samples"]) == 6

        run_case(run, data, outcomes, ".zip")

    case()
    _report("face score", outcomes, FACE_SCORE)


# ------------------------------------------------------------------------ driving
def _patch_png() -> bytes:
    from evaluators.driving.submission import PATCH_H, PATCH_W

    rgba = np.zeros((PATCH_H, PATCH_W, 4), np.uint8)
    rgba[..., :3] = 60
    rgba[200:900, 300:2000, 3] = 255
    return png_bytes(rgba)


@pytest.fixture(scope="module")
def patch_png() -> bytes:
    return _patch_png()


DRIVING_CHECK = 60


@pytest.mark.parametrize("form", ["png", "zip"])
def test_driving_upload_check_survives_mutations(patch_png, form):
    from evaluators.driving import validate_upload

    seed = patch_png
    if form == "zip":  # patch.png (RGB) + mask.png (grayscale) in a zip
        from PIL import Image

        im = Image.open(io.BytesIO(patch_png))
        rgb, mask = io.BytesIO(), io.BytesIO()
        im.convert("RGB").save(rgb, format="PNG")
        im.getchannel("A").save(mask, format="PNG")
        seed = _zip([("patch.png", rgb.getvalue()), ("mask.png", mask.getvalue())])
    outcomes = Outcomes()

    @fuzz_settings(DRIVING_CHECK)
    @given(mutated(seed))
    def case(data):
        run_case(lambda path: validate_upload(path, Path("."), {"model_set": None}), data, outcomes, f".{form}")

    case()
    _report(f"driving validate_upload ({form})", outcomes, DRIVING_CHECK)


DRIVING_SCORE = 8


def test_driving_scorer_survives_mutations(patch_png, driving_phase):
    from evaluators.driving import score

    bundle, settings = driving_phase
    outcomes = Outcomes()

    @fuzz_settings(DRIVING_SCORE)
    @given(mutated(patch_png, max_ops=2))
    def case(data):
        run_case(lambda path: score(path, bundle, settings), data, outcomes, ".png")

    case()
    print(f"fuzz driving score: {outcomes}")
    assert outcomes.total == DRIVING_SCORE


# ------------------------------------------------------------------------ deepfake
DEEPFAKE_CHECK = 300


@pytest.mark.parametrize("gz", [False, True], ids=["tar", "tar.gz"])
def test_deepfake_image_check_survives_mutations(gz):
    from sandbox.image_archive import check_image_archive

    seed, outcomes = image_tarball(gz=gz), Outcomes()

    @fuzz_settings(DEEPFAKE_CHECK)
    @given(mutated(seed))
    def case(data):
        run_case(lambda path: check_image_archive(path, max_bytes=1 << 20, arch="amd64"), data, outcomes, ".tar")

    case()
    _report(f"deepfake image check ({'tar.gz' if gz else 'tar'})", outcomes, DEEPFAKE_CHECK)


@pytest.mark.parametrize("config", [
    {"architecture": "amd64", "os": "linux", "config": [1]},
    {"architecture": "amd64", "os": "linux", "config": {"Entrypoint": "python3", "Cmd": 7}},
    {"architecture": ["amd64"], "os": {"linux": 1}, "config": None},
    [1, 2, 3],
])
def test_deepfake_image_config_of_the_wrong_shape_is_a_rejection(tmp_path, config):
    from evaluators.common.errors import SubmissionRejected
    from sandbox.image_archive import check_image_archive

    p = tmp_path / "image.tar"
    p.write_bytes(image_tarball(config=config))
    with pytest.raises(SubmissionRejected):
        check_image_archive(p, max_bytes=1 << 20, arch="amd64")


PREDICTIONS = 300


def test_deepfake_predictions_survive_mutations(deepfake_bundle):
    from evaluators.deepfake import score
    from evaluators.deepfake.bundle import load_bundle

    bundle = load_bundle(deepfake_bundle)
    gallery = sorted(bundle.gallery_labels)
    lines = [json.dumps({"probe": p, "top5": [{"gallery": g, "similarity": 0.9 - 0.1 * j} for j, g in enumerate(gallery[:5])],
                         "novel_prob": 0.5}) for p in sorted(bundle.probe_labels)]
    seed, outcomes = ("\n".join(lines) + "\n").encode(), Outcomes()

    @fuzz_settings(PREDICTIONS)
    @given(mutated(seed))
    def case(data):
        run_case(lambda path: score(path, deepfake_bundle, {"phase_kind": "final"}), data, outcomes, ".jsonl")

    case()
    _report("deepfake predictions", outcomes, PREDICTIONS)
