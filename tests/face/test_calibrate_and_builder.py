"""Threshold at a stated FAR, and the LFW-layout bundle builder."""
from __future__ import annotations

import numpy as np
import pytest

from evaluators.common.errors import BundleError
from evaluators.face.builder import build_face_bundle, parse_pairs
from evaluators.face.calibrate import threshold_at_far


def test_threshold_accepts_at_most_far_of_impostors():
    imp = np.linspace(0.0, 0.99, 100)  # 100 impostor pairs
    gen = np.array([0.5, 0.95, 0.985, 0.999])
    cal = threshold_at_far(imp, gen, 0.02)  # may accept 2
    assert 0.97 < cal["threshold"] <= 0.97 + 1e-9  # just above the third-highest impostor
    assert cal["far"] == 0.02 and cal["tar"] == 0.5  # 0.99 and 0.98 accepted; 0.97 is not
    cal0 = threshold_at_far(imp, gen, 0.0)
    assert cal0["threshold"] > 0.99 and cal0["far"] == 0.0 and cal0["tar"] == 0.25
    with pytest.raises(ValueError):
        threshold_at_far(imp, gen, 1.0)


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
