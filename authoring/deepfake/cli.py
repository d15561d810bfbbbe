"""Deepfake commands for ``python -m evaluators``."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def cmd_data(args: argparse.Namespace) -> int:
    from .datagen import build_dataset

    out = build_dataset(Path(args.out), quick=args.quick, seed=args.seed,
                        progress=lambda stage, pct: print(f"[{pct:5.1f}%] {stage}", flush=True))
    print(f"deepfake data set in {out}")
    return 0


def cmd_check_image(args: argparse.Namespace) -> int:
    from evaluators.deepfake.image_archive import check_image_archive

    from evaluators.common.errors import SubmissionRejected

    try:
        info = check_image_archive(Path(args.tarball), max_bytes=int(args.max_mb * 2**20))
    except SubmissionRejected as e:
        print(f"REJECTED: {e}")
        return 2
    print(json.dumps(info.__dict__, indent=1))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("build-deepfake-data", help="generate the offline deepfake data set and phase bundles")
    p.add_argument("--out", default="var/deepfake/data")
    p.add_argument("--quick", action="store_true", help="small sets (tests)")
    p.add_argument("--seed", type=int, default=2022)
    p.set_defaults(func=cmd_data)
    p = sub.add_parser("check-deepfake-image", help="the upload checks of a docker-save tarball (no Docker)")
    p.add_argument("tarball")
    p.add_argument("--max-mb", type=float, default=4096)
    p.set_defaults(func=cmd_check_image)
