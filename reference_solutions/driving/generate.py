"""Run one driving method on a demo's public part and write its artifact, report and preview.

Writes under out_dir: ``<name>.png`` (the submission: 2790x1260 RGBA, alpha = mask),
``<name>.json`` (config, the white-box models the attack saw, seconds, loss curve summary,
white-box suppression on the public crops) and ``<name>_preview.png`` (patched public
frames with the white-box detections drawn).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from authoring.driving.baselines import write_rgba
from evaluators.driving.submission import count_regions

from .budgets import budget
from .optimise import Context, evaluate
from .pipeline import full_res, to_uint8_rgb
from .public_data import load_public, white_box_entries
from .whitebox import load_white_box


def _curve_summary(curve: list[dict], points: int = 10) -> dict:
    out = {}
    for stage in dict.fromkeys(c["stage"] for c in curve):
        det = np.array([c["det"] for c in curve if c["stage"] == stage])
        chunks = np.array_split(det, min(points, len(det)))
        out[stage] = {"steps": int(len(det)), "first": float(det[0]), "last": float(det[-1]),
                      "mean_per_tenth": [round(float(c.mean()), 4) for c in chunks]}
    return out


def _preview(demo_dir: Path, entries: list[dict], texture: np.ndarray, mask: np.ndarray, out: Path, n: int = 4) -> Path:
    from evaluators.driving.bundle import load_bundle
    from evaluators.driving.detectors import make_detector
    from evaluators.driving.pictures import frames_with_detections
    from evaluators.driving.render import build_pyramid, render_frame

    bundle = load_bundle(demo_dir / "public_train")
    dets = [make_detector(e) for e in entries]
    pyr = build_pyramid(np.ascontiguousarray(texture[:, :, ::-1]), mask)
    picks = [(sc, len(sc) // 2) for sc in bundle.scenes[:n]]
    shots = []
    for sc, i in picks:
        frame = render_frame(sc.frame(i), pyr, sc.quads[i], sc.shading_at(i), sc.occluder_at(i))
        shots.append((i, frame, {d.name: d.detect([frame])[0].select(sc.targets) for d in dets}))
    return frames_with_detections("public frames, white-box detections", shots,
                                  sorted({t for sc, _ in picks for t in sc.targets}), out)


def generate(method: str, run: Callable, name: str, demo_dir: Path, out_dir: Path, *, seed: int = 0,
             budget_name: str = "quick", overrides: dict | None = None, progress=None, threads: int = 2,
             preview: bool = True, device: str = "cpu") -> Path:
    """method: budgets key; run(ctx, cfg) -> (param, mask grid, info). device: ``auto | cpu | cuda |
    cuda:N`` for the white-box detectors (``DeviceUnavailable`` where it is not on this machine)."""
    from evaluators.common.device import resolve_device

    resolved = resolve_device(device)
    t0, c0 = time.monotonic(), time.process_time()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    cfg = budget(method, budget_name, overrides)
    demo_dir, out_dir = Path(demo_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, pct: None)
    report("load public data", 0)
    entries = white_box_entries(demo_dir)
    detectors = [load_white_box(e, resolved) for e in entries]
    samples = load_public(demo_dir, cfg["crop"], every=cfg["every"])
    ctx = Context(samples, detectors, np.random.default_rng(seed), progress)
    report("attack", 2)
    param, mask_grid, info = run(ctx, cfg)
    report("evaluate on public crops", 95)
    public_eval = evaluate(ctx, param, mask_grid)
    texture = to_uint8_rgb(param)
    mask = full_res(mask_grid[None])[0].numpy()
    artifact = out_dir / f"{name}.png"
    write_rgba(artifact, texture, mask)
    seconds = {"wall": round(time.monotonic() - t0, 1), "cpu": round(time.process_time() - c0, 1)}
    if preview:
        report("preview", 97)
        _preview(demo_dir, entries, texture, mask, out_dir / f"{name}_preview.png")
    record = {
        "method": method, "artifact": artifact.name, "seed": seed, "budget": budget_name, "config": cfg,
        "white_box_models_seen": [{"name": e["name"], "arch": e.get("arch"), "file": Path(e["file"]).name,
                                   "sha256": e.get("sha256")} for e in entries],
        "public_frames": len(samples), "method_info": info,
        "mask": {"regions_8": count_regions(mask, 8), "cover": round(float(mask.mean()), 5)},
        "public_crops_white_box": public_eval, "loss_curve": _curve_summary(ctx.curve),
        "seconds": seconds, "torch_threads": threads, "device": resolved,
    }
    (out_dir / f"{name}.json").write_text(json.dumps(record, indent=1))
    report("done", 100)
    return artifact
