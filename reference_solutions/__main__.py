"""``python -m reference_solutions <command>``; commands: ``regress`` (see reference_solutions/regress)."""
from __future__ import annotations

import sys

COMMANDS = {"regress": "reference_solutions.regress.cli", "determinism": "reference_solutions.regress.determinism"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m reference_solutions {" + ",".join(COMMANDS) + "} [options]\n"
              "  regress      score every reference method and demo baseline against expected.json\n"
              "  determinism  score the quick demos under conditions that change float rounding\n"
              "(per-track generators: python -m reference_solutions.face ...)", file=sys.stderr)
        return 2
    import importlib

    return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
