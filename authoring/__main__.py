"""``python -m authoring <command>``: build bundles, demos, model sets and detectors.

Each track adds its commands through ``authoring.<track>.cli.add_commands(subparsers)``.
"""
from __future__ import annotations

import argparse
import importlib
import sys

TRACKS = ("face", "driving", "deepfake")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m authoring", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for track in TRACKS:
        importlib.import_module(f"authoring.{track}.cli").add_commands(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
