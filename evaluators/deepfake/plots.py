"""Pictures for a scored run: per-method precision@5 bars and, with novelty, the ROC curve."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def plot_result(workdir: Path, per_method: dict[str, float], is_new: np.ndarray, novel_prob, auc) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workdir.mkdir(parents=True, exist_ok=True)
    out = {}
    fig, ax = plt.subplots(figsize=(7, 3.2))
    names = list(per_method)
    ax.bar(range(len(names)), [per_method[n] for n in names], color="#4878a8")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("precision@5")
    ax.set_title("precision@5 per method")
    fig.tight_layout()
    path = workdir / "precision_per_method.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    out["precision_per_method"] = str(path)
    if auc is not None and novel_prob is not None:
        order = np.argsort(-np.asarray(novel_prob), kind="stable")
        y = np.asarray(is_new)[order]
        tpr = np.concatenate([[0], np.cumsum(y) / max(1, y.sum())])
        fpr = np.concatenate([[0], np.cumsum(~y) / max(1, (~y).sum())])
        fig, ax = plt.subplots(figsize=(3.6, 3.6))
        ax.plot(fpr, tpr, color="#c44e52")
        ax.plot([0, 1], [0, 1], ls=":", color="grey")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.set_title(f"novelty ROC, AUC {auc:.3f}")
        fig.tight_layout()
        path = workdir / "novelty_roc.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        out["novelty_roc"] = str(path)
    return out
