"""Driving commands for ``python -m evaluators``: build-driving-bundle, driving-marker-texture,
build-driving-demo, driving-baselines."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _scene(value: str):
    from .builder import SceneSource

    parts = value.split(":")
    if len(parts) not in (3, 4):
        raise argparse.ArgumentTypeError("--scene takes NAME:KIND:RECORDING[:CLEAN_RECORDING]")
    return SceneSource(parts[0], parts[1], Path(parts[2]), Path(parts[3]) if len(parts) == 4 else None)


def _marker(args: argparse.Namespace):
    from authoring.driving.markers.spec import MarkerOptionError, spec_from_args

    try:
        return spec_from_args(args)
    except MarkerOptionError as e:
        print(f"{args.command}: error: {e}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_build_bundle(args: argparse.Namespace) -> int:
    from evaluators.common.errors import BundleError

    from .builder import build_bundle

    spec = _marker(args)
    try:
        build_bundle(Path(args.out), args.scene, public=args.public, marker=spec, frame_ext=args.frame_ext)
    except BundleError as e:
        print(f"BUNDLE ERROR: {e}", file=sys.stderr)
        return 3
    print(f"bundle written to {args.out}")
    return 0


def cmd_marker_texture(args: argparse.Namespace) -> int:
    import cv2

    from authoring.driving.markers.spec import marker_texture

    cv2.imwrite(args.out, marker_texture(_marker(args)))
    print(f"marker texture (2790x1260 patch area) written to {args.out}")
    return 0


def cmd_build_demo(args: argparse.Namespace) -> int:
    from .demo import DEMO_MODELS, DEMO_RECORD, FULL, build_demo, freeze_detectors

    if args.freeze and args.quick:
        raise SystemExit("--freeze re-creates the full demo's shipped detectors; it does not go with --quick")
    demo = build_demo(Path(args.out), quick=args.quick, train=args.train or args.freeze)
    if args.freeze:
        freeze_detectors(Path(args.out).resolve(), DEMO_MODELS, DEMO_RECORD, "demo", FULL, demo["clean_detection_rate"],
                         "Fixed detectors of the full driving demo (authoring/driving/demo.py), trained once with "
                         "FULL by authoring.driving.scenegen.train. Re-create with `python -m evaluators "
                         "build-driving-demo --out DIR --freeze`.")
        print(f"froze the trained detectors into {DEMO_MODELS}", file=sys.stderr)
    print(json.dumps(demo, indent=1))
    return 0


def cmd_baselines(args: argparse.Namespace) -> int:
    from .baselines import write_baselines

    print(json.dumps(write_baselines(Path(args.out)), indent=1))
    return 0


def add_commands(sub) -> None:
    from authoring.driving.markers.spec import add_marker_arguments

    p = sub.add_parser("build-driving-bundle", help="driving: scene bundle from marker recordings (key colour, "
                       "ArUco or checkerboard on the patch area)")
    p.add_argument("--out", required=True, help="new bundle directory")
    p.add_argument("--scene", action="append", required=True, type=_scene,
                   help="NAME:KIND:RECORDING[:CLEAN_RECORDING]; KIND is truck or mannequin; a recording is a "
                        "video file or a folder of frames (repeat for every scene)")
    add_marker_arguments(p)
    p.add_argument("--public", action="store_true", help="mark the bundle as public (teams may download it)")
    p.add_argument("--frame-ext", default=".png", choices=(".png", ".jpg"))
    p.set_defaults(func=cmd_build_bundle)
    p = sub.add_parser("driving-marker-texture", help="driving: the patch-area marker texture to render in CARLA")
    p.add_argument("--out", required=True, help="PNG file to write")
    add_marker_arguments(p)
    p.set_defaults(func=cmd_marker_texture)
    p = sub.add_parser("build-driving-demo", help="driving: build the offline demo (scenes, detectors, baselines)")
    p.add_argument("--out", default="var/demo/driving")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--train", action="store_true", help="train the detectors here instead of using the shipped ones")
    p.add_argument("--freeze", action="store_true",
                   help="train them here and replace the shipped full-demo detectors (authoring/driving/demo_models)")
    p.set_defaults(func=cmd_build_demo)
    p = sub.add_parser("driving-baselines", help="driving: write the baseline submissions")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_baselines)
