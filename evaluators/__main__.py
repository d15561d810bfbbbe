"""Command line for the scorers: ``python -m evaluators score --track T --bundle DIR --submission F``.

Scoring only. Building bundles, demos, model sets and detectors is ``python -m authoring``.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from .common.errors import BundleError, SubmissionRejected
from .registry import TRACKS


def _load_settings(value: str | None) -> dict:
    if not value:
        return {}
    p = Path(value)
    text = p.read_text() if p.is_file() else value
    if p.suffix in (".yaml", ".yml"):
        import yaml

        return yaml.safe_load(text) or {}
    return json.loads(text)


def cmd_score(args: argparse.Namespace) -> int:
    mod = importlib.import_module(f"evaluators.{args.track}")  # the library's score(): deepfake scores predictions
    settings = _load_settings(args.settings)
    if args.model_set:
        settings["model_set"] = args.model_set
    workdir = Path(args.workdir) if args.workdir else None

    def progress(stage: str, pct: float) -> None:
        if args.progress:
            print(f"[{pct:5.1f}%] {stage}", file=sys.stderr, flush=True)

    try:
        result = mod.score(Path(args.submission), Path(args.bundle), settings, progress=progress, workdir=workdir)
    except SubmissionRejected as e:
        print(f"REJECTED: {e}", file=sys.stderr)
        return 2
    except BundleError as e:
        print(f"BUNDLE ERROR: {e}", file=sys.stderr)
        return 3
    print(f"track {result.track}  scorer {result.scorer_version}")
    print(f"score {result.score:.6f}" + ("" if result.valid else "  (void)"))
    for k, v in result.columns.items():
        print(f"  {k:32s} {v:.6f}")
    for m in result.messages:
        print(f"  - {m}")
    if args.out:
        result.write_json(args.out)
        print(f"result written to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluators", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("score", help="score one submission against a bundle")
    p.add_argument("--track", required=True, choices=TRACKS)
    p.add_argument("--bundle", required=True, help="bundle directory (with manifest.json)")
    p.add_argument("--submission", required=True, help="the submitted artifact")
    p.add_argument("--settings", help="phase scoring settings: a JSON/YAML file or inline JSON")
    p.add_argument("--model-set", help="model set file (overrides settings['model_set'])")
    p.add_argument("--workdir", help="where pictures and intermediate files go")
    p.add_argument("--out", help="write the result JSON here")
    p.add_argument("--progress", action="store_true", help="print progress to stderr")
    p.set_defaults(func=cmd_score)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
