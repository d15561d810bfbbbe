"""The offline data generator: AISC's structure, distinct deterministic methods, neutral names."""
import json

import numpy as np
import pytest

from authoring.deepfake import forgeries
from authoring.deepfake.datagen import QUICK, build_dataset
from authoring.deepfake.faces import face_sources, random_face
from evaluators.deepfake.bundle import load_bundle


def test_method_counts_and_determinism():
    assert len(forgeries.KNOWN) >= 8 and len(forgeries.HIDDEN) >= 3 and len(forgeries.NEW) >= 3
    assert len(forgeries.ALL) == len(forgeries.KNOWN) + len(forgeries.HIDDEN) + len(forgeries.NEW)
    assert len(face_sources()) >= 3
    base = random_face(np.random.default_rng(1), 64)
    outputs = {}
    for name, method in forgeries.ALL.items():
        a = method(base, np.random.default_rng(7))
        b = method(base, np.random.default_rng(7))
        assert a.dtype == np.uint8 and a.shape == base.shape
        np.testing.assert_array_equal(a, b)  # deterministic given its seed
        assert np.abs(a.astype(int) - base).mean() > 0.3, f"{name} leaves the image almost unchanged"
        outputs[name] = a
    names = list(outputs)
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            assert not np.array_equal(outputs[x], outputs[y]), f"{x} and {y} forge identically"


def test_dataset_structure(dataset):
    labelled = sorted(p.name for p in (dataset / "train_labelled").iterdir())
    assert labelled == sorted(forgeries.KNOWN)
    assert all(len(list((dataset / "train_labelled" / m).glob("*.png"))) == QUICK["train"] for m in labelled)
    unlabelled = list((dataset / "train_unlabelled").glob("*.png"))
    assert len(unlabelled) == QUICK["unlabelled"] * (len(forgeries.KNOWN) + len(forgeries.HIDDEN))
    phases = {k: load_bundle(dataset / "phases" / k) for k in ("preliminary", "evaluation", "final")}
    assert set(phases["preliminary"].gallery_labels.values()) == set(forgeries.KNOWN)
    assert set(phases["evaluation"].probe_labels.values()) == set(forgeries.KNOWN) | set(forgeries.HIDDEN)
    final = phases["final"]
    assert final.new_methods == set(forgeries.NEW)
    assert set(final.probe_labels.values()) == set(forgeries.ALL)
    assert not final.new_methods & set(final.gallery_labels.values())
    sample = load_bundle(dataset / "public_sample")
    assert set(sample.probe_labels.values()) == set(forgeries.KNOWN)
    for b in (*phases.values(), sample):
        for ident in (*b.probe_labels, *b.gallery_labels):
            assert ident[0] in "pg" and ident[1:].isdigit()  # neutral ids only


def test_rebuild_is_a_no_op_and_seed_changes_data(dataset, tmp_path):
    manifest = (dataset / "phases" / "final" / "manifest.json").read_text()
    mtime = (dataset / "phases" / "final" / "manifest.json").stat().st_mtime_ns
    build_dataset(dataset, quick=True)
    assert (dataset / "phases" / "final" / "manifest.json").stat().st_mtime_ns == mtime
    other = build_dataset(tmp_path / "other", quick=True, seed=7)
    assert (other / "phases" / "final" / "manifest.json").read_text() != manifest
    assert json.loads((other / "dataset.json").read_text())["seed"] == 7


@pytest.mark.parametrize("method", ["resample_nearest", "tconv_checker2", "jpeg_custom_table"])
def test_fingerprints_survive_different_faces(method):
    """The same method on different faces leaves residuals more alike than another method's."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "submission_kit" / "deepfake" / "baseline"))
    from features import features

    rng = np.random.default_rng(3)
    faces = [random_face(rng, 64) for _ in range(12)]
    same = np.stack([features(forgeries.ALL[method](f, rng)) for f in faces])
    other = np.stack([features(forgeries.ALL["colour_transfer"](f, rng)) for f in faces])
    scale = np.concatenate([same, other]).std(0) + 1e-6
    within = np.linalg.norm((same[:6] - same[6:]) / scale, axis=1).mean()
    between = np.linalg.norm((same[:6] - other[6:]) / scale, axis=1).mean()
    assert within < between
