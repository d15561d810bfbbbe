"""Driving commands for ``python -m evaluators``: build-driving-bundle, build-driving-demo,
driving-baselines."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def _scene(value: str):
    from .builder import SceneSource

    parts = value.split(":")
    if len(parts) not in (3, 4):
        raise argparse.ArgumentTypeError("--scene takes NAME:KIND:RECORDING[:CLEAN_RECORDING]")
    return SceneSource(parts[0], parts[1], Path(parts[2]), Path(parts[3]) if len(parts) == 4 else None)


def cmd_build_bundle(args: argparse.Namespace) -> int:
    from .builder import build_bundle

    key = tuple(int(v) for v in args.key_colour.split(","))
    build_bundle(Path(args.out), args.scene, public=args.public, key_rgb=key, frame_ext=args.frame_ext)
    print(f"bundle written to {args.out}")
    return 0


def cmd_build_demo(args: argparse.Namespace) -> int:
    from .demo import build_demo

    print(json.dumps(build_demo(Path(args.out), quick=args.quick), indent=1))
    return 0


def cmd_baselines(args: argparse.Namespace) -> int:
    from .baselines import write_baselines

    print(json.dumps(write_baselines(Path(args.out)), indent=1))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("build-driving-bundle", help="driving: scene bundle from key-colour marker recordings")
    p.add_argument("--out", required=True, help="new bundle directory")
    p.add_argument("--scene", action="append", required=True, type=_scene,
                   help="NAME:KIND:RECORDING[:CLEAN_RECORDING]; KIND is truck or mannequin; a recording is a "
                        "video file or a folder of frames (repeat for every scene)")
    p.add_argument("--key-colour", default="255,0,255", help="marker colour R,G,B (default magenta)")
    p.add_argument("--public", action="store_true", help="mark the bundle as public (teams may download it)")
    p.add_argument("--frame-ext", default=".png", choices=(".png", ".jpg"))
    p.set_defaults(func=cmd_build_bundle)
    p = sub.add_parser("build-driving-demo", help="driving: build the offline demo (scenes, detectors, baselines)")
    p.add_argument("--out", default="var/demo/driving")
    p.add_argument("--quick", action="store_true")
    p.set_defaults(func=cmd_build_demo)
    p = sub.add_parser("driving-baselines", help="driving: write the baseline submissions")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_baselines)
