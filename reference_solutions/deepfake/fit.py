"""Fit one recipe on the demo's public data: features, validation split, the pseudo-label loop,
export of the numpy model, and validation figures (retrieval and novelty on held-out images)."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import torch

from .app.forward import forward, normalise
from .app.retrieval import novelty, top5
from .nets import export
from .public_data import PublicData, load_public, validation_split
from .pseudo_labels import pseudo_label_loop
from .recipes import BUDGETS, RECIPES
from .training import embed, standardiser, train_net

VALIDATION_FRACTION = 0.2
HELD_OUT_METHODS = 2   # validation novelty: known methods left out of the validation gallery


@dataclass
class Fit:
    params: dict[str, np.ndarray]
    report: dict
    data: PublicData
    val_idx: np.ndarray
    unl_labels: Optional[np.ndarray]
    val_novelty: Optional[tuple[np.ndarray, np.ndarray]]  # (is_new, novel_prob) on the validation split


def fit(method: str, demo_dir: Path, *, seed: int = 0, budget: str = "quick", threads: int = 1,
        progress: Optional[Callable[[str, float], None]] = None) -> Fit:
    if method not in RECIPES:
        raise KeyError(f"unknown deepfake method {method!r}; choose one of {', '.join(RECIPES)}")
    if budget not in BUDGETS:
        raise ValueError(f"budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    say = progress or (lambda stage, pct: None)
    threads_before, deterministic_before = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)  # 1 is best for these tiny networks (see methods.py)
    torch.use_deterministic_algorithms(True)
    try:
        return _fit(method, Path(demo_dir), seed, budget, threads, say)
    finally:  # torch settings are process-wide: leave them as they were (regress runs other tracks)
        torch.set_num_threads(threads_before)
        torch.use_deterministic_algorithms(deterministic_before)


def _fit(method: str, demo_dir: Path, seed: int, budget: str, threads: int, say) -> Fit:
    recipe, plan = RECIPES[method], BUDGETS[budget]
    cfg = dataclasses.replace(recipe.train, epochs=plan["epochs"])
    t0, c0 = time.perf_counter(), time.process_time()
    data = load_public(demo_dir, lambda f: say("features", 15 * f))
    t_feat = time.perf_counter() - t0
    train_idx, val_idx = validation_split(data.y_lab, VALIDATION_FRACTION, seed)
    x_lab, y_lab, n_known = data.x_lab[train_idx], data.y_lab[train_idx], len(data.methods)
    in_mean, in_std = standardiser(np.concatenate([x_lab, data.x_unl]))
    curves: list[dict] = []

    def train_round(labels, r):
        x, y = x_lab, y_lab
        if labels is not None:
            x, y = np.concatenate([x_lab, data.x_unl]), np.concatenate([y_lab, labels])
        n_classes = max(n_known, int(y.max()) + 1)
        base = 15 + 75 * r / plan["max_rounds"]
        net, curve = train_net(x, y, n_classes, cfg, seed * 1000 + r, in_mean=in_mean, in_std=in_std,
                               on_epoch=lambda e, _l: say(f"train round {r}", base + 75 / plan["max_rounds"]
                                                          * (e + 1) / cfg.epochs))
        curves.append({"round": r, "classes": n_classes, "images": len(y), "loss": curve})
        return net

    def relabel(net, r):
        z_lab, _ = embed(net, x_lab, in_mean, in_std)
        z_unl, logits_unl = embed(net, data.x_unl, in_mean, in_std)
        z_val = embed(net, data.x_lab[val_idx], in_mean, in_std)[0] if len(val_idx) else None
        return recipe.relabel(z_lab, y_lab, n_known, z_unl, logits_unl, seed, z_val=z_val,
                              x_unl=(data.x_unl - in_mean) / in_std, x_lab=(x_lab - in_mean) / in_std)

    net, loop = pseudo_label_loop(train_round, relabel, plan["max_rounds"])
    params = export(net, in_mean, in_std)
    params.update({"method": np.array(method), **{k: np.array(v) for k, v in recipe.novelty_params.items()}})
    say("validate", 92)
    tuned = tune_on_validation(params, recipe.tuned_on_validation, data, train_idx, val_idx, seed)
    val = validate(params, data, train_idx, val_idx, seed)
    report = {
        "method": method, "team": recipe.team, "summary": recipe.summary, "seed": seed, "budget": budget,
        "train_config": cfg.to_dict(), "torch_threads": threads, "known_methods": data.methods,
        "images": {"labelled_train": int(len(train_idx)), "labelled_validation": int(len(val_idx)),
                   "unlabelled": int(len(data.x_unl)), "feature_dim": int(data.x_lab.shape[1])},
        "pseudo_label_rounds": loop.rounds, "pseudo_labels_stable": loop.stable,
        "rounds_trained": len(curves), "training_curve": curves,
        "validation": val["figures"], "tuned_on_validation": tuned,
        "seconds": {"features": round(t_feat, 2), "total_fit": round(time.perf_counter() - t0, 2),
                    "cpu_fit": round(time.process_time() - c0, 2)},
    }
    return Fit(params, report, data, val_idx, loop.labels, val["novelty"])


def tune_on_validation(params: dict, grid: dict, data: PublicData, train_idx, val_idx, seed: int) -> dict:
    """Set each novelty parameter in ``grid`` to the candidate with the best validation AUC
    (the smallest candidate on ties); returns {parameter: {candidate: AUC}, "chosen": ...}."""
    out: dict = {}
    if len(val_idx) == 0:
        return out
    for key, candidates in grid.items():
        aucs = {}
        for c in candidates:
            params[key] = np.array(c)
            aucs[c] = validate(params, data, train_idx, val_idx, seed)["figures"]["novelty_auc"]
        best = max(sorted(candidates), key=lambda c: aucs[c])  # first maximum = smallest candidate
        params[key] = np.array(best)
        out[key] = {"auc": {str(c): a for c, a in aucs.items()}, "chosen": best}
    return out


def validate(params: dict, data: PublicData, train_idx: np.ndarray, val_idx: np.ndarray, seed: int) -> dict:
    """Held-out labelled images as probes against the training images as gallery (P@5); for
    novelty, ``HELD_OUT_METHODS`` known methods are dropped from that gallery and their probes
    count as new (optimistic: the network saw those methods in training)."""
    if len(val_idx) == 0:
        return {"figures": None, "novelty": None}
    emb_t, logit_t = forward(params, data.x_lab[train_idx])
    emb_v, _ = forward(params, data.x_lab[val_idx])
    zt, zv = normalise(emb_t), normalise(emb_v)
    yt, yv = data.y_lab[train_idx], data.y_lab[val_idx]
    top, _ = top5(zv @ zt.T)
    p5 = float((yt[top] == yv[:, None]).mean())
    dropped = np.sort(np.random.default_rng(seed).choice(len(data.methods), HELD_OUT_METHODS, replace=False))
    keep = ~np.isin(yt, dropped)
    is_new = np.isin(yv, dropped)
    prob = novelty(params, zv, zt[keep], logit_t[keep])
    from evaluators.deepfake.metrics import roc_auc

    figures = {"precision@5": round(p5, 4), "novelty_auc": round(roc_auc(is_new, prob), 4),
               "pseudo_new_methods": [data.methods[i] for i in dropped],
               "probes": int(len(val_idx)), "gallery": int(len(train_idx))}
    return {"figures": figures, "novelty": (is_new, prob)}
