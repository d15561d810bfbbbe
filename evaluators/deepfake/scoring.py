"""Turn validated predictions into a Result: precision@5, novelty AUC and S_final."""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import numpy as np

from ..common.errors import BundleError, SubmissionRejected
from ..common.result import Progress, Result, report
from .bundle import DeepfakeBundle
from .metrics import precision_at_5, roc_auc, s_final
from .predictions import Predictions, parse_predictions
from .settings import DeepfakeSettings

SCORER_VERSION = "deepfake-1.0"


def read_prediction_lines(path: Path, cap_bytes: int) -> list[bytes]:
    """Read predictions.jsonl, refusing files above the output cap before reading them."""
    if not path.is_file():
        raise SubmissionRejected(
            "no predictions: /output/predictions.jsonl was not written (write one JSON line per probe)"
        )
    size = path.stat().st_size
    if size > cap_bytes:
        raise SubmissionRejected(
            f"predictions.jsonl is {size} bytes, more than the {cap_bytes}-byte output limit"
        )
    return path.read_bytes().splitlines()


def parse_for_bundle(lines: Iterable[bytes | str], bundle: DeepfakeBundle, cfg: DeepfakeSettings) -> Predictions:
    return parse_predictions(lines, bundle.probe_labels, bundle.gallery_labels, need_novelty=cfg.novelty)


def score_predictions(
    preds: Predictions,
    bundle: DeepfakeBundle,
    cfg: DeepfakeSettings,
    *,
    progress: Progress | None = None,
    workdir: Path | None = None,
) -> Result:
    t0 = time.perf_counter()
    report(progress, "score", 90)
    truth = np.array([bundle.probe_labels[p] for p in preds.probes], dtype=object)
    retrieved = np.array([[bundle.gallery_labels[g] for g in row] for row in preds.top5], dtype=object)
    is_new = np.array([m in bundle.new_methods for m in truth], dtype=bool)
    known = ~is_new
    if not known.any():
        raise BundleError(f"deepfake bundle {bundle.root}: every probe is of a new method")
    p5 = precision_at_5(truth[known], retrieved[known])
    hits = (retrieved == truth[:, None]).mean(axis=1)
    per_method: dict[str, list[float]] = defaultdict(list)
    for m, h, k in zip(truth, hits, known):
        if k:
            per_method[m].append(float(h))
    details = {
        "probes": len(preds.probes),
        "known_probes": int(known.sum()),
        "new_probes": int(is_new.sum()),
        "per_method_precision@5": {m: float(np.mean(v)) for m, v in sorted(per_method.items())},
        "phase_kind": cfg.phase_kind,
    }
    columns = {"precision@5": p5}
    messages: list[str] = []
    total = p5
    auc = None
    if cfg.novelty:
        if preds.novel_prob is None:
            raise SubmissionRejected("novel_prob is required in this phase (a number in [0, 1] on every line)")
        if not is_new.any() and not bundle.meta.get("public"):
            raise BundleError(f"deepfake bundle {bundle.root}: novelty is scored but no probe is of a new method")
    if cfg.novelty and not is_new.any():  # the public sample: novel_prob checked, AUC undefined
        messages.append("novel_prob is valid; AUC needs probes of new methods, which the public sample lacks")
    elif cfg.novelty:
        auc = roc_auc(is_new, preds.novel_prob)
        sbj = cfg.subjective_score
        if sbj is None:  # the platform adds 0.1 x the per-submission S_sbj an admin enters later
            messages.append("S_final here is 0.6 P@5 + 0.3 AUC; 0.1 x the organizers' subjective score "
                            "is added when an admin enters it")
            sbj = 0.0
        else:
            columns["subjective"] = float(sbj)
        total = s_final(p5, auc, sbj)
        columns["auc"] = auc
    artifacts = {}
    if workdir is not None:
        from .plots import plot_result

        artifacts = plot_result(Path(workdir), details["per_method_precision@5"], is_new, preds.novel_prob, auc)
    report(progress, "done", 100)
    return Result(
        track="deepfake",
        scorer_version=SCORER_VERSION,
        score=float(total),
        columns=columns,
        messages=messages,
        details=details,
        artifacts=artifacts,
        timings={"score": time.perf_counter() - t0},
    )
