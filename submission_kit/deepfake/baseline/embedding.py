"""Baseline embedding: noise-residual statistics standardised with the labelled training
set's mean and standard deviation (model.npz, written by train.py at build time)."""
import os

import numpy as np

from features import features

_MODEL = np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.npz"))
_MEAN, _STD = _MODEL["mean"], _MODEL["std"]


def embed(img):
    return (features(img) - _MEAN) / _STD
