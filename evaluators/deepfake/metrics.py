"""The deepfake track's metrics, exactly as AISC defines them (DESIGN.md section 4).

- precision@5 = (1/5N) sum_i sum_{j=1..5} I(yhat_ij = y_i)
- novelty AUC: area under the ROC curve of ``novel_prob`` against "the probe's method is
  new"; tied scores count one half (the Mann-Whitney statistic with average ranks, which is
  what sklearn's ``roc_auc_score`` computes).
- S_final = 0.6 * precision@5 + 0.3 * AUC + 0.1 * S_sbj
"""
from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

W_PRECISION, W_AUC, W_SUBJECTIVE = 0.6, 0.3, 0.1


def precision_at_5(true_labels: np.ndarray, retrieved_labels: np.ndarray) -> float:
    """``true_labels`` (N,) and ``retrieved_labels`` (N, 5), any comparable dtype."""
    retrieved = np.asarray(retrieved_labels)
    truth = np.asarray(true_labels)
    if retrieved.ndim != 2 or retrieved.shape[1] != 5 or retrieved.shape[0] != truth.shape[0]:
        raise ValueError(f"retrieved labels must be (N, 5) for N={truth.shape[0]}, got {retrieved.shape}")
    if truth.shape[0] == 0:
        raise ValueError("precision@5 of zero probes is undefined")
    return float((retrieved == truth[:, None]).mean())


def roc_auc(is_positive: np.ndarray, scores: np.ndarray) -> float:
    """AUC with ties counted as one half; needs at least one positive and one negative."""
    y = np.asarray(is_positive, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs at least one positive and one negative probe")
    ranks = rankdata(s)  # average ranks for ties
    u = ranks[y].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def s_final(precision: float, auc: float, subjective: float) -> float:
    return W_PRECISION * precision + W_AUC * auc + W_SUBJECTIVE * subjective
