"""The attack's mask and the budget rule (5 components, 1254 pixels, 8-connectivity)."""
from __future__ import annotations

import numpy as np
import pytest

from reference_solutions.face.budget import MAX_PIXELS, check_budget, count_components
from reference_solutions.face.deep_dream import force_exact_support
from reference_solutions.face.region_mask import facial_prior, select_mask


def test_connectivity_rule():
    diag = np.zeros((5, 5), bool)
    diag[0, 0] = diag[1, 1] = True
    assert count_components(diag, 8) == 1
    assert count_components(diag, 4) == 2


@pytest.mark.parametrize("connectivity", [8, 4])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selected_mask_fits_budget(connectivity, seed):
    saliency = np.random.default_rng(seed).random((112, 112)) ** 4
    mask = select_mask(saliency, connectivity=connectivity)
    assert count_components(mask, connectivity) <= 5
    assert 0.8 * MAX_PIXELS <= mask.sum() <= MAX_PIXELS  # uses most of the budget
    assert not (mask & (facial_prior() == 0)).any()  # stays on the face


def test_mask_follows_saliency():
    saliency = np.zeros((112, 112))
    saliency[45:58, 30:80] = 1.0  # an "eye band"
    mask = select_mask(saliency)
    assert mask[45:58, 30:80].mean() > 0.9


def test_exact_support_and_scorer_rule_agree():
    rng = np.random.default_rng(0)
    orig = rng.integers(0, 256, (112, 112, 3), dtype=np.uint8)
    mask = select_mask(rng.random((112, 112)) ** 4)
    adv = orig.copy()  # an attack that left some masked pixels unchanged
    adv[mask] = np.where(rng.random((mask.sum(), 1)) < 0.5, orig[mask], 255 - orig[mask])
    fixed = force_exact_support(orig, adv, mask)
    diff = np.any(fixed != orig, axis=-1)
    assert np.array_equal(diff, mask)
    check = check_budget(orig, fixed)
    assert check.ok and check.pixels == mask.sum()
    scorer = pytest.importorskip("evaluators.face.perturbation")  # the scorer's own rule, when present
    theirs = scorer.check_budget(scorer.perturbation_mask(fixed, orig))
    assert theirs.ok and (theirs.components, theirs.pixels) == (check.components, check.pixels)
