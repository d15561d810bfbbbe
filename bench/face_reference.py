"""Face reference attack on the offline face demo: port agreement, generation time, and
success per evaluation model (models the attack used vs models it never saw), next to the
track's baselines. Everything is measured in this one run.

    .venv/bin/python bench/face_reference.py [--full] [--iterations 150] [--threads 2] [--batch-sizes 1,8]

``--batch-sizes 1,8`` generates each method once per batch size at the same iterations and seed
and prints seconds per pair for each, how many pixels of the artifacts differ from the first
batch size's, and every artifact's scores: a pair's random draws do not depend on the batch size,
so what differs is float rounding in the batched surrogates alone.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from authoring.face.demo import build_demo  # noqa: E402
from evaluators.common.manifest import sha256_file  # noqa: E402
from evaluators.common.model_set import load_model_set  # noqa: E402
from evaluators.face import score  # noqa: E402
from evaluators.face.backends import load_backend  # noqa: E402
from reference_solutions.face.deep_dream import DeepDreamConfig  # noqa: E402
from reference_solutions.face.generate import (  # noqa: E402
    DEFAULT_MODELS,
    METHODS,
    generate_submission,
)
from reference_solutions.face.public_bundle import load_public_pairs  # noqa: E402
from reference_solutions.face.surrogates import load_surrogate  # noqa: E402
from reference_solutions.face.surrogates.models import source_file  # noqa: E402


def seen_models(model_set: list[dict], surrogates: list[str]) -> dict[str, str]:
    """Evaluation model name -> surrogate built from the same file (by sha256)."""
    digests = {sha256_file(source_file(s)): s for s in surrogates}
    return {m["name"]: digests[m["sha256"]] for m in model_set if m.get("sha256") in digests}


def port_agreement(model_set: list[dict], seen: dict[str, str], faces: np.ndarray) -> dict[str, float]:
    out = {}
    x = torch.from_numpy(faces).permute(0, 3, 1, 2).float()
    for spec in model_set:
        if spec["name"] in seen:
            with torch.no_grad():
                ours = load_surrogate(seen[spec["name"]])(x).numpy()
            theirs = load_backend(spec).embed_batched(faces)
            out[spec["name"]] = float((ours * theirs).sum(1).min())
    return out


def read_submission(path: Path, ids: list[str]) -> np.ndarray:
    """The submission's images in ``ids`` order, N x H x W x 3 uint8."""
    import io
    import zipfile

    from PIL import Image

    with zipfile.ZipFile(path) as zf:
        return np.stack([np.asarray(Image.open(io.BytesIO(zf.read(f"{i}.png"))).convert("RGB")) for i in ids])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="the full demo bundle (default: the quick one)")
    ap.add_argument("--iterations", type=int, default=DeepDreamConfig.iterations)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", default=",".join(METHODS), help=f"from: {', '.join(METHODS)}")
    ap.add_argument("--batch-sizes", default=str(DeepDreamConfig.batch_size),
                    help="comma-separated pairs per batch, each generated and scored (default %(default)s)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    demo = build_demo(ROOT / "var" / "face_demo", quick=not args.full)
    phases = demo["phases"]
    first = next(iter(phases.values()))
    bundle = Path(first["bundle"])
    model_set = load_model_set(first["settings"]["model_set"], "face")
    seen = seen_models(model_set, list(DEFAULT_MODELS))
    pairs = load_public_pairs(bundle)
    print(f"bundle {bundle} ({len(pairs.ids)} pairs); evaluation models: {[m['name'] for m in model_set]}")
    print(f"attack surrogates: {list(DEFAULT_MODELS)} = evaluation models {sorted(seen)}; "
          f"never seen: {sorted(set(m['name'] for m in model_set) - set(seen))}")
    faces = np.concatenate([pairs.originals, pairs.compares])
    for name, cos in port_agreement(model_set, seen, faces).items():
        print(f"port agreement {name}: min cosine(torch port, scorer backend) over {len(faces)} faces = {cos:.6f}")

    batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    generated, per_pair = {}, {}
    for method in [m for m in args.methods.split(",") if m]:
        for b in batch_sizes:
            cfg = DeepDreamConfig(iterations=args.iterations, seed=args.seed, batch_size=b)
            label = method if len(batch_sizes) == 1 else f"{method}@b{b}"
            out = ROOT / "var" / "reference" / "face" / ("full" if args.full else "quick") / f"{label}.zip"
            t = time.perf_counter()
            report = generate_submission(bundle, out, config=cfg, threads=args.threads, method=method)
            gen = time.perf_counter() - t
            generated[label] = out
            per_pair[label] = gen / len(pairs.ids)
            print(f"{label}: {len(pairs.ids)} pairs, {args.iterations} iterations, batch {b}, {gen:.1f} s "
                  f"({per_pair[label]:.2f} s/pair on {args.threads} threads); "
                  f"max pixels {max(s['pixels'] for s in report['samples'])}, "
                  f"max components {max(s['components'] for s in report['samples'])}; preview {out.with_suffix('.png')}")
        if len(batch_sizes) > 1:
            first = f"{method}@b{batch_sizes[0]}"
            base = read_submission(generated[first], pairs.ids)
            for b in batch_sizes[1:]:
                label = f"{method}@b{b}"
                other = read_submission(generated[label], pairs.ids)
                differ = int(np.any(base != other, axis=-1).sum())
                print(f"{method}: batch {b} against batch {batch_sizes[0]}: "
                      f"{per_pair[first] / per_pair[label]:.2f}x faster per pair; {differ} of "
                      f"{base.shape[0] * base.shape[1] * base.shape[2]} pixels differ "
                      f"(largest difference {int(np.abs(base.astype(int) - other).max())} grey levels)")

    submissions = {**generated, **{k: Path(v) for k, v in demo["baselines"].items()}}
    for phase, spec in phases.items():
        print(f"\nphase {phase} (connectivity {spec['settings'].get('connectivity', 8)}):")
        print(f"  {'submission':<12} {'score':>6}  " + "  ".join(
            f"{m['name']}{'*' if m['name'] in seen else ''}" for m in model_set) + "   valid")
        for name, path in submissions.items():
            res = score(path, Path(spec["bundle"]), spec["settings"])
            cols = "  ".join(format(res.columns["model:" + m["name"]], f">{len(m['name']) + (m['name'] in seen)}.3f")
                             for m in model_set)
            print(f"  {name:<12} {res.score:6.3f}  {cols}   {res.details['n_valid']}/{res.details['n_pairs']}")
    print("\n(* = model the attack used as a surrogate; the others it never saw)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
