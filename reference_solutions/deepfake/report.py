"""The report picture: the embedding of the public images (2-d PCA; labelled images by method,
unlabelled ones by their final pseudo-label) and the validation ROC curve of novel_prob."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .app.forward import forward, normalise
from .fit import Fit


def _pca2(z: np.ndarray) -> np.ndarray:
    c = z - z.mean(axis=0)
    _u, _s, vt = np.linalg.svd(c, full_matrices=False)
    return c @ vt[:2].T


def _roc(is_new: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-prob, kind="stable")
    hits = is_new[order]
    tpr = np.concatenate([[0.0], np.cumsum(hits) / max(1, hits.sum())])
    fpr = np.concatenate([[0.0], np.cumsum(~hits) / max(1, (~hits).sum())])
    return fpr, tpr


def write_png(f: Fit, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    z_lab = normalise(forward(f.params, f.data.x_lab)[0])
    z_unl = normalise(forward(f.params, f.data.x_unl)[0])
    xy = _pca2(np.concatenate([z_lab, z_unl]))
    n = len(z_lab)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.2))
    ax = axes[0]
    cmap = plt.get_cmap("tab20")
    for c, name in enumerate(f.data.methods):
        m = f.data.y_lab == c
        ax.scatter(xy[:n][m, 0], xy[:n][m, 1], s=9, color=cmap(c % 20), label=name)
    if f.unl_labels is not None:
        for c in np.unique(f.unl_labels):
            m = f.unl_labels == c
            known = c < len(f.data.methods)
            ax.scatter(xy[n:][m, 0], xy[n:][m, 1], s=26, marker="x", color=cmap(int(c) % 20),
                       label=None if known else f"pseudo class {c}")
    else:
        ax.scatter(xy[n:, 0], xy[n:, 1], s=26, marker="x", color="grey", label="unlabelled")
    ax.set_title(f"{f.report['method']}: embedding of the public images (PCA; x = unlabelled)")
    ax.legend(fontsize=7, loc="best")
    ax = axes[1]
    if f.val_novelty is not None:
        is_new, prob = f.val_novelty
        fpr, tpr = _roc(np.asarray(is_new, bool), np.asarray(prob))
        val = f.report["validation"]
        ax.plot(fpr, tpr, color="#c44e52", lw=2, label=f"AUC {val['novelty_auc']:.3f}")
        ax.set_title("novelty ROC, validation split\n(pseudo-new: " + ", ".join(val["pseudo_new_methods"]) + ")")
    else:
        ax.set_title("no validation split (too few labelled images)")
    ax.plot([0, 1], [0, 1], color="#bbbbbb", lw=1, ls="--")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
