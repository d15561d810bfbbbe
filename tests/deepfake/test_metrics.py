"""precision@5 and AUC against independent computations (sklearn, plain loops), ties included."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from evaluators.deepfake.metrics import precision_at_5, roc_auc, s_final


def loop_precision_at_5(truth, retrieved):
    hits = sum(1 for y, row in zip(truth, retrieved) for r in row if r == y)
    return hits / (5 * len(truth))


@pytest.mark.parametrize("seed", range(20))
def test_precision_at_5_matches_a_plain_loop(seed):
    rng = np.random.default_rng(seed)
    n, n_methods = rng.integers(1, 200), rng.integers(2, 12)
    truth = rng.integers(n_methods, size=n)
    retrieved = rng.integers(n_methods, size=(n, 5))
    assert precision_at_5(truth, retrieved) == pytest.approx(loop_precision_at_5(truth, retrieved), abs=1e-12)


def test_precision_at_5_edges_and_strings():
    assert precision_at_5(np.array(["a", "b"]), np.array([["a"] * 5, ["b", "a", "a", "a", "a"]])) == 0.6
    with pytest.raises(ValueError):
        precision_at_5(np.array([1]), np.array([[1, 1, 1, 1]]))
    with pytest.raises(ValueError):
        precision_at_5(np.array([]), np.zeros((0, 5)))


@pytest.mark.parametrize("seed", range(30))
def test_auc_matches_sklearn_with_ties(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 300))
    y = rng.random(n) < rng.uniform(0.1, 0.9)
    y[0], y[1] = True, False
    # few distinct values => many ties, sometimes all tied
    levels = int(rng.integers(1, 8)) if seed % 3 else n
    scores = rng.integers(levels, size=n) / max(1, levels - 1)
    scores = np.where(y, scores + rng.uniform(0, 0.3) * (seed % 2), scores)
    assert roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores), abs=1e-12)


def test_auc_known_values_and_undefined_case():
    assert roc_auc([1, 0], [0.9, 0.1]) == 1.0
    assert roc_auc([1, 0], [0.1, 0.9]) == 0.0
    assert roc_auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]) == 0.5
    with pytest.raises(ValueError, match="positive and one negative"):
        roc_auc([1, 1], [0.2, 0.3])


def test_s_final_weights():
    assert s_final(1.0, 0.0, 0.0) == pytest.approx(0.6)
    assert s_final(0.0, 1.0, 0.0) == pytest.approx(0.3)
    assert s_final(0.0, 0.0, 1.0) == pytest.approx(0.1)
    assert s_final(0.5, 0.8, 0.3) == pytest.approx(0.6 * 0.5 + 0.3 * 0.8 + 0.1 * 0.3)
