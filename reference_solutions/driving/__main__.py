"""python -m reference_solutions.driving METHOD --demo DIR --out DIR [--budget quick|full] [--seed N]

METHOD: xjtu_vanish | bjtu_adam | xjtu_aisec. Reads only the demo's public scenes
(public_train/, public_val/) and its white-box model-set entries. Progress on stderr.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluators.common.device import DeviceUnavailable

from .generate import generate
from .methods import RUNNERS


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reference_solutions.driving", description=__doc__.splitlines()[0])
    p.add_argument("method", choices=sorted(RUNNERS))
    p.add_argument("--demo", required=True, type=Path, help="the driving demo directory (build_demo's out_dir)")
    p.add_argument("--out", required=True, type=Path, help="output directory")
    p.add_argument("--budget", default="quick", choices=("quick", "full"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, help="override the budget's optimisation steps")
    p.add_argument("--device", default="cpu", help="auto | cpu | cuda | cuda:N for the white-box detectors "
                                                   "(default cpu, as the regression runs)")
    a = p.parse_args(argv)
    if not (a.demo / "model_set.json").is_file():
        p.error(f"{a.demo} has no model_set.json: pass the driving demo directory (python -m authoring build-driving-demo)")
    last = [-1]

    def progress(stage: str, pct: float) -> None:
        if int(pct) != last[0]:
            last[0] = int(pct)
            print(f"[{a.method}] {stage}: {pct:.0f}%", file=sys.stderr, flush=True)

    key, run = RUNNERS[a.method]
    overrides = {"steps": a.steps} if a.steps else None
    try:
        out = generate(key, run, a.method, a.demo, a.out, seed=a.seed, budget_name=a.budget, overrides=overrides,
                       progress=progress, threads=a.threads, device=a.device)
    except DeviceUnavailable as e:
        print(f"{a.method}: {e}", file=sys.stderr)
        return 2
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
