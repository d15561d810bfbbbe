"""Threshold at a stated FAR, and the LFW-layout bundle builder."""
from __future__ import annotations

import numpy as np
import pytest

from authoring.face.builder import build_face_bundle, parse_pairs
from authoring.face.calibrate import threshold_at_far
from evaluators.common.errors import BundleError


def test_threshold_accepts_at_most_far_of_impostors():
    imp = np.linspace(0.0, 0.99, 100)  # 100 impostor pairs
    gen = np.array([0.5, 0.95, 0.985, 0.999])
    cal = threshold_at_far(imp, gen, 0.02)  # may accept 2
    # the middle of the gap between the third-highest impostor (0.97, rejected) and the next
    # higher similarity (0.98), not one ULP above a data point
    assert cal["threshold"] == pytest.approx(0.975)
    assert cal["gap"] == pytest.approx({"below": 0.97, "above": 0.98, "width": 0.01})
    assert cal["far"] == 0.02 and cal["tar"] == 0.5  # 0.99 and 0.98 accepted; 0.97 is not
    cal0 = threshold_at_far(imp, gen, 0.0)  # gap between the top impostor and a genuine pair above it
    assert cal0["threshold"] == pytest.approx((0.99 + 0.999) / 2) and cal0["far"] == 0.0 and cal0["tar"] == 0.25
    top = threshold_at_far(imp, np.array([0.5]), 0.0)  # nothing above the top impostor: up to 1.0
    assert top["threshold"] == pytest.approx(0.995) and top["tar"] == 0.0
    with pytest.raises(ValueError):
        threshold_at_far(imp, gen, 1.0)


def test_threshold_survives_rounding_of_every_similarity():
    """Ties and float noise: moving every similarity by up to a quarter of the recorded gap
    changes no decision (the property that makes a score machine-independent)."""
    rng = np.random.default_rng(0)
    imp = np.round(rng.uniform(-0.2, 0.6, 400), 3)  # rounded: many ties
    gen = np.round(rng.uniform(0.4, 0.9, 60), 3)
    cal = threshold_at_far(imp, gen, 0.01)
    t, width = cal["threshold"], cal["gap"]["width"]
    assert width > 0 and cal["gap"]["below"] < t < cal["gap"]["above"]
    assert np.mean(imp >= t) <= 0.01
    for _ in range(20):
        jitter = rng.uniform(-width / 4, width / 4, imp.size + gen.size)
        moved = np.concatenate([imp, gen]) + jitter
        assert np.array_equal(moved >= t, np.concatenate([imp, gen]) >= t)


def test_parse_lfw_pairs(tmp_path):
    p = tmp_path / "pairs.txt"
    p.write_text("10\t300\nAbel_Pacheco\t1\t4\nAbdel_Madi_Shabneh\t1\tDean_Barker\t1\n")
    a, b = parse_pairs(p)
    assert not a.mismatched and (a.name1, a.num1, a.num2) == ("Abel_Pacheco", 1, 4)
    assert b.mismatched and (b.name2, b.num2) == ("Dean_Barker", 1)
    p.write_text("Only_Two\t1\n")
    with pytest.raises(BundleError, match="expected 'Name n1 n2'"):
        parse_pairs(p)


def test_builder_uses_only_mismatched_pairs_and_reports_skips(face_demo, tmp_path):
    lfw = face_demo["root"] / "lfw"
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("1\t4\nBarack_Obama\t1\t2\nBarack_Obama\t2\tJoe_Biden\t1\n"
                     "Grace_Hopper\t1\tNobody_Here\t1\nEileen_Collins\t1\tBarack_Obama\t3\n")
    b = build_face_bundle(lfw, pairs, tmp_path / "bundle")
    assert b.n_pairs == 2
    assert [v["target_identity"] for v in b.manifest["labels"].values()] == ["Joe_Biden", "Barack_Obama"]
    assert b.manifest["meta"]["n_skipped"] == 1 and "Nobody_Here_0001.jpg" in b.manifest["meta"]["skipped"][0]
    img = b.read("images/0001.png")
    assert img.shape == (112, 112, 3) and img.std() > 20  # a real aligned face, not a blank crop


def test_builder_aligns_like_insightface(face_demo):
    """The builder's crop is insightface's norm_crop of MTCNN's landmarks (the face lies inside the
    photo, so the reflected border never shows) and puts the landmarks on the ArcFace template."""
    import warnings

    from insightface.utils import face_align
    from PIL import Image

    from authoring.face.align import detect_faces, load_rgb
    from authoring.face.builder import Aligner

    photo = face_demo["root"] / "lfw" / "Barack_Obama" / "Barack_Obama_0001.jpg"
    img = load_rgb(photo)
    lm = detect_faces(img)[0].landmarks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # scikit-image's estimate(), called by insightface
        want = face_align.norm_crop(img, lm, 112)
        m = face_align.estimate_norm(lm, 112)
    got = Aligner()(photo)
    assert got.shape == (112, 112, 3) and got.dtype == np.uint8
    assert np.array_equal(got, want)
    off = np.abs(lm @ m[:, :2].T + m[:, 2] - face_align.arcface_dst)  # 5 x 2 pixels of the crop
    assert off[:2].max() < 3 and off.max() < 8  # eyes close; a smile moves the mouth corners
    calib = np.asarray(Image.open(face_demo["root"] / "calib" / "Barack_Obama" / "0001_00.png").convert("RGB"))
    assert np.array_equal(calib, got)  # the demo's calibration face is this very crop
