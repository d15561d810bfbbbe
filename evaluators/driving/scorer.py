"""score(): render the submitted patch into every hidden frame and count target detections."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..common.device import resolve_device
from ..common.errors import BundleError
from ..common.parts import Part, checked_parts
from ..common.result import Progress, Result, report
from .bundle import Bundle, Scene, load_bundle
from .detectors import Detector, load_detectors
from .pictures import frames_with_detections, strip
from .render import build_pyramid, render_frame
from .scoring import combine
from .settings import DrivingSettings, parse_settings
from .submission import area_term, count_regions, load_patch

# 1.1: coarse mip levels no longer drop odd rows/columns (patch stretch). Counting the frames near
# the confidence threshold (details.near_threshold) changes no decision, so no new version.
SCORER_VERSION = "driving-1.1"
TRACK = "driving"
SHOTS_PER_SCENE = 3
BATCH = 16


def _void(reason: str, regions: int, area: float, timings: dict[str, float],
          split: dict[str, list[str]] | None) -> Result:
    """A void submission: score 0 on the whole and on each part (a part keeps the area column)."""
    parts = {name: Part(0.0, {"area": area}, len(ids)).to_dict() for name, ids in (split or {}).items()}
    return Result(TRACK, SCORER_VERSION, 0.0, columns={"area": area}, valid=False, messages=[reason],
                  details={"regions": regions}, timings=timings, parts=parts)


def scored_parts(parts: Mapping[str, Sequence[str]], bundle: Bundle, scenes: list[Scene]) -> dict[str, list[str]]:
    """``parts`` checked against the bundle's scene names (``checked_parts``; raises BundleError
    naming unknown ones), each part kept to the ``scenes`` the phase scores (its ``kinds``: a
    split made on the whole bundle may name scenes of other kinds, which no part counts).
    Raises BundleError when a part is left with no scored scene."""
    split = checked_parts(parts, [sc.name for sc in bundle.scenes])
    scored = {sc.name for sc in scenes}
    out = {name: [i for i in ids if i in scored] for name, ids in split.items()}
    for name, ids in out.items():
        if not ids:
            raise BundleError(f"the {name} part has no scene of the kinds this phase scores "
                              f"({sorted({sc.kind for sc in scenes})}); split the phase's scenes again")
    return out


def part_results(split: dict[str, list[str]], counts: Mapping[str, Mapping[str, np.ndarray]],
                 kinds: Mapping[str, str], area: float, settings: DrivingSettings) -> dict[str, dict]:
    """Each part's ``Part``: ``combine`` on the part's scenes (same area term and final_mix as
    the whole), without the per-scene columns."""
    out = {}
    for name, ids in split.items():
        o = combine(counts, {i: kinds[i] for i in ids}, area, area_weight=settings.area_weight,
                    final_mix=settings.final_mix, per_scene=False)
        out[name] = Part(o.score, o.columns, len(ids)).to_dict()
    return out


def _score_scene(
    scene: Scene, pyramid, detectors: list[Detector], shots_at: set[int], on_batch, eps: float, pool
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list, float, float]:
    """Returns (target detections per model and frame, each frame's margin to the model's
    confidence threshold, picture shots, render seconds, inference seconds)."""
    n = len(scene)
    counts = {d.name: np.zeros(n, np.int32) for d in detectors}
    margins = {d.name: np.full(n, np.inf) for d in detectors}
    conf = {d.name: d.conf for d in detectors}
    shots, t_render, t_infer = [], 0.0, 0.0
    for start in range(0, n, BATCH):
        idx = list(range(start, min(n, start + BATCH)))
        t0 = time.perf_counter()
        frames = [render_frame(scene.frame(i), pyramid, scene.quads[i], scene.shading_at(i), scene.occluder_at(i)) for i in idx]
        t1 = time.perf_counter()
        # the detectors run side by side (torch releases the GIL); each one's output is the same
        per_model = dict(zip((d.name for d in detectors), pool.map(lambda d: d.detect(frames, below=eps), detectors)))
        t_infer += time.perf_counter() - t1
        t_render += t1 - t0
        for name, dets in per_model.items():
            for i, det in zip(idx, dets):
                counts[name][i] = det.count(scene.targets, conf[name])
                margins[name][i] = det.margin(scene.targets, conf[name])
        for k, i in enumerate(idx):
            if i in shots_at:
                shots.append((i, frames[k], {name: per_model[name][k].above(conf[name]) for name in per_model}))
        on_batch(len(idx))
    return counts, margins, shots, t_render, t_infer


def score(
    artifact: Path, bundle_dir: Path, settings: dict[str, Any], *, progress: Progress | None = None,
    workdir: Path | None = None, parts: Mapping[str, Sequence[str]] | None = None,
) -> Result:
    """Score a patch (PNG) on a scene bundle (DESIGN.md section 4; the arithmetic is
    ``scoring.combine``). ``parts`` (a split phase: ``{"public": [scene names], "private":
    [...]}``): the result's ``parts`` then holds each part's ``Part`` (``part_results``) from the
    same rendering and detection; nothing else in the result depends on it. Raises
    SubmissionRejected (the upload), BundleError (bundle, settings, model set, parts naming
    scenes the bundle lacks)."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    report(progress, "validate", 0)
    s = parse_settings(settings)
    patch = load_patch(artifact, max_bytes=s.max_upload_bytes)
    regions = count_regions(patch.mask, s.connectivity)
    area = area_term(patch.mask)
    timings["validate"] = time.perf_counter() - t0
    if regions > s.max_regions:
        split = None
        if parts is not None:  # the scene list only: no hashing of the frames, as the whole does none
            listed = load_bundle(bundle_dir, verify=False)
            split = scored_parts(parts, listed, listed.select(s.kinds))
        return _void(
            f"the mask has {regions} connected regions ({s.connectivity}-connectivity); at most "
            f"{s.max_regions} are allowed, so the submission is void (score 0)", regions, area, timings, split)
    if not s.model_set:
        raise BundleError("driving settings: 'model_set' is required")
    report(progress, "load", 2)
    t = time.perf_counter()
    bundle = load_bundle(bundle_dir)
    scenes = bundle.select(s.kinds)
    if not scenes:
        raise BundleError(f"bundle {bundle_dir} has no scenes of kinds {s.kinds}")
    split = scored_parts(parts, bundle, scenes) if parts is not None else None
    detectors = load_detectors(s.model_set, resolve_device(s.device))
    pyramid = build_pyramid(patch.texture_bgr, patch.mask)
    timings["load"] = time.perf_counter() - t
    total = sum(len(sc) for sc in scenes)
    done = [0]

    def on_batch(n: int) -> None:
        done[0] += n
        report(progress, "inference", 5 + 90 * done[0] / total)

    counts: dict[str, dict[str, np.ndarray]] = {d.name: {} for d in detectors}
    near_frames: dict[str, dict[str, list[int]]] = {d.name: {} for d in detectors}
    closest: dict[str, float] = {d.name: float("inf") for d in detectors}
    eps = s.near_threshold_epsilon
    shots: dict[str, list] = {}
    timings["render"] = timings["inference"] = 0.0
    with ThreadPoolExecutor(max_workers=max(1, min(s.workers or len(detectors), len(detectors))),
                            thread_name_prefix="detector") as pool:
        for sc in scenes:
            picks = {int(round(x)) for x in np.linspace(0, len(sc) - 1, SHOTS_PER_SCENE)}
            c, margins, sh, tr, ti = _score_scene(sc, pyramid, detectors, picks, on_batch, eps, pool)
            for name, arr in c.items():
                counts[name][sc.name] = arr
                near_frames[name][sc.name] = np.flatnonzero(margins[name] < eps).tolist()
                closest[name] = min(closest[name], float(margins[name].min(initial=np.inf)))
            shots[sc.name] = sh
            timings["render"] += tr
            timings["inference"] += ti
    kinds = {sc.name: sc.kind for sc in scenes}
    outcome = combine(counts, kinds, area, area_weight=s.area_weight, final_mix=s.final_mix)
    parts_out = part_results(split, counts, kinds, area, s) if split is not None else {}
    details = dict(outcome.details)
    details.update({
        "regions": regions, "frames": total, "scenes": [sc.name for sc in scenes],
        "counts": {m: {k: v.tolist() for k, v in per.items()} for m, per in counts.items()},
        "thresholds": {d.name: {"conf": d.conf, "iou": d.iou} for d in detectors},
        "devices": {d.name: d.device for d in detectors},
        "near_threshold": {m: {sc: len(f) for sc, f in per.items()} for m, per in near_frames.items()},
        "near_threshold_frames": near_frames, "near_threshold_epsilon": eps,
        "smallest_margin": {m: (None if v == float("inf") else v) for m, v in closest.items()},
    })
    artifacts: dict[str, str] = {}
    if workdir is not None and s.pictures:
        report(progress, "pictures", 96)
        t = time.perf_counter()
        workdir.mkdir(parents=True, exist_ok=True)
        for sc in scenes:
            per = {m: counts[m][sc.name] for m in counts}
            # artifact paths are relative to the workdir
            artifacts[f"strip_{sc.name}"] = strip(sc.name, per, workdir / f"strip_{sc.name}.png").name
            artifacts[f"frames_{sc.name}"] = frames_with_detections(
                sc.name, shots[sc.name], sc.targets, workdir / f"frames_{sc.name}.png").name
        timings["pictures"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    report(progress, "done", 100)
    messages = patch.notes + [f"mask: {regions} region(s), covers {100 * (1 - area):.2f}% of the texture"]
    return Result(TRACK, SCORER_VERSION, outcome.score, columns=outcome.columns, valid=True,
                  messages=messages, details=details, artifacts=artifacts, timings=timings, parts=parts_out)
