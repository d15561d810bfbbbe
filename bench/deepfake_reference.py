"""Deepfake reference methods against the baseline on the demo (issue 6). Prints, from one run:
per method and per phase, precision@5, novelty AUC (final), S (the scorer's total: P@5, or
0.6 P@5 + 0.3 AUC on the final phase without the subjective part), the training time (wall and
CPU) and the image's inference time (container run time, 2 CPUs, the phase's limits).

    .venv/bin/python bench/deepfake_reference.py [--demo DIR] [--quick] [--seed 0] [--json OUT]
Needs the Docker Engine; builds the demo under var/deepfake-reference/ the first time.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def score_phases(demo: dict, tar: Path, tmp: Path) -> dict:
    from evaluators.deepfake.run import run_and_score

    out = {}
    for kind, phase in demo["phases"].items():
        r = run_and_score(tar, Path(phase["bundle"]), phase["settings"], workdir=tmp / kind)
        out[kind] = {"precision@5": r.columns["precision@5"], "auc": r.columns.get("auc"), "score": r.score,
                     "container_s": r.timings["container"], "probes": r.details["probes"],
                     "per_method": r.details["per_method_precision@5"]}
        print(f"  {kind:12s} P@5 {out[kind]['precision@5']:.4f}  AUC {out[kind]['auc'] or float('nan'):.4f}  "
              f"S {r.score:.4f}  container {r.timings['container']:.1f} s", flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", type=Path, help="demo directory (default var/deepfake-reference/full|quick)")
    ap.add_argument("--quick", action="store_true", help="the quick demo and the quick training budget")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from authoring.deepfake.demo import build_demo
    from reference_solutions.deepfake.generate import generate
    from reference_solutions.deepfake.recipes import RECIPES

    budget = "quick" if args.quick else "full"
    demo_dir = (args.demo or ROOT / "var" / "deepfake-reference" / budget).resolve()
    print(f"load average {os.getloadavg()[0]:.1f}; demo {demo_dir} ({budget})", flush=True)
    demo = build_demo(demo_dir, quick=args.quick)
    rows = {}
    with tempfile.TemporaryDirectory(prefix="aisc-df-ref-") as tmp:
        tmp = Path(tmp)
        for name in RECIPES:
            t0 = time.perf_counter()
            tar = generate(name, demo_dir, tmp / name, seed=args.seed, budget=budget)
            report = json.loads(tar.with_suffix(".json").read_text())
            print(f"{name}: generated in {time.perf_counter() - t0:.0f} s (fit {report['seconds']['total_fit']} s "
                  f"wall, {report['seconds']['cpu_fit']} CPU-s; rounds {report['rounds_trained']}, stable "
                  f"{report['pseudo_labels_stable']}, validation {report['validation']})", flush=True)
            rows[name] = {"report": {k: report[k] for k in ("seconds", "pseudo_label_rounds", "pseudo_labels_stable",
                                                             "validation", "image")},
                          "phases": score_phases(demo, tar, tmp / f"{name}-runs")}
        print("baseline noise-knn:", flush=True)
        rows["baseline:noise-knn"] = {"report": None,
                                      "phases": score_phases(demo, Path(demo["baselines"]["noise-knn"]), tmp / "base")}
    print("\n| submission | phase | P@5 | AUC | S | training (wall / CPU) | inference (container, 2 CPUs) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, row in rows.items():
        sec = row["report"]["seconds"] if row["report"] else None
        train = f"{sec['total_fit']:.0f} s / {sec['cpu_fit']:.0f} CPU-s" if sec else "-"
        for kind, p in row["phases"].items():
            auc = f"{p['auc']:.3f}" if p["auc"] is not None else "-"
            print(f"| {name} | {kind} | {p['precision@5']:.3f} | {auc} | {p['score']:.3f} | {train} | "
                  f"{p['container_s']:.1f} s ({p['probes']} probes) |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
