"""Build a track's regression demo in the numerically pinned environment
(``reference_solutions/pinned.py``), the way the artifacts are generated.

``build_pinned`` runs ``python -m reference_solutions.regress.pinned_demo TRACK DEMO_DIR BUDGET``
through ``run_pinned`` (a fresh process: one thread, baseline torch kernels, oneDNN at SSE4.1,
MKL's compatible mode); the child builds with ``demos.build_here`` and prints the demo as one
JSON line. The parent then stamps ``<demo_dir>/<track>/pinned.json`` with the pinned identity.
A track folder without that stamp, or with another identity, was built under other numerics
(e.g. an unpinned demo from before): it is removed and built again, never silently reused.
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Callable, Optional

from ..pinned import pinned_identity, run_pinned

MARKER = "pinned.json"
MODULE = "reference_solutions.regress.pinned_demo"


def stamped(folder: Path) -> bool:
    """Was ``folder`` built under the current pinned settings?"""
    try:
        return json.loads((folder / MARKER).read_text()).get("sha256") == pinned_identity()["sha256"]
    except (OSError, ValueError, AttributeError):
        return False


def build_pinned(track: str, demo_dir: Path, budget: str, log: Optional[Callable[[str], None]] = None) -> dict:
    log = log or (lambda msg: print(f"[regress] {msg}", file=sys.stderr, flush=True))
    folder = Path(demo_dir).resolve() / track
    if folder.exists() and not stamped(folder):
        log(f"{track}: {folder} was not built pinned (no {MARKER} with the current pinned settings): rebuilding")
        shutil.rmtree(folder)
    line = run_pinned(MODULE, [track, str(Path(demo_dir).resolve()), budget])
    demo = json.loads(line)
    if not stamped(folder):
        (folder / MARKER).write_text(json.dumps(pinned_identity(), indent=1, sort_keys=True) + "\n")
    return demo


def main(argv: list[str] | None = None) -> int:
    from .cli import stdout_to_stderr
    from .demos import build_here

    track, demo_dir, budget = argv if argv is not None else sys.argv[1:]
    with stdout_to_stderr():  # builders print; stdout carries only the demo
        demo = build_here(track, Path(demo_dir), budget)
    print(json.dumps(demo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
