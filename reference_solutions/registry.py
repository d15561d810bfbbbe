"""Every track's reference methods behind one interface, for ``regress`` and the beat job.

Each track package ``reference_solutions/<track>/methods.py`` exports ``METHODS``: a list of
``ReferenceMethod``. A method turns the **public** part of a track's demo (as built by
``evaluators.<track>.demo.build_demo(demo_dir)``) into one submission artifact that the
track's scorer takes (face: zip, driving: PNG texture(+mask), deepfake: image tarball).

- ``public_inputs(request)`` lists the files and directories the method reads (all of them:
  their content, the method's source files, the seed and the budget make the artifact's
  cache key, so a cached artifact is reused only when nothing it came from changed).
- ``generate(request)`` writes the artifact (and optionally a ``.json`` report and ``.png``
  preview beside it) under ``request.out_dir`` and returns the artifact's path.
  Deterministic from ``request.seed``.
- ``budget`` is ``"quick"`` (CI: seconds to a few minutes, small iteration counts) or
  ``"full"`` (the figures in reference_solutions/README.md).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

TRACKS = ("face", "driving", "deepfake")
BUDGETS = ("quick", "full")
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class GenerateRequest:
    demo_dir: Path                 # the track's demo directory (build_demo's out_dir)
    demo: Mapping[str, Any]        # build_demo's result: {"phases": {...}, "baselines": {...}, ...}
    out_dir: Path                  # where the artifact goes (created by the caller)
    seed: int = 0
    budget: str = "quick"
    progress: Optional[Progress] = None
    threads: int = 2


@dataclass(frozen=True)
class ReferenceMethod:
    name: str                      # unique over all tracks, e.g. "face/deep_dream"
    track: str
    team: str                      # the AISC 2022 team whose method this is
    summary: str
    public_inputs: Callable[[GenerateRequest], list[Path]]
    generate: Callable[[GenerateRequest], Path]
    source_packages: tuple[str, ...] = field(default=())  # packages whose .py files key the cache


def methods(track: str | None = None) -> list[ReferenceMethod]:
    """All registered methods (of one track); a track without methods.py yet has none."""
    found: list[ReferenceMethod] = []
    for t in TRACKS if track is None else (track,):
        if t not in TRACKS:
            raise KeyError(f"unknown track {t!r}; known tracks: {', '.join(TRACKS)}")
        try:
            module = importlib.import_module(f"reference_solutions.{t}.methods")
        except ModuleNotFoundError as e:
            if e.name not in (f"reference_solutions.{t}.methods", f"reference_solutions.{t}"):
                raise
            continue
        found.extend(module.METHODS)
    return found


def method(name: str) -> ReferenceMethod:
    for m in methods():
        if m.name == name:
            return m
    raise KeyError(f"unknown reference method {name!r}; known: {', '.join(m.name for m in methods())}")
