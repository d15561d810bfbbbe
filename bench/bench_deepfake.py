"""Deepfake-track benchmark (issue 5). Prints, from one run on this machine:

1. the platform's overhead around a container run on the demo's final phase: task start to
   container start (image load excluded) and container exit to result ready (validation,
   scoring, pictures, clean-up), and total wall time / the container's own run time;
2. image load time per GiB (a fresh 512 MiB layer, plus the baseline image on a warm engine);
3. scoring time for 10k probes against a 10k gallery (target: under 1 s).

    .venv/bin/python bench/bench_deepfake.py [--quick] [--runs 3]
Needs the Docker Engine; builds the demo under var/deepfake-demo the first time.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def bench_run_overhead(demo: dict, runs: int) -> None:
    from evaluators.deepfake.run import run_and_score

    phase = demo["phases"]["final"]
    tar = Path(demo["baselines"]["noise-knn"])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs + 1):  # the first run warms imports (a worker process is long-lived)
            t0 = time.perf_counter()
            r = run_and_score(tar, Path(phase["bundle"]), phase["settings"], workdir=Path(tmp) / str(i))
            wall = time.perf_counter() - t0
            if i:
                rows.append((r.timings, wall))
    med = lambda key: statistics.median(t[key] for t, _ in rows)  # noqa: E731
    container = med("container")
    before, after = med("overhead_before_container"), med("overhead_after_container")
    wall = statistics.median(w for _, w in rows)
    load = med("load")
    print(f"[run]  demo final phase, baseline image, median of {runs} warm runs")
    print(f"       container run time                         {container:8.3f} s")
    print(f"       task start -> container start (no load)    {before:8.3f} s")
    print(f"       container exit -> result ready             {after:8.3f} s")
    print(f"       image load (baseline, base layers cached)  {load:8.3f} s")
    print(f"       total wall time                            {wall:8.3f} s")
    print(f"       ratio total / container (load excluded)    {(wall - load) / container:8.3f}  (target <= 1.1)")
    print(f"       ratio total / container (load included)    {wall / container:8.3f}")
    print(f"       result: score {r.score:.4f} {json.dumps({k: round(v, 4) for k, v in r.columns.items()})}")


def bench_image_load(demo: dict) -> None:
    import docker
    from sandbox.image import load_image, remove_image
    from submission_kit.deepfake.build import BASE_IMAGE, build_image, save_image

    client = docker.from_env(timeout=600)
    with tempfile.TemporaryDirectory() as tmp:
        tag = "aisc-bench/deepfake-load:latest"
        build_image(client, {"infer.py": b"print('x')\n", "blob.bin": os.urandom(512 << 20)}, tag, BASE_IMAGE)
        tar = save_image(client, tag, Path(tmp) / "big.tar")
        client.images.remove(tag, force=True)
        gib = tar.stat().st_size / 2**30
        img = load_image(client, tar, max_bytes=8 << 30)
        remove_image(client, img)
    print(f"[load] {gib:.3f} GiB archive with a new 512 MiB layer: {img.load_seconds:.2f} s "
          f"= {img.load_seconds / gib:.2f} s/GiB (checks included: digest {img.id[:19]})")
    tar = Path(demo["baselines"]["noise-knn"])
    img = load_image(client, tar, max_bytes=8 << 30)
    remove_image(client, img)
    gib = tar.stat().st_size / 2**30
    print(f"[load] baseline {gib:.3f} GiB archive, base layers already on the engine: {img.load_seconds:.2f} s "
          f"= {img.load_seconds / gib:.2f} s/GiB")


def bench_scoring(n: int = 10_000) -> None:
    from evaluators.deepfake.bundle import DeepfakeBundle
    from evaluators.deepfake.scoring import (
        parse_for_bundle,
        read_prediction_lines,
        score_predictions,
    )
    from evaluators.deepfake.settings import parse_settings

    rng = np.random.default_rng(0)
    methods = [f"m{i}" for i in range(14)]
    probes = {f"p{i:06d}": methods[rng.integers(14)] for i in range(n)}
    gallery = {f"g{i:06d}": methods[rng.integers(11)] for i in range(n)}
    bundle = DeepfakeBundle(Path("."), probes, gallery, frozenset(methods[11:]))
    gids = list(gallery)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "predictions.jsonl"
        with open(path, "w") as f:
            for p in probes:
                pick = rng.choice(n, 5, replace=False)
                f.write(json.dumps({"probe": p, "top5": [{"gallery": gids[j], "similarity": float(rng.random())}
                                                         for j in pick], "novel_prob": float(rng.random())}) + "\n")
        cfg = parse_settings({"phase_kind": "final"})
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            preds = parse_for_bundle(read_prediction_lines(path, 64 << 20), bundle, cfg)
            t1 = time.perf_counter()
            result = score_predictions(preds, bundle, cfg)
            times.append((time.perf_counter() - t0, t1 - t0))
        total, parse = min(times)
    print(f"[score] {n} probes x {n} gallery: "
          f"{total:.3f} s total, {parse:.3f} s strict parsing (target < 1 s); P@5 {result.columns['precision@5']:.4f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the quick demo (small bundles)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from authoring.deepfake.demo import build_demo

    t0 = time.perf_counter()
    demo = build_demo(ROOT / "var" / ("deepfake-demo-quick" if args.quick else "deepfake-demo"), quick=args.quick)
    print(f"[demo] ready in {time.perf_counter() - t0:.1f} s")
    bench_scoring()
    bench_run_overhead(demo, args.runs)
    bench_image_load(demo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
