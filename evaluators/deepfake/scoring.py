"""Turn validated predictions into a Result: precision@5, novelty AUC and S_final."""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..common.errors import BundleError, SubmissionRejected
from ..common.parts import Part, checked_parts
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


def tally(truth: np.ndarray, retrieved: np.ndarray, is_new: np.ndarray, novel_prob: np.ndarray | None,
          cfg: DeepfakeSettings, *, auc_scored: bool) -> tuple[float, dict[str, float]]:
    """The score of a set of probes (all of them for the whole result, a part's for a part), the
    one place of the formula (DESIGN.md section 4, ``metrics``): ``truth`` (N,) methods,
    ``retrieved`` (N, 5) methods of the top-5 gallery images, ``is_new`` (N,) bool, ``novel_prob``
    (N,) or None. precision@5 over the probes of known methods; when ``auc_scored``, the AUC of
    ``novel_prob`` over all N probes and S_final = 0.6 P@5 + 0.3 AUC + 0.1 S_sbj (S_sbj: the
    phase's ``subjective_score``, 0 when not given), else the score is precision@5. Returns
    (score, columns: precision@5[, subjective], auc). Raises ValueError when a metric is
    undefined (no known probe; AUC without both new and known probes)."""
    known = ~is_new
    p5 = precision_at_5(truth[known], retrieved[known])
    columns = {"precision@5": p5}
    if not auc_scored:
        return p5, columns
    auc = roc_auc(is_new, novel_prob)
    sbj = cfg.subjective_score
    if sbj is not None:
        columns["subjective"] = float(sbj)
    columns["auc"] = auc
    return s_final(p5, auc, 0.0 if sbj is None else sbj), columns


def _part_results(split: dict[str, list[str]], probes: list[str], truth: np.ndarray, retrieved: np.ndarray,
                  is_new: np.ndarray, novel_prob: np.ndarray | None, cfg: DeepfakeSettings,
                  auc_scored: bool) -> dict[str, dict]:
    """Each part's ``Part``: ``tally`` on the part's probes. Raises BundleError when a part lacks
    the probes a metric needs (a split not stratified by ``sample_strata``)."""
    row_of = {p: i for i, p in enumerate(probes)}
    out = {}
    for name, ids in split.items():
        rows = np.array([row_of[p] for p in ids], dtype=np.intp)
        new = is_new[rows]
        if new.all() or (auc_scored and not new.any()):
            lacks = "known" if new.all() else "new"
            raise BundleError(f"the {name} part has no probe of a {lacks} method, so its "
                              f"{'precision@5' if lacks == 'known' else 'AUC'} is undefined; split the "
                              "probes by the track's strata (new/known) so both parts hold both")
        score, columns = tally(truth[rows], retrieved[rows], new,
                               None if novel_prob is None else novel_prob[rows], cfg, auc_scored=auc_scored)
        out[name] = Part(float(score), columns, len(ids)).to_dict()
    return out


def score_predictions(
    preds: Predictions,
    bundle: DeepfakeBundle,
    cfg: DeepfakeSettings,
    *,
    progress: Progress | None = None,
    workdir: Path | None = None,
    parts: Mapping[str, Sequence[str]] | None = None,
) -> Result:
    """Score validated predictions (bundle ids) on the bundle (``tally``). ``parts`` (a split
    phase: ``{"public": [probe ids], "private": [...]}``): the result's ``parts`` then holds
    each part's ``Part`` from the same predictions; nothing else in the result depends on it.
    Raises SubmissionRejected (novel_prob missing where novelty is scored), BundleError (the
    bundle, or parts naming unknown probes or lacking new/known probes)."""
    t0 = time.perf_counter()
    split = checked_parts(parts, bundle.probe_labels) if parts is not None else None
    report(progress, "score", 90)
    truth = np.array([bundle.probe_labels[p] for p in preds.probes], dtype=object)
    retrieved = np.array([[bundle.gallery_labels[g] for g in row] for row in preds.top5], dtype=object)
    is_new = np.array([m in bundle.new_methods for m in truth], dtype=bool)
    known = ~is_new
    if not known.any():
        raise BundleError(f"deepfake bundle {bundle.root}: every probe is of a new method")
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
    messages: list[str] = []
    if cfg.novelty:
        if preds.novel_prob is None:
            raise SubmissionRejected("novel_prob is required in this phase (a number in [0, 1] on every line)")
        if not is_new.any() and not bundle.meta.get("public"):
            raise BundleError(f"deepfake bundle {bundle.root}: novelty is scored but no probe is of a new method")
    auc_scored = bool(cfg.novelty and is_new.any())
    if cfg.novelty and not auc_scored:  # the public sample: novel_prob checked, AUC undefined
        messages.append("novel_prob is valid; AUC needs probes of new methods, which the public sample lacks")
    elif auc_scored and cfg.subjective_score is None:  # the platform adds 0.1 x the S_sbj an admin enters later
        messages.append("S_final here is 0.6 P@5 + 0.3 AUC; 0.1 x the organizers' subjective score "
                        "is added when an admin enters it")
    total, columns = tally(truth, retrieved, is_new, preds.novel_prob, cfg, auc_scored=auc_scored)
    part_results = {} if split is None else _part_results(
        split, preds.probes, truth, retrieved, is_new, preds.novel_prob, cfg, auc_scored)
    artifacts = {}
    if workdir is not None:
        from .plots import plot_result

        artifacts = plot_result(Path(workdir), details["per_method_precision@5"], is_new, preds.novel_prob,
                                columns.get("auc"))
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
        parts=part_results,
    )
