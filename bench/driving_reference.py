"""The driving reference methods against the baselines on a driving demo, with the real scorer.

For each method (generated from the demo's public part, full budget by default) and each
baseline: white-box and black-box detection suppression (the share of hidden frames where
the model finds no target) on the preliminary phase (truck scenes) and over all hidden
scenes, the area term, the score per phase (preliminary; final = 0.8 truck + 0.2
mannequin), and the generation time. The final phase is scored once per submission; the
preliminary score is the same per-scene undetected fractions restricted to the truck
scenes (the preliminary phase's exact formula), so no frame is scored twice.

    .venv/bin/python bench/driving_reference.py [--demo var/demo/driving] [--budget full]
        [--out var/bench/driving_reference] [--methods xjtu_vanish,...] [--no-baselines]

Results are cached per artifact sha256 in --out (delete the folder to re-measure).
Reads the demo only (never rewrites it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASELINES = ("empty_mask", "random_noise", "solid_colour")


def phases(demo_dir: Path) -> dict:
    """The demo's phases as build_demo returns them, without calling it (it would rewrite files)."""
    ms = str(demo_dir / "model_set.json")
    base = {"model_set": ms, "area_weight": 0.2, "max_regions": 5, "pictures": False}
    return {"preliminary": {"bundle": str(demo_dir / "hidden"), "settings": dict(base, kinds=["truck"])},
            "final": {"bundle": str(demo_dir / "hidden"), "settings": dict(base, final_mix={"truck": 0.8, "mannequin": 0.2})}}


def score_once(artifact: Path, demo_dir: Path, cache: Path) -> dict:
    from evaluators.common.manifest import sha256_file
    from evaluators.driving import SCORER_VERSION, score
    from evaluators.driving.scoring import attack_term

    key = cache / f"score-{sha256_file(artifact)[:16]}-{SCORER_VERSION}.json"
    if key.is_file():
        return json.loads(key.read_text())
    ph = phases(demo_dir)["final"]
    t = time.monotonic()
    r = score(artifact, Path(ph["bundle"]), ph["settings"])
    if not r.valid:
        out = {"valid": False, "messages": r.messages, "final": 0.0, "preliminary": 0.0}
    else:
        fr = r.details["fractions"]
        from evaluators.driving.bundle import load_bundle

        kinds = {sc.name: sc.kind for sc in load_bundle(Path(ph["bundle"]), verify=False).scenes}
        trucks = [s for s, k in kinds.items() if k == "truck"]
        out = {"valid": True, "final": r.score, "preliminary": attack_term(fr, trucks) + 0.2 * r.columns["area"],
               "area": r.columns["area"],
               "models_all": {m: sum(per.values()) / len(per) for m, per in fr.items()},
               "models_truck": {m: sum(per[s] for s in trucks) / len(trucks) for m, per in fr.items()},
               "score_seconds": round(time.monotonic() - t, 1)}
    key.write_text(json.dumps(out, indent=1))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=ROOT / "var" / "demo" / "driving")
    ap.add_argument("--budget", default="full", choices=("quick", "full"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "driving_reference")
    ap.add_argument("--methods", default="xjtu_vanish,bjtu_adam,xjtu_aisec")
    ap.add_argument("--no-baselines", action="store_true")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(2)
    from reference_solutions.driving.generate import generate
    from reference_solutions.driving.methods import RUNNERS

    demo_dir = args.demo.resolve()
    if not (demo_dir / "clean_rates.json").is_file():
        sys.exit(f"{demo_dir} is not a finished driving demo (no clean_rates.json)")
    out = args.out / args.budget
    out.mkdir(parents=True, exist_ok=True)
    print(f"# load average {os.getloadavg()[0]:.1f}; demo {demo_dir}; budget {args.budget}", flush=True)
    rows = []
    for name in [m for m in args.methods.split(",") if m]:
        artifact = out / f"{name}.png"
        if not artifact.is_file():
            key, run = RUNNERS[name]
            progress = lambda stage, pct, n=name: print(f"  [{n}] {stage} {pct:.0f}%", file=sys.stderr, flush=True)
            generate(key, run, name, demo_dir, out, seed=args.seed, budget_name=args.budget, progress=progress)
        report = json.loads((out / f"{name}.json").read_text())
        rows.append((name, score_once(artifact, demo_dir, out), report["seconds"]))
        print(f"  scored {name}", flush=True)
    if not args.no_baselines:
        for b in BASELINES:
            rows.append((f"baseline: {b}", score_once(demo_dir / "baselines" / f"{b}.png", demo_dir, out), None))
            print(f"  scored {b}", flush=True)
    rates = json.loads((demo_dir / "clean_rates.json").read_text())["rates"]
    print("clean hidden frames detected: " + ", ".join(f"{m} {v['all']:.3f}" for m, v in rates.items()))
    models = list(rows[0][1]["models_all"]) if rows and rows[0][1].get("valid") else []
    head = ["submission"] + [f"{m} truck/all" for m in models] + ["area", "preliminary", "final", "generation (wall / CPU s)"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for name, r, secs in rows:
        if not r.get("valid"):
            print(f"| {name} | void: {r.get('messages')} |")
            continue
        cells = [name] + [f"{r['models_truck'][m]:.3f} / {r['models_all'][m]:.3f}" for m in models]
        cells += [f"{r['area']:.3f}", f"{r['preliminary']:.3f}", f"{r['final']:.3f}",
                  f"{secs['wall']:.0f} / {secs['cpu']:.0f}" if secs else "-"]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
