"""Benchmark the driving scorer on the full offline demo.

Scores one patch on the demo's final phase (2 models x 10 scenes x 240 frames) and prints,
from this one run: total scoring time, bare detector inference time on the same frames,
their ratio (target <= 1.2), render throughput (frames/s) and peak memory.

    .venv/bin/python bench/bench_driving.py [--demo var/demo/driving] [--patch random_noise]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--demo", default=str(ROOT / "var" / "demo" / "driving"))
    ap.add_argument("--patch", default="random_noise", help="baseline name or a submission file")
    ap.add_argument("--phase", default="final")
    ap.add_argument("--quick", action="store_true", help="use the quick demo (for a smoke run)")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(2)
    from authoring.driving.demo import build_demo
    from evaluators.driving import score
    from evaluators.driving.bundle import load_bundle
    from evaluators.driving.detectors import load_detectors
    from evaluators.driving.render import build_pyramid, render_frame
    from evaluators.driving.submission import load_patch

    demo = build_demo(Path(args.demo), quick=args.quick)
    phase = demo["phases"][args.phase]
    patch_path = Path(demo["baselines"].get(args.patch, args.patch))
    bundle_dir, settings = Path(phase["bundle"]), dict(phase["settings"])
    bundle = load_bundle(bundle_dir)
    scenes = bundle.select(settings.get("kinds"))
    n_frames = sum(len(s) for s in scenes)
    print(f"demo {args.demo}: phase {args.phase}, {len(scenes)} scenes, {n_frames} frames, patch {patch_path.name}")

    t = time.perf_counter()
    res = score(patch_path, bundle_dir, settings, workdir=Path(args.demo) / "bench_work")
    total = time.perf_counter() - t
    n_models = len([k for k in res.columns if k.startswith("model:")])
    print(f"score {res.score:.4f}  columns: " + ", ".join(f"{k}={v:.3f}" for k, v in res.columns.items() if not k.startswith("scene:")))
    print("scorer timings: " + ", ".join(f"{k}={v:.1f}s" for k, v in res.timings.items()))

    detectors = load_detectors(settings["model_set"])
    patch = load_patch(patch_path)
    pyr = build_pyramid(patch.texture_bgr, patch.mask)
    bare = render_s = 0.0
    for sc in scenes:
        frames = [sc.frame(i) for i in range(len(sc))]
        t = time.perf_counter()
        patched = [render_frame(f, pyr, sc.quads[i], sc.shading_at(i), sc.occluder_at(i)) for i, f in enumerate(frames)]
        render_s += time.perf_counter() - t
        # bare inference gets the same cores the scorer uses: one thread per detector
        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(detectors)) as pool:
            for k in range(0, len(patched), 16):
                list(pool.map(lambda d: d.detect(patched[k : k + 16]), detectors))
        bare += time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"total scoring time            {total:8.1f} s  ({n_models} models x {n_frames} frames)")
    print(f"bare detector inference time  {bare:8.1f} s  (same frames, pre-decoded and pre-rendered, "
          "the detectors side by side as in the scorer)")
    print(f"ratio total / bare            {total / bare:8.3f}   (target <= 1.2)")
    print(f"render throughput             {n_frames / render_s:8.1f} frames/s")
    print(f"peak memory (max RSS)         {peak:8.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
