"""``python -m authoring <command>``: build bundles, demos, model sets and detectors.

Each track adds its commands through ``authoring.<track>.cli.add_commands(subparsers)``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from evaluators.common.errors import BundleError

TRACKS = ("face", "driving", "deepfake")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for track in TRACKS:
        importlib.import_module(f"authoring.{track}.cli").add_commands(sub)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BundleError as e:  # bad input or a device this machine lacks: the reason, not a traceback
        print(f"python -m authoring {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
