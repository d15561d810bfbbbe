"""Face-track commands for ``python -m evaluators``."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def _progress(stage: str, pct: float) -> None:
    print(f"[{pct:5.1f}%] {stage}", flush=True)


def cmd_build_bundle(args: argparse.Namespace) -> int:
    from .builder import build_face_bundle

    b = build_face_bundle(args.lfw, args.pairs, args.out, max_pairs=args.max_pairs, progress=_progress,
                          device=args.device)
    meta = b.manifest["meta"]
    print(f"bundle {b.root}: {b.n_pairs} different-identity pairs, {meta['n_skipped']} skipped")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from evaluators.face.settings import NEAR_THRESHOLD_EPSILON

    from .calibrate import calibrate_model_set

    for r in calibrate_model_set(args.model_set, args.faces, args.far, out=args.out, progress=_progress):
        print(f"{r['name']:16s} threshold {r['threshold']:.6f}  FAR {r['far']:.4f} (target {r['far_target']})  "
              f"TAR {r['tar'] if r['tar'] is None else round(r['tar'], 4)}  "
              f"impostor pairs {r['impostor_pairs']}  genuine pairs {r['genuine_pairs']}  "
              f"gap {r['gap']['below']:.6f}..{r['gap']['above']:.6f} (width {r['gap']['width']:.6f})")
        if r["gap"]["width"] < 2 * NEAR_THRESHOLD_EPSILON:
            print(f"  note: the gap is narrower than twice the default near-threshold epsilon "
                  f"({NEAR_THRESHOLD_EPSILON}); the threshold is still off every data point, and scored "
                  "decisions this close to it are counted as near-threshold (details.near_threshold)")
    print(f"model set written to {args.out or args.model_set}")
    return 0


def cmd_model_set(args: argparse.Namespace) -> int:
    from evaluators.face.models import default_model_entries, liveness_entry, write_model_set

    models = default_model_entries() + ([liveness_entry()] if args.liveness else [])
    p = write_model_set(args.out, models, "offline models; run calibrate-face to set thresholds")
    print(f"model set written to {p} (thresholds unset: run calibrate-face)")
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from evaluators.face.bundle import load_face_bundle

    from .baselines import write_baseline

    print(write_baseline(load_face_bundle(args.bundle), args.kind, args.out))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    print(json.dumps(build_demo(Path(args.out), quick=args.quick), indent=1))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("build-face-bundle", help="LFW-style folder + pairs.txt -> face bundle (MTCNN, 112x112)")
    p.add_argument("--lfw", required=True, help="folder with <Name>/<Name>_0001.jpg")
    p.add_argument("--pairs", required=True, help="LFW pairs.txt (mismatched pairs are used)")
    p.add_argument("--out", required=True, help="bundle directory to write")
    p.add_argument("--max-pairs", type=int, default=None)
    p.add_argument("--device", default="cpu", help="where MTCNN runs: auto | cpu | cuda | cuda:N (default cpu)")
    p.set_defaults(func=cmd_build_bundle)
    p = sub.add_parser("calibrate-face", help="set model thresholds at a false-accept rate")
    p.add_argument("--model-set", required=True)
    p.add_argument("--faces", required=True, help="aligned 112x112 faces in <dir>/<identity>/*.png")
    p.add_argument("--far", type=float, default=0.01, help="false-accept rate on impostor pairs (default 0.01)")
    p.add_argument("--out", help="write here instead of updating the model set in place")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("face-model-set", help="write the offline three-model set (uncalibrated)")
    p.add_argument("--out", required=True)
    p.add_argument("--liveness", action="store_true",
                   help="add FaceAntiSpoofing.tflite as a liveness model (threshold 0.2 from its origin project)")
    p.set_defaults(func=cmd_model_set)
    p = sub.add_parser("face-baseline", help="write a baseline face submission zip")
    p.add_argument("--bundle", required=True)
    p.add_argument("--kind", choices=("unchanged", "naive_patch", "compare"), default="unchanged")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_baseline)
    p = sub.add_parser("face-demo", help="build the offline face demo (bundle, model set, baselines)")
    p.add_argument("--out", default="var/face_demo")
    p.add_argument("--quick", action="store_true")
    p.set_defaults(func=cmd_demo)
