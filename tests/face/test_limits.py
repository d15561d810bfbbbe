"""The threat-model limits (L∞ / SSIM / PSNR), the two over-limit policies, and the liveness
model on its real weights."""
from __future__ import annotations

import math

import numpy as np
import pytest

from evaluators.face.limits import Limits, apply_limits, measure, project
from evaluators.face.settings import parse_settings


def flat(v: int) -> np.ndarray:
    return np.full((112, 112, 3), v, np.uint8)


def test_identical_images():
    m = measure(flat(100), flat(100))
    assert m.linf == 0 and m.ssim == 1.0 and math.isinf(m.psnr)
    assert m.as_details() == {"linf": 0, "ssim": 1.0, "psnr": None}


def test_flat_shift_against_hand_computed_values():
    m = measure(flat(110), flat(100))
    # constant images: variances and covariance vanish, SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)
    c1 = (0.01 * 255) ** 2
    assert m.linf == 10
    assert m.ssim == pytest.approx((2 * 100 * 110 + c1) / (100 ** 2 + 110 ** 2 + c1), rel=1e-9)
    assert m.psnr == pytest.approx(10 * math.log10(255 ** 2 / 100), rel=1e-9)  # MSE = 10^2


def test_one_changed_value():
    orig = flat(50)
    adv = orig.copy()
    adv[3, 4, 1] = 80
    m = measure(adv, orig)
    assert m.linf == 30
    assert m.psnr == pytest.approx(10 * math.log10(255 ** 2 / (30 ** 2 / (112 * 112 * 3))), rel=1e-9)
    assert 0.99 < m.ssim < 1.0


def test_projection_clips_each_value_into_the_floor_of_eps():
    orig = flat(100)
    adv = orig.copy()
    adv[0, 0] = (200, 0, 103)
    p = project(adv, orig, 4.7)
    assert p.dtype == np.uint8 and tuple(p[0, 0]) == (104, 96, 103)
    assert (p[1:] == orig[1:]).all()
    assert tuple(project(flat(255), flat(253), 9)[0, 0]) == (255, 255, 255)  # stays in 0..255


def test_unsuccessful_policy_keeps_the_image_and_says_why():
    orig = flat(100)
    adv = orig.copy()
    adv[10:20, 10:20] = 160
    chk = apply_limits(adv, orig, Limits(max_linf=8))
    assert not chk.ok and chk.image is adv and chk.scored is None
    assert "L∞ distance 60 is over the limit 8" in chk.reason
    assert apply_limits(adv, orig, Limits(max_linf=60)).ok
    assert not apply_limits(adv, orig, Limits(min_psnr=40)).ok
    assert "SSIM" in apply_limits(adv, orig, Limits(min_ssim=0.999)).reason
    free = apply_limits(adv, orig, Limits())  # no limits: nothing refused, SSIM not measured
    assert free.ok and free.measured.ssim is None and free.measured.linf == 60
    assert free.measured.as_details()["ssim"] is None


def test_project_policy_scores_the_clipped_image():
    orig = flat(100)
    adv = orig.copy()
    adv[10:20, 10:20] = 160
    chk = apply_limits(adv, orig, Limits(max_linf=8, over_limit="project"))
    assert chk.ok and chk.measured.linf == 60 and chk.scored.linf == 8
    assert (chk.image[10:20, 10:20] == 108).all() and (chk.image[:10] == 100).all()
    # a projection cannot satisfy an SSIM minimum that the clipped image still misses
    bad = apply_limits(adv, orig, Limits(max_linf=8, min_psnr=60, over_limit="project"))
    assert not bad.ok and bad.reason.startswith("after projection into the ε-ball: PSNR")


def test_settings_check_the_limits():
    cfg = parse_settings({"max_linf": 8, "min_ssim": 0.9, "min_psnr": 30, "over_limit": "project"},
                         need_model_set=False)
    assert cfg.limits() == Limits(8, 0.9, 30, "project")
    assert any("clipped into the ε-ball" in line for line in cfg.limits_text())
    for bad, key in [({"over_limit": "project"}, "needs max_linf"), ({"max_linf": 256}, "max_linf"),
                     ({"min_ssim": 2}, "min_ssim"), ({"over_limit": "drop"}, "over_limit"),
                     ({"liveness_in_total": "yes"}, "liveness_in_total")]:
        with pytest.raises(ValueError, match=key):
            parse_settings(bad, need_model_set=False)
    assert parse_settings({}, need_model_set=False).limits() == Limits()


def test_liveness_model_on_its_real_weights(aligned_faces):
    from evaluators.face.backends.litert_liveness import LiteRTLiveness
    from evaluators.face.models import LIVENESS_THRESHOLD, liveness_entry

    entry = liveness_entry()
    assert entry["threshold"] == LIVENESS_THRESHOLD == 0.2 and "syaringan357" in entry["threshold_source"]
    model = LiteRTLiveness(entry)
    faces = np.stack([f for fs in aligned_faces.values() for f in fs])
    s = model.scores(faces)
    assert s.shape == (len(faces),) and (s >= 0).all()
    assert np.array_equal(s, model.scores(faces))  # deterministic
    assert np.array_equal(model.live(s), s <= 0.2)
    assert len(np.unique(np.round(s, 4))) > 1  # the model looks at the face, not a constant
    assert model.scores(faces[:1])[0] == s[0]  # one face at a time: no batch effect
