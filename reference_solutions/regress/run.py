"""One regression run: per track, build (or reuse) the demo, get every method's artifact from
the cache (generating it on a miss), score it and every demo baseline on every phase, and
compare with expected.json."""
from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Optional

from ..registry import TRACKS, GenerateRequest, methods
from .cache import cached_artifact
from .demos import PINNED_DEMOS, build_track_demo
from .expected import expected_entry, margin, recorded_identity
from .identity import compare, demo_identity
from .scoring import score_on_phase
from .table import make_row, ordering, passed

Log = Callable[[str], None]


def stderr_log(msg: str) -> None:
    print(f"[regress] {msg}", file=sys.stderr, flush=True)


def _progress(log: Log, what: str):
    last = {"pct": -100.0}

    def progress(stage: str, pct: float) -> None:
        if pct - last["pct"] >= 10 or pct >= 100:
            last["pct"] = pct
            log(f"{what}: {stage} {pct:.0f}%")

    return progress


def scorer_versions(tracks=TRACKS) -> dict[str, str]:
    from evaluators.registry import get_track

    return {t: str(get_track(t).scorer_version) for t in tracks}


def _error_text(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"[:500]


def run_track(track: str, demo_dir: Path, budget: str, seed: int, cache_dir: Path, expected: dict,
              threads: int, log: Log) -> tuple[list[dict], Optional[dict]]:
    """(rows, the demo's identity with the recorded one and the warning when they differ)."""
    ms = methods(track)
    if not ms:
        log(f"{track}: no reference methods registered (reference_solutions/{track}/methods.py); skipped")
        return [], None
    log(f"{track}: demo ({budget}{', pinned' if track in PINNED_DEMOS else ''}) in {Path(demo_dir) / track}")
    demo = build_track_demo(track, demo_dir, budget)
    phases = demo["phases"]
    recorded = recorded_identity(expected, budget, track)
    ident = dict(demo_identity(demo), pinned=track in PINNED_DEMOS, recorded=recorded)
    ident["warning"] = compare(ident, recorded)
    if ident["warning"]:
        log(f"WARNING {track}: {ident['warning']}")
    rows = []

    def add(kind: str, name: str, phase: str, artifact: Optional[Path], error: str = "", **extra) -> None:
        exp, tol = expected_entry(expected, budget, name, phase)
        if artifact is None:
            rows.append(make_row(kind, name, track, phase, None, exp, tol, error=error, **extra))
            return
        log(f"{name}: scoring on {phase}")
        try:
            m = score_on_phase(track, artifact, phases[phase], _progress(log, f"{name} on {phase}"))
        except Exception as e:  # a scorer crash is a regression failure, not a reason to stop
            log(traceback.format_exc())
            rows.append(make_row(kind, name, track, phase, None, exp, tol, error=_error_text(e), **extra))
            return
        rows.append(make_row(kind, name, track, phase, m.score, exp, tol, error=m.error, columns=m.columns,
                             valid=m.valid, scoring_seconds=round(m.seconds, 1), **m.decisions, **extra))

    for method in ms:
        request = GenerateRequest(Path(demo_dir) / track, demo, Path(cache_dir), seed=seed, budget=budget,
                                  progress=_progress(log, f"{method.name} generating"), threads=threads)
        log(f"{method.name}: artifact (cache {cache_dir})")
        try:
            art = cached_artifact(method, request, cache_dir)
        except Exception as e:
            log(traceback.format_exc())
            for phase in phases:
                add("method", method.name, phase, None, error=f"generation failed: {_error_text(e)}")
            continue
        log(f"{method.name}: {'reused cached' if art.cached else 'generated'} {art.path} "
            f"({art.seconds:.0f} s to generate)")
        for phase in phases:
            add("method", method.name, phase, art.path, generation_seconds=art.seconds, cached=art.cached,
                cache_key=art.key)
    for bname, bpath in demo.get("baselines", {}).items():
        for phase in phases:
            add("baseline", f"baseline:{track}/{bname}", phase, Path(bpath))
    return rows, ident


def run_regression(demo_dir: Path, budget: str, tracks: list[str], seed: int, cache_dir: Path,
                   expected: dict, threads: int = 2, log: Log = stderr_log) -> dict:
    started = time.time()
    rows: list[dict] = []
    demos: dict[str, dict] = {}
    for track in tracks:
        try:
            track_rows, ident = run_track(track, demo_dir, budget, seed, cache_dir, expected, threads, log)
            rows.extend(track_rows)
            if ident is not None:
                demos[track] = ident
        except Exception as e:  # the demo could not be built: every method of the track errs, others go on
            log(traceback.format_exc())
            rows.extend(make_row("method", m.name, track, "(demo)", None, None, 0.0,
                                 error=f"demo build failed: {_error_text(e)}") for m in methods(track))
    order = ordering(rows, margin(expected))
    return {"budget": budget, "seed": seed, "tracks": tracks, "demo_dir": str(demo_dir),
            "scorer_versions": scorer_versions(), "demos": demos, "rows": rows, "ordering": order,
            "passed": bool(rows) and passed(rows, order),
            "started": started, "seconds": round(time.time() - started, 1)}
