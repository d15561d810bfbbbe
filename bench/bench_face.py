"""Face scorer benchmark: a full-size submission scored end to end against the models' own inference.

Builds (once, under var/face_bench/) an N-pair bundle from the offline demo's packaged faces with
random jitter (no LFW needed), a naive-patch submission for it (every sample valid, so every image
goes through the models), warms the target-embedding cache (computed once per bundle by design),
then prints: total scoring time, bare inference time of the three models on the same decoded
adversarial images, their ratio (target <= 1.15) in wall-clock and in process CPU time (the
latter is not skewed by other load on a shared machine), per-stage times and peak memory
(target < 2 GiB).

    .venv/bin/python bench/bench_face.py [--pairs 3000]
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from authoring.face.baselines import write_baseline  # noqa: E402
from authoring.face.demo import build_demo, jitter  # noqa: E402
from evaluators.face import score  # noqa: E402
from evaluators.face.bundle import load_face_bundle, write_face_bundle  # noqa: E402
from evaluators.face.scoring import cached_models, check_samples, target_embeddings  # noqa: E402
from evaluators.face.settings import parse_settings  # noqa: E402


def make_bundle(calib: Path, out: Path, n: int):
    if (out / "manifest.json").is_file() and load_face_bundle(out, verify=False).n_pairs == n:
        return load_face_bundle(out, verify=False)
    from PIL import Image

    faces = {}
    for f in sorted(calib.glob("*/*_00.png")):
        faces.setdefault(f.parent.name, []).append(np.asarray(Image.open(f).convert("RGB")))
    names = sorted(faces)
    rng = np.random.default_rng(3000)
    pairs = []
    for _ in range(n):
        a, b = rng.choice(len(names), 2, replace=False)
        src = faces[names[a]][rng.integers(len(faces[names[a]]))]
        dst = faces[names[b]][rng.integers(len(faces[names[b]]))]
        pairs.append((np.ascontiguousarray(jitter(src, rng)), np.ascontiguousarray(jitter(dst, rng)),
                      {"source_identity": names[a], "target_identity": names[b]}))
    return write_face_bundle(out, pairs, meta={"source": "jittered packaged faces (benchmark)"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=3000)
    ap.add_argument("--out", default=str(ROOT / "var" / "face_bench"))
    args = ap.parse_args()
    out = Path(args.out)
    demo = build_demo(ROOT / "var" / "face_demo")
    settings = dict(demo["phases"]["preliminary"]["settings"], cache_dir=str(out / "cache"))
    settings.pop("n_pairs")
    t = time.perf_counter()
    bundle = make_bundle(Path(settings["model_set"]).parent / "calib", out / f"bundle_{args.pairs}", args.pairs)
    sub = out / f"naive_patch_{args.pairs}.zip"
    if not sub.is_file():
        write_baseline(bundle, "naive_patch", sub)
    print(f"bundle {bundle.root} ({bundle.n_pairs} pairs) and submission ready in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    cfg = parse_settings(settings)
    computed = {m.name: target_embeddings(m, bundle, bundle.ids, cfg)[1] for m in cached_models(cfg.model_set)}
    print(f"target-embedding cache (computed once per bundle) ready in {time.perf_counter() - t:.1f} s, "
          f"computed now {computed}")

    t, c = time.perf_counter(), time.process_time()
    res = score(sub, bundle.root, settings, workdir=out / "work")
    total, total_cpu = time.perf_counter() - t, time.process_time() - c

    _, images, _, _ = check_samples(sub, bundle, cfg)
    adv = np.stack([images[k] for k in sorted(images)])
    # bare inference gets the same cores the scorer uses: the models side by side, one thread each
    bare = {}

    def embed(m):
        t0 = time.perf_counter()
        m.embed_batched(adv, cfg.batch_size)
        bare[m.name] = time.perf_counter() - t0

    models = cached_models(cfg.model_set)
    t, c = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(max_workers=len(models)) as pool:
        list(pool.map(embed, models))
    bare_total, bare_cpu = time.perf_counter() - t, time.process_time() - c
    overhead = total - res.timings["inference"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux

    print(f"\nface scorer benchmark: {bundle.n_pairs} pairs, {len(images)} valid samples, 3 models")
    print(f"score {res.score:.6f}  " + "  ".join(f"{k} {v:.4f}" for k, v in res.columns.items()))
    print(f"total scoring time      {total:8.2f} s")
    print(f"bare model inference    {bare_total:8.2f} s  (side by side; each model alone in its thread: " +
          ", ".join(f"{k} {v:.2f} s" for k, v in bare.items()) + ")")
    print(f"ratio total / bare      {total / bare_total:8.3f}  wall clock (target <= 1.15)")
    print(f"ratio total / bare      {total_cpu / bare_cpu:8.3f}  process CPU time ({total_cpu:.1f} s / {bare_cpu:.1f} s;"
          " robust to other load on the machine)")
    print(f"non-inference share     {overhead / total:8.3%}  of the scoring wall time ({overhead:.2f} s)")
    for stage in ("load", "unzip_validate", "connected_components", "inference", "scoring", "picture"):
        print(f"  stage {stage:22s} {res.timings.get(stage, 0.0):8.3f} s")
    print(f"peak memory (max RSS)   {peak:8.0f} MiB  (target < 2048 MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
