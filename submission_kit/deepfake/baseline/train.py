"""Fit the baseline's feature normalisation on the labelled training set.

Usage: python train.py TRAIN_LABELLED_DIR OUT/model.npz
(TRAIN_LABELLED_DIR holds <method>/<n>.png.)"""
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from features import features  # noqa: E402


def train(train_dir, out):
    paths = sorted(Path(train_dir).glob("*/*.png"))
    if not paths:
        raise SystemExit(f"no training images under {train_dir}/<method>/*.png")
    feats = np.stack([features(np.asarray(Image.open(p).convert("RGB"))) for p in paths])
    np.savez(out, mean=feats.mean(0), std=feats.std(0) + 1e-6, methods=sorted({p.parent.name for p in paths}))
    return len(paths)


if __name__ == "__main__":
    n = train(sys.argv[1], sys.argv[2])
    print(f"fitted on {n} images -> {sys.argv[2]}")
