"""Retrieval and novelty from embeddings (numpy only; runs inside the submission image and on
the host for the validation figures).

Both methods rank the gallery by cosine similarity. Gallery clusters are the gallery images
grouped by the classifier's predicted class (known methods plus the pseudo-labelled ones).
Novelty, by ``params["method"]``:

- ``areyoufake`` (MAD): fuse the kNN distance, the distance to the nearest gallery cluster and
  the LOF score, each as a robust z-score against the gallery's own scores;
- ``hello_world``: normalised entropy of the softmax over the similarities to the gallery
  clusters.
"""
try:  # inside the image the app's modules are top-level; on the host they are a package
    from novelty import (cluster_distance, entropy_novelty, fuse, group_centroids, knn_distance,
                         knn_reference, lof, lof_reference)
except ImportError:  # pragma: no cover - host import path
    from .novelty import (cluster_distance, entropy_novelty, fuse, group_centroids, knn_distance,
                          knn_reference, lof, lof_reference)
import numpy as np

K = 5


def top5(sims):
    top = np.argsort(-sims, axis=1, kind="stable")[:, :K]
    return top, np.take_along_axis(sims, top, axis=1)


def _value(params, key, default):
    return params[key].item() if key in params else default


def novelty(params, pz, gz, g_logits):
    """pz, gz: unit embeddings of probes and gallery; g_logits: the gallery's class logits."""
    method = str(_value(params, "method", "areyoufake"))
    centroids, _ids = group_centroids(gz, np.argmax(g_logits, axis=1))
    if method == "hello_world":
        return entropy_novelty(pz @ centroids.T, _value(params, "temperature", 0.05))
    k = int(_value(params, "knn_k", K))
    lof_k = int(_value(params, "lof_k", 10))
    d_pg, d_gg = 1.0 - pz @ gz.T, 1.0 - gz @ gz.T
    pairs = [(knn_distance(d_pg, k), knn_reference(d_gg, k)),
             (cluster_distance(pz @ centroids.T), cluster_distance(gz @ centroids.T)),
             (lof(d_pg, d_gg, lof_k), lof_reference(d_gg, lof_k))]
    return fuse(pairs, offset=float(_value(params, "fuse_offset", 3.0)))
