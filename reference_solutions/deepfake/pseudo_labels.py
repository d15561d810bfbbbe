"""Pseudo-labels for the unlabelled training images (cosine k-means in the embedding space).

- ``spherical_kmeans``: k-means on unit vectors (k-means++ start from a seeded generator);
- ``semi_supervised_kmeans`` (AreYouFake): the known classes' centroids start at the labelled
  means and the labelled points stay in their class; ``k_extra`` new centroids start on the
  groups of the unlabelled images that the MAD novelty detector calls new (``choose_extra``;
  groups by bisecting k-means on the input features);
- ``unknown_clusters`` ("hello world"): the unlabelled images the classifier is unsure about
  get k-means labels of their own, the others their predicted class;
- ``pseudo_label_loop``: train, embed, re-label, repeat until the labels stop changing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from scipy.optimize import linear_sum_assignment


def _unit(z: np.ndarray) -> np.ndarray:
    return z / (np.linalg.norm(z, axis=1, keepdims=True) + 1e-12)


def _farthest_first(z: np.ndarray, centroids: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding of k more centroids among the rows of z, given existing centroids."""
    chosen = list(centroids)
    for _ in range(k):
        if chosen:
            d = np.clip(1.0 - (z @ np.asarray(chosen).T).max(axis=1), 0.0, None)
        else:
            d = np.ones(len(z))
        p = d ** 2
        i = int(rng.choice(len(z), p=p / p.sum())) if p.sum() > 0 else int(rng.integers(len(z)))
        chosen.append(z[i])
    return np.asarray(chosen[len(centroids):]).reshape(k, z.shape[1])


def spherical_kmeans(z: np.ndarray, k: int, seed: int, iters: int = 50) -> np.ndarray:
    z = _unit(z)
    rng = np.random.default_rng(seed)
    c = _farthest_first(z, np.zeros((0, z.shape[1])), k, rng)
    labels = np.full(len(z), -1)
    for _ in range(iters):
        new = np.argmax(z @ c.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        c = np.stack([_unit(z[labels == j].mean(0, keepdims=True))[0] if (labels == j).any() else c[j]
                      for j in range(k)])
    return labels


def semi_supervised_kmeans(z_lab: np.ndarray, y_lab: np.ndarray, n_known: int, z_unl: np.ndarray,
                           k_extra: int, seed: int, iters: int = 50,
                           extra_init: Optional[np.ndarray] = None) -> np.ndarray:
    """Labels (0..n_known+k_extra-1) of the unlabelled rows; labelled rows keep theirs. The new
    centroids start at ``extra_init`` or, without it, k-means++ style far from the known ones."""
    z_lab, z_unl = _unit(z_lab), _unit(z_unl)
    known = np.stack([_unit(z_lab[y_lab == j].mean(0, keepdims=True))[0] for j in range(n_known)])
    extra = (_unit(np.asarray(extra_init, dtype=np.float64)).reshape(k_extra, -1) if extra_init is not None
             else _farthest_first(z_unl, known, k_extra, np.random.default_rng(seed)))
    c = np.concatenate([known, extra])
    labels = np.full(len(z_unl), -1)
    for _ in range(iters):
        new = np.argmax(z_unl @ c.T, axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        for j in range(len(c)):
            members = [z_unl[labels == j]] + ([z_lab[y_lab == j]] if j < n_known else [])
            pts = np.concatenate(members)
            if len(pts):
                c[j] = _unit(pts.mean(0, keepdims=True))[0]
    return labels


def silhouette(z: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette with cosine distance (0 when there is a single cluster)."""
    from sklearn.metrics import silhouette_score

    if len(np.unique(labels)) < 2 or len(np.unique(labels)) >= len(labels):
        return 0.0
    return float(silhouette_score(_unit(z), labels, metric="cosine"))


def cluster_count(z: np.ndarray, seed: int, k_max: int = 6, min_silhouette: float = 0.25) -> tuple[int, dict]:
    """How many clusters the rows of z form: the k >= 2 with the best silhouette if it reaches
    ``min_silhouette``, else one."""
    best, best_s, scores = 1, min_silhouette, {}
    for k in range(2, min(k_max, len(z) // 2) + 1):
        s = silhouette(z, spherical_kmeans(z, k, seed))
        scores[str(k)] = round(s, 4)
        if s > best_s:
            best, best_s = k, s
    return best, scores


def bisect_clusters(z: np.ndarray, seed: int, k_max: int = 6, min_size: int = 4,
                    min_silhouette: float = 0.25) -> tuple[np.ndarray, list]:
    """Bisecting spherical k-means: a cluster is split in two while both halves have at least
    ``min_size`` rows and the split's silhouette reaches ``min_silhouette`` (at most k_max
    clusters). Returns (labels, [(size, silhouette of the split tried), ...])."""
    pending, final, tried = [np.arange(len(z))], [], []
    while pending and len(final) + len(pending) < k_max:
        idx = pending.pop(0)
        if len(idx) < 2 * min_size:
            final.append(idx)
            continue
        parts = spherical_kmeans(z[idx], 2, seed)
        s = silhouette(z[idx], parts)
        tried.append((int(len(idx)), round(s, 4)))
        if np.bincount(parts, minlength=2).min() < min_size or s < min_silhouette:
            final.append(idx)
        else:
            pending += [idx[parts == 0], idx[parts == 1]]
    labels = np.empty(len(z), dtype=int)
    for j, idx in enumerate(final + pending):
        labels[idx] = j
    return labels, tried


def split_threshold(x_lab: np.ndarray, y_lab: np.ndarray, seed: int, min_size: int = 4) -> float:
    """The largest silhouette of a two-way split of one known method's labelled images: a split
    of the new-method outliers that scores no better than this splits one method, not two."""
    scores = [silhouette(x_lab[y_lab == j], spherical_kmeans(x_lab[y_lab == j], 2, seed))
              for j in np.unique(y_lab) if (y_lab == j).sum() >= 2 * min_size]
    return max(scores) if scores else 0.25


def mad_outliers(z_lab: np.ndarray, y_lab: np.ndarray, z_unl: np.ndarray, z_cal: Optional[np.ndarray] = None,
                 threshold: float = 0.5) -> np.ndarray:
    """AreYouFake's MAD novelty of every unlabelled row against the labelled images (kNN
    distance, class-centroid distance and LOF fused as robust z-scores); True = new method.
    The z-scores are calibrated on ``z_cal`` (held-out labelled images, which the network did
    not train on, like the unlabelled ones) or else on the labelled images left out one by one."""
    from .app.novelty import (cluster_distance, fuse, group_centroids, knn_distance, knn_reference, lof,
                              lof_reference)

    z_lab, z_unl = _unit(z_lab), _unit(z_unl)
    centroids, _ = group_centroids(z_lab, y_lab)
    d_ll = 1.0 - z_lab @ z_lab.T

    def scores(z):
        d = 1.0 - z @ z_lab.T
        return [knn_distance(d, 5), cluster_distance(z @ centroids.T), lof(d, d_ll, 10)]

    if z_cal is not None and len(z_cal) >= 5:
        reference = scores(_unit(z_cal))
    else:
        reference = [knn_reference(d_ll, 5), cluster_distance(z_lab @ centroids.T), lof_reference(d_ll, 10)]
    return fuse(list(zip(scores(z_unl), reference))) > threshold


def choose_extra(z_lab, y_lab, n_known, z_unl, seed, k_max: int = 6, z_cal=None,
                 x_unl=None, x_lab=None) -> tuple[int, np.ndarray, dict]:
    """AreYouFake's pseudo-labels: the unlabelled images the MAD detector calls new (in the
    embedding) are split into groups by bisecting k-means on their standardised input features
    ``x_unl`` (free of the network's pull towards the known classes; the embedding itself
    without them) while a split beats every split of a single known method (``split_threshold``
    on ``x_lab``; 0.25 without it); each group's embedding mean seeds a new centroid of the
    semi-supervised k-means over all unlabelled images."""
    novel = mad_outliers(z_lab, y_lab, z_unl, z_cal)
    info: dict = {"mad_outliers": int(novel.sum())}
    if novel.sum() < 4:
        return 0, semi_supervised_kmeans(z_lab, y_lab, n_known, z_unl, 0, seed), info
    space = z_unl if x_unl is None else x_unl
    threshold = 0.25 if x_lab is None or x_unl is None else split_threshold(x_lab, y_lab, seed)
    info["split_threshold"] = round(threshold, 4)
    groups, info["splits"] = bisect_clusters(space[novel], seed, k_max, min_silhouette=threshold)
    k = int(groups.max()) + 1
    init = np.stack([z_unl[novel][groups == j].mean(axis=0) for j in range(k)])
    return k, semi_supervised_kmeans(z_lab, y_lab, n_known, z_unl, k, seed, extra_init=init), info


def unknown_clusters(probs_unl: np.ndarray, z_unl: np.ndarray, n_known: int, seed: int,
                     confidence: float = 0.5, k_max: int = 6) -> tuple[np.ndarray, dict]:
    """"hello world": unlabelled rows whose top class probability is below ``confidence`` are
    k-means clustered (k by silhouette) into new classes n_known..; the rest keep the argmax."""
    labels = np.argmax(probs_unl, axis=1)
    unsure = np.flatnonzero(probs_unl.max(axis=1) < confidence)
    info: dict = {"unsure": int(len(unsure))}
    if len(unsure) >= 4:
        k, info["silhouette"] = cluster_count(z_unl[unsure], seed, k_max)
        labels[unsure] = n_known + spherical_kmeans(z_unl[unsure], k, seed)
    return labels, info


def label_change(prev: np.ndarray, cur: np.ndarray) -> float:
    """Fraction of rows whose label differs after the best one-to-one matching of label ids."""
    a_ids, b_ids = np.unique(prev), np.unique(cur)
    overlap = np.array([[np.sum((prev == a) & (cur == b)) for b in b_ids] for a in a_ids])
    rows, cols = linear_sum_assignment(-overlap)
    return float(1.0 - overlap[rows, cols].sum() / len(prev))


@dataclass
class LoopResult:
    labels: Optional[np.ndarray]          # final pseudo-labels of the unlabelled rows
    rounds: list[dict] = field(default_factory=list)
    stable: bool = False


def pseudo_label_loop(train_round: Callable[[Optional[np.ndarray], int], object],
                      relabel: Callable[[object, int], tuple[np.ndarray, dict]],
                      max_rounds: int, tol: float = 0.0) -> tuple[object, LoopResult]:
    """``train_round(labels or None, round) -> model`` (None: labelled data only);
    ``relabel(model, round) -> (labels of the unlabelled rows, info)``. Stops when the labels a
    round's model gives differ from the labels it was trained on by at most ``tol`` (after
    matching label ids), or after ``max_rounds`` trainings. Returns the last model."""
    res = LoopResult(labels=None)
    used: Optional[np.ndarray] = None
    model = None
    for r in range(max_rounds):
        model = train_round(used, r)
        labels, info = relabel(model, r)
        change = 1.0 if used is None else label_change(used, labels)
        res.rounds.append({"round": r, "change": round(change, 4), **info})
        if used is not None and change <= tol:
            res.stable = True
            break
        if r < max_rounds - 1:
            used = labels
    res.labels = used
    return model, res
