"""Novelty scores of probes against the gallery (numpy only; runs inside the submission image).

Everything works on distance matrices (cosine distance 1 - similarity of unit embeddings):

- ``knn_distance``: mean distance to the k nearest references;
- ``lof``: local outlier factor of queries with respect to a reference set (the novelty form
  of Breunig et al. 2000, as sklearn's ``LocalOutlierFactor(novelty=True)``), and
  ``lof_reference`` the same score of every reference point among the others;
- ``cluster_distance``: distance to the nearest cluster centroid;
- ``fuse``: AreYouFake's MAD fusion: each score becomes a robust z-score against the same score
  of the gallery images (median and median absolute deviation), the z-scores are averaged and
  squashed to a probability;
- ``entropy_novelty``: "hello world": the normalised entropy of the softmax over the cluster
  similarities (a probe of a new method matches no cluster clearly).
"""
import numpy as np


def knn_distance(d, k):
    """d: (Q, R) distances -> (Q,) mean of the k smallest per row."""
    k = max(1, min(int(k), d.shape[1]))
    return np.sort(d, axis=1)[:, :k].mean(axis=1)


def _without_self(d_rr):
    d = np.array(d_rr, dtype=np.float64)
    np.fill_diagonal(d, np.inf)
    return d


def _lrd(d_to_ref, neighbours, k_distance):
    reach = np.maximum(np.take_along_axis(d_to_ref, neighbours, axis=1), k_distance[neighbours])
    return 1.0 / (reach.mean(axis=1) + 1e-10)


def _reference_stats(d_rr, k):
    d = _without_self(d_rr)
    k = max(1, min(int(k), d.shape[0] - 1))
    nn = np.argsort(d, axis=1, kind="stable")[:, :k]
    k_distance = np.take_along_axis(d, nn[:, -1:], axis=1)[:, 0]
    return d, k, nn, k_distance, _lrd(d, nn, k_distance)


def lof(d_qr, d_rr, k):
    """LOF of each query (rows of d_qr, distances to the references) given the references'
    pairwise distances d_rr. About 1 inside a cluster, larger outside."""
    _d, k, _nn, k_distance, lrd_ref = _reference_stats(d_rr, k)
    nn_q = np.argsort(d_qr, axis=1, kind="stable")[:, :k]
    lrd_q = _lrd(np.asarray(d_qr, dtype=np.float64), nn_q, k_distance)
    return lrd_ref[nn_q].mean(axis=1) / lrd_q


def lof_reference(d_rr, k):
    """LOF of every reference point among the others (the classic, leave-self-out LOF)."""
    _d, _k, nn, _kd, lrd_ref = _reference_stats(d_rr, k)
    return lrd_ref[nn].mean(axis=1) / lrd_ref


def knn_reference(d_rr, k):
    """knn_distance of every reference point among the others (at most n - 1 neighbours)."""
    return knn_distance(_without_self(d_rr), min(int(k), len(d_rr) - 1))


def cluster_distance(sim_to_centroids):
    return 1.0 - np.max(sim_to_centroids, axis=1)


def group_centroids(z, groups):
    """Unit mean of the unit rows of z per group id (sorted ids) -> (G, dim), ids."""
    ids = np.unique(groups)
    c = np.stack([z[groups == g].mean(axis=0) for g in ids])
    return c / (np.linalg.norm(c, axis=1, keepdims=True) + 1e-12), ids


def robust_z(scores, reference):
    med = np.median(reference)
    mad = 1.4826 * np.median(np.abs(reference - med))
    return (np.asarray(scores, dtype=np.float64) - med) / (mad + 1e-9)


def fuse(pairs, offset=3.0):
    """pairs: [(query scores, the same score of the references), ...] -> probability in (0, 1):
    sigmoid(mean robust z - offset)."""
    z = np.mean([robust_z(q, r) for q, r in pairs], axis=0)
    return 1.0 / (1.0 + np.exp(-(np.clip(z, -50.0, 50.0) - offset)))


def entropy_novelty(sim_to_centroids, temperature):
    """Normalised entropy (0..1) of softmax(similarity / temperature) over the clusters."""
    s = np.asarray(sim_to_centroids, dtype=np.float64) / float(temperature)
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    if p.shape[1] < 2:
        return np.zeros(p.shape[0])
    h = -(p * np.log(np.clip(p, 1e-300, None))).sum(axis=1)
    return np.clip(h / np.log(p.shape[1]), 0.0, 1.0)
