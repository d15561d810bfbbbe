"""The two AISC 2022 deepfake-track methods as training recipes.

- ``areyoufake`` (MSDA + MAD): embedding network with a BNNeck, cross-entropy on the neck plus
  batch-hard triplet loss on the feature; the unlabelled images get semi-supervised k-means
  pseudo-labels (known centroids anchored on the labelled images, new clusters seeded by
  the images the MAD detector calls new), re-trained and re-labelled until the labels are stable; novelty by the MAD
  fusion of kNN distance, cluster distance and LOF.
- ``hello_world``: a classifier (cross-entropy only, no neck) on the known methods; unlabelled
  images it is unsure about are k-means clustered into new classes and it is re-trained on
  known plus pseudo classes (repeated while the labels change); novelty is the entropy of the
  softmax over the similarities to the gallery clusters.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .pseudo_labels import choose_extra, unknown_clusters
from .training import TrainConfig

BUDGETS = {"quick": {"epochs": 40, "max_rounds": 4}, "full": {"epochs": 150, "max_rounds": 6}}


@dataclass(frozen=True)
class Recipe:
    name: str
    team: str
    summary: str
    train: TrainConfig
    relabel: Callable[..., tuple[np.ndarray, dict]]
    novelty_params: dict = field(default_factory=dict)
    tuned_on_validation: dict = field(default_factory=dict)  # novelty parameter -> candidates


def _relabel_areyoufake(z_lab, y_lab, n_known, z_unl, logits_unl, seed, z_val=None, x_unl=None, x_lab=None):
    k, labels, info = choose_extra(z_lab, y_lab, n_known, z_unl, seed, z_cal=z_val, x_unl=x_unl, x_lab=x_lab)
    return labels, {"new_clusters": k, **info}


def _relabel_hello_world(z_lab, y_lab, n_known, z_unl, logits_unl, seed, z_val=None, x_unl=None, x_lab=None):
    s = logits_unl - logits_unl.max(axis=1, keepdims=True)
    probs = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    labels, info = unknown_clusters(probs, z_unl, n_known, seed)
    return labels, {"new_clusters": int(len(np.unique(labels[labels >= n_known]))), **info}


RECIPES = {
    "areyoufake": Recipe(
        "areyoufake", "AreYouFake", "MSDA + MAD: BNNeck embedding, semi-supervised k-means pseudo-labels "
        "until stable, cosine retrieval, novelty = fused kNN distance, cluster distance and LOF",
        TrainConfig(neck=True, triplet_weight=1.0), _relabel_areyoufake,
        {"knn_k": 5, "lof_k": 10, "fuse_offset": 3.0}),
    "hello_world": Recipe(
        "hello_world", "hello world", "classifier on known methods + k-means pseudo-labels for unknown ones, "
        "cosine retrieval, novelty = entropy of the softmax over gallery-cluster similarities",
        TrainConfig(neck=False, triplet_weight=0.0), _relabel_hello_world,
        {"temperature": 0.05}, {"temperature": (0.05, 0.1, 0.2, 0.5, 1.0)}),
}
