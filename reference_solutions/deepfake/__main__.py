"""``python -m reference_solutions.deepfake areyoufake|hello_world --demo DIR --out DIR
[--budget quick|full] [--seed N] [--threads 1]``

Trains on DIR's public data (``data/train_labelled``, ``data/train_unlabelled``), builds the
submission image with the submission kit and writes OUT/<method>.tar (the ``docker save``
tarball), OUT/<method>.json (training curve, pseudo-label rounds, validation figures, seconds)
and OUT/<method>.png. Progress goes to stderr.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .recipes import BUDGETS, RECIPES


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference_solutions.deepfake", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("method", choices=sorted(RECIPES))
    ap.add_argument("--demo", type=Path, required=True, help="the deepfake demo directory (build_demo's out_dir)")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--budget", choices=sorted(BUDGETS), default="quick")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these small networks)")
    args = ap.parse_args(argv)

    last = [""]

    def progress(stage: str, pct: float) -> None:
        line = f"[{pct:5.1f}%] {stage}"
        if line != last[0]:
            print(line, file=sys.stderr, flush=True)
            last[0] = line

    from .generate import generate

    try:
        tar = generate(args.method, args.demo, args.out, seed=args.seed, budget=args.budget,
                       threads=args.threads, progress=progress)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(tar)
    return 0


if __name__ == "__main__":
    sys.exit(main())
