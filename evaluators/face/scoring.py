"""Score a face submission: validate, apply the connected-domain rule, verify every valid
adversarial face against its target on each model, average the success rates."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from evaluators.common.device import resolve_device
from evaluators.common.errors import BundleError
from evaluators.common.parts import Part, checked_parts
from evaluators.common.result import Progress, Result, report

from .backends import FaceBackend, cosine
from .bundle import FaceBundle, compare_rel, load_face_bundle, original_rel
from .cache import EmbeddingCache
from .limits import apply_limits
from .models import load_face_models, load_liveness_models
from .perturbation import check_budget, perturbation_mask
from .settings import FaceSettings, parse_settings
from .upload import decode_face, read_upload

SCORER_VERSION = "face-1.1"  # 1.1: thresholds calibrated in the middle of a gap; margins and near-threshold counts
_MODELS: dict[tuple[str, float, str], tuple[list[FaceBackend], list]] = {}


def cached_model_sets(model_set: Path, device: str = "cpu") -> tuple[list[FaceBackend], list]:
    """(verification models, liveness models) of a model set; they stay loaded across scoring
    runs in one process (keyed by path, mtime and device)."""
    key = (str(Path(model_set).resolve()), Path(model_set).stat().st_mtime if Path(model_set).exists() else 0.0, device)
    if key not in _MODELS:
        _MODELS.clear()
        _MODELS[key] = (load_face_models(model_set, device=device), load_liveness_models(model_set))
    return _MODELS[key]


def cached_models(model_set: Path, device: str = "cpu") -> list[FaceBackend]:
    """The verification models of a model set (``cached_model_sets``)."""
    return cached_model_sets(model_set, device)[0]


def check_samples(artifact: Path, bundle: FaceBundle, cfg: FaceSettings) -> tuple[list[dict], dict, dict, list[str]]:
    """Per-sample validity. Returns (records, {pair id: adversarial image}, {stage: seconds},
    notes of the archive reader)."""
    t0 = time.perf_counter()
    up = read_upload(artifact, bundle.n_pairs, max_upload_bytes=cfg.cap_for(bundle.n_pairs),
                     max_entry_bytes=cfg.max_entry_bytes)
    t1 = time.perf_counter()
    records, images = [], {}
    t_cc = t_lim = 0.0
    limits = cfg.limits()
    for pid in bundle.ids:
        rec: dict[str, Any] = {"id": pid, "valid": False}
        records.append(rec)
        data = up.files.get(f"{pid}.png")
        if data is None:
            rec["reason"] = f"{pid}.png is missing from the zip"
            continue
        try:
            adv = decode_face(f"{pid}.png", data)
        except ValueError as e:
            rec["reason"] = str(e)
            continue
        orig = bundle.read(original_rel(pid))
        tc = time.perf_counter()
        chk = check_budget(perturbation_mask(adv, orig), connectivity=cfg.connectivity,
                           max_components=cfg.max_components, max_pixels=cfg.max_pixels)
        t_cc += time.perf_counter() - tc
        rec.update(components=chk.components, pixels=chk.pixels)
        tl = time.perf_counter()
        lim = apply_limits(adv, orig, limits)
        t_lim += time.perf_counter() - tl
        rec.update(lim.measured.as_details())
        if lim.scored is not None:
            rec["projected"] = lim.scored.as_details()
        if not chk.ok:
            rec["reason"] = (f"{pid}.png breaks the perturbation budget ({chk.components} regions, "
                             f"{chk.pixels} changed pixels): {chk.reason}")
            continue
        if not lim.ok:
            rec["reason"] = f"{pid}.png is over the phase's perturbation limits: {lim.reason}"
            continue
        adv = lim.image
        rec["valid"] = True
        images[pid] = adv
    t2 = time.perf_counter()
    return records, images, {"unzip_validate": (t1 - t0) + (t2 - t1 - t_cc - t_lim), "connected_components": t_cc,
                             "limits": t_lim}, up.notes


def target_embeddings(model: FaceBackend, bundle: FaceBundle, ids: list[str], cfg: FaceSettings) -> tuple[np.ndarray, int]:
    rels = [compare_rel(pid) for pid in ids]
    cache = EmbeddingCache(cfg.embedding_cache_dir(), model.cache_key)
    return cache.get_many([bundle.digest(r) for r in rels],
                          lambda idx: model.embed_batched(np.stack([bundle.read(rels[i]) for i in idx]), cfg.batch_size))


def model_similarities(models: list[FaceBackend], adv: np.ndarray, bundle: FaceBundle, ids: list[str],
                       cfg: FaceSettings, progress: Optional[Progress]) -> dict[str, tuple[np.ndarray, int]]:
    """{model: (cosine similarity of each adversarial face to its target (N float64), target
    embeddings computed rather than cached)}. The models run in ``cfg.workers`` threads (each
    model in one thread; the backends release the GIL while they infer), so scoring uses the
    cores the worker has; each model's numbers are the same whatever the thread count."""
    batch = cfg.batch_size
    total = len(models) * max(1, -(-len(adv) // batch))
    done, lock = [0], threading.Lock()

    def one(model: FaceBackend) -> tuple[np.ndarray, int]:
        out = []
        for i in range(0, len(adv), batch):
            out.append(model.embed(adv[i:i + batch]))
            with lock:
                done[0] += 1
                report(progress, "inference", 10 + 85 * done[0] / total)
        e_tgt, computed = target_embeddings(model, bundle, ids, cfg)
        return cosine(np.concatenate(out), e_tgt), computed

    workers = max(1, min(cfg.workers or len(models), len(models)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="face-model") as pool:
        return dict(zip((m.name for m in models), pool.map(one, models)))


def liveness(live_models: list, adv: Optional[np.ndarray], ids: list[str], by_id: dict[str, dict],
             near: dict[str, int], eps: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run each liveness model on the valid adversarial faces ``adv`` (rows in ``ids`` order):
    each sample record gets ``liveness: {model: {"score", "live", "near_threshold"}}`` and
    ``near`` the count of scores within ``eps`` of the threshold. Returns (N bool: live on every
    liveness model (all True when there are none), {model: N bool live})."""
    all_live = np.ones(len(ids), bool)
    per_model: dict[str, np.ndarray] = {}
    for lm in live_models:
        near[lm.name] = 0
        per_model[lm.name] = np.zeros(len(ids), bool)
        if ids:
            scores = lm.scores(adv)
            live = lm.live(scores)
            fragile = np.abs(scores - lm.threshold) < eps
            for pid, sc, lv, f in zip(ids, scores, live, fragile):
                by_id[pid].setdefault("liveness", {})[lm.name] = {
                    "score": round(float(sc), 6), "live": bool(lv), "near_threshold": bool(f)}
            all_live &= live
            per_model[lm.name] = np.asarray(live, bool)
            near[lm.name] = int(fragile.sum())
    return all_live, per_model


def tally(hits: dict[str, np.ndarray], live: dict[str, np.ndarray], rows: np.ndarray) -> tuple[float, dict[str, float]]:
    """The face score of the pairs at ``rows`` (int indices into the bundle's pair order; all
    pairs for the whole result, a part's pairs for a part), the one place of the formula
    (DESIGN.md section 4): ``model:<m>`` = successful attacks of model m (``hits[m]``, N bool
    over all pairs: a valid sample verified, and live where liveness counts) / len(rows);
    score = mean of the model columns; ``live:<m>`` = share of the rows whose valid adversarial
    face passes liveness model m (``live[m]``, N bool), beside the model columns and outside
    the score. Returns (score, columns)."""
    n = len(rows)
    columns = {f"model:{m}": int(h[rows].sum()) / n for m, h in hits.items()}
    total = sum(columns.values()) / len(hits)
    columns.update({f"live:{m}": int(h[rows].sum()) / n for m, h in live.items()})
    return total, columns


def _over_pairs(n_pairs: int, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """N bool over all pairs: ``values`` at ``rows`` (the valid samples), False elsewhere."""
    out = np.zeros(n_pairs, bool)
    out[rows] = values
    return out


def score(artifact: Path, bundle_dir: Path, settings: dict, *, progress: Optional[Progress] = None,
          workdir: Optional[Path] = None, parts: Optional[Mapping[str, Sequence[str]]] = None) -> Result:
    """Score a face submission (zip of adversarial faces) on a face bundle (DESIGN.md section 4).

    ``parts`` (a split phase: ``{"public": [pair ids], "private": [pair ids]}``): the result's
    ``parts`` then holds each part's ``Part`` from the same evaluation, scored by ``tally`` on
    the part's pairs (model and live columns over the part's size); nothing else in the result
    depends on it. Raises SubmissionRejected (the zip as a whole), BundleError (bundle, model
    set, settings, or parts naming ids that are not pairs of the bundle)."""
    timings: dict[str, float] = {}
    cfg = parse_settings(settings)
    report(progress, "load", 0)
    t = time.perf_counter()
    bundle = load_face_bundle(bundle_dir)
    if cfg.n_pairs is not None and cfg.n_pairs != bundle.n_pairs:
        raise BundleError(f"settings say n_pairs={cfg.n_pairs} but the bundle has {bundle.n_pairs} pairs")
    models, live_models = cached_model_sets(cfg.model_set, resolve_device(cfg.device))
    if cfg.liveness_in_total and not live_models:
        raise BundleError(f"settings say liveness_in_total but the model set {cfg.model_set} has no liveness "
                          "model (an entry with role: liveness)")
    split = checked_parts(parts, bundle.ids) if parts is not None else None
    timings["load"] = time.perf_counter() - t
    report(progress, "validate", 5)
    records, images, tv, notes = check_samples(Path(artifact), bundle, cfg)
    timings.update(tv)
    valid_ids = [r["id"] for r in records if r["valid"]]
    adv = np.stack([images[i] for i in valid_ids]) if valid_ids else None
    by_id = {r["id"]: r for r in records}
    row_of = {pid: i for i, pid in enumerate(bundle.ids)}
    valid_rows = np.array([row_of[pid] for pid in valid_ids], dtype=np.intp)
    t_inf, t_score, computed, near = 0.0, 0.0, {}, {}
    eps = cfg.near_threshold_epsilon
    t = time.perf_counter()
    sims_of = model_similarities(models, adv, bundle, valid_ids, cfg, progress) if valid_ids else {}
    t_inf = time.perf_counter() - t
    t = time.perf_counter()
    live_near: dict[str, int] = {}
    all_live, live_of = liveness(live_models, adv, valid_ids, by_id, live_near, eps)
    live_hits = {name: _over_pairs(bundle.n_pairs, valid_rows, v) for name, v in live_of.items()}
    timings["liveness"] = time.perf_counter() - t
    hits: dict[str, np.ndarray] = {}
    for model in models:
        hits[model.name] = np.zeros(bundle.n_pairs, bool)
        if valid_ids:
            t = time.perf_counter()
            sims, computed[model.name] = sims_of[model.name]
            thr = float(model.threshold)
            ok = sims >= thr
            margins = sims - thr
            counted = ok & all_live if cfg.liveness_in_total else ok
            fragile = np.abs(margins) < eps
            for pid, s, v, m, f in zip(valid_ids, sims, ok, margins, fragile):
                by_id[pid].setdefault("models", {})[model.name] = {
                    "similarity": round(float(s), 6), "margin": float(m), "verified": bool(v), "near_threshold": bool(f)}
            hits[model.name] = _over_pairs(bundle.n_pairs, valid_rows, counted)
            near[model.name] = int(fragile.sum())
            t_score += time.perf_counter() - t
        near.setdefault(model.name, 0)
    total, columns = tally(hits, live_hits, np.arange(bundle.n_pairs))
    part_results = {}
    if split is not None:
        part_results = {name: Part(*tally(hits, live_hits, np.array([row_of[p] for p in ids], dtype=np.intp)),
                                   n=len(ids)).to_dict() for name, ids in split.items()}
    timings.update(inference=t_inf, scoring=t_score)
    invalid = [r for r in records if not r["valid"]]
    messages = notes + [r["reason"] for r in invalid]
    result = Result(
        track="face", scorer_version=SCORER_VERSION, score=total, columns=columns, valid=True,
        messages=messages,
        details={"n_pairs": bundle.n_pairs, "n_valid": len(valid_ids), "n_invalid": len(invalid),
                 "n_missing": sum(1 for r in invalid if r["reason"].endswith("missing from the zip")),
                 "thresholds": {m.name: float(m.threshold) for m in models},
                 "liveness_thresholds": {m.name: m.threshold for m in live_models},
                 "liveness_in_total": cfg.liveness_in_total, "liveness_near_threshold": live_near,
                 "limits": {"max_linf": cfg.max_linf, "min_ssim": cfg.min_ssim, "min_psnr": cfg.min_psnr,
                            "over_limit": cfg.over_limit},
                 "near_threshold": near, "near_threshold_epsilon": eps,
                 "devices": {m.name: m.device_note() for m in models},
                 "connectivity": cfg.connectivity, "max_components": cfg.max_components,
                 "max_pixels": cfg.max_pixels, "target_embeddings_computed": computed, "samples": records},
        timings=timings, parts=part_results,
    )
    if workdir is not None:
        report(progress, "picture", 96)
        from .picture import save_grid

        t = time.perf_counter()
        path = save_grid(Path(workdir) / "face_samples.png", bundle, records, images, [m.name for m in models])
        timings["picture"] = time.perf_counter() - t
        result.artifacts["samples"] = str(path)
    report(progress, "done", 100)
    return result
