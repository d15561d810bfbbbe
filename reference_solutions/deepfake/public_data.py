"""The public part of the deepfake demo, as features: the labelled training set
(``train_labelled/<method>/*.png``) and the unlabelled set (``train_unlabelled/*.png``).
Never the phase bundles (``phases/``: hidden probe/gallery data) or the public sample.

Features are the submission kit's noise-residual statistics (``submission_kit.deepfake.
baseline.features``), the same module the image ships and runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
from PIL import Image

from submission_kit.deepfake.baseline.features import features as kit_features

from .app.spectrum import all_features


def features(img: np.ndarray) -> np.ndarray:
    """The image's feature vector: exactly what the image's infer.py computes."""
    return all_features(img, kit_features)


@dataclass
class PublicData:
    methods: list[str]             # known methods (sorted), class id = index
    x_lab: np.ndarray              # (N, d) features of the labelled images
    y_lab: np.ndarray              # (N,) class ids
    x_unl: np.ndarray              # (M, d) features of the unlabelled images


def data_dir(demo_dir: Path) -> Path:
    """``build_demo``'s out_dir holds the data set under ``data/``; a data set directory works too."""
    demo_dir = Path(demo_dir)
    return demo_dir / "data" if (demo_dir / "data" / "train_labelled").is_dir() else demo_dir


def public_inputs(demo_dir: Path) -> list[Path]:
    d = data_dir(demo_dir)
    return [d / "train_labelled", d / "train_unlabelled"]


def _features(paths: list[Path], progress: Optional[Callable[[float], None]] = None) -> np.ndarray:
    rows = []
    for i, p in enumerate(paths):
        with Image.open(p) as im:
            rows.append(features(np.asarray(im.convert("RGB"))))
        if progress is not None and i % 50 == 0:
            progress(i / len(paths))
    return np.stack(rows)


def load_public(demo_dir: Path, progress: Optional[Callable[[float], None]] = None) -> PublicData:
    labelled, unlabelled = public_inputs(demo_dir)
    paths = sorted(labelled.glob("*/*.png"))
    if not paths:
        raise FileNotFoundError(f"no labelled training images under {labelled}/<method>/*.png: build the demo "
                                "first (authoring.deepfake.demo.build_demo(DIR)) and pass --demo DIR")
    unl = sorted(unlabelled.glob("*.png"))
    if not unl:
        raise FileNotFoundError(f"no unlabelled images under {unlabelled}/*.png (the demo's train_unlabelled)")
    methods = sorted({p.parent.name for p in paths})
    if len(methods) < 2:
        raise ValueError(f"{labelled} has {len(methods)} method folder(s); need at least 2 known methods")
    y = np.array([methods.index(p.parent.name) for p in paths])
    n = len(paths) + len(unl)
    x_lab = _features(paths, None if progress is None else lambda f: progress(f * len(paths) / n))
    x_unl = _features(unl, None if progress is None else lambda f: progress((len(paths) + f * len(unl)) / n))
    return PublicData(methods, x_lab, y, x_unl)


def validation_split(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (train indices, validation indices): ``fraction`` of every method, at least one
    image per method when it has five or more."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_val = int(round(fraction * len(idx))) if len(idx) >= 5 else 0
        n_val = max(n_val, 1) if len(idx) >= 5 else 0
        val.extend(idx[:n_val])
        train.extend(idx[n_val:])
    return np.sort(np.array(train, dtype=int)), np.sort(np.array(val, dtype=int))
