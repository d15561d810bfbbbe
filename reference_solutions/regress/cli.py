"""``python -m reference_solutions regress``: the table on stdout, progress on stderr.
Exit 0 when every row passes (or is new) and every track's methods beat its baselines by the
margin; 1 otherwise; 2 on bad arguments."""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path

from ..registry import BUDGETS, TRACKS
from .expected import EXPECTED_PATH, load_expected, record
from ..settings import reference_settings
from .run import run_regression, stderr_log
from .table import format_table

REPO = Path(__file__).resolve().parents[2]


def default_cache_dir() -> Path:
    return reference_settings().cache_dir()


def parse_tracks(text: str) -> list[str]:
    wanted = [t.strip() for t in text.split(",") if t.strip()] if text and text != "all" else list(TRACKS)
    unknown = [t for t in wanted if t not in TRACKS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown track(s) {', '.join(unknown)}; known tracks: {', '.join(TRACKS)}")
    return wanted


@contextlib.contextmanager
def stdout_to_stderr():
    """Send everything written to stdout (Python objects and file descriptor 1, so also
    handlers that kept the old sys.stdout and child processes) to stderr for a while."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m reference_solutions regress",
                                 description="Score every reference method and demo baseline; compare with "
                                             "reference_solutions/expected.json.")
    ap.add_argument("--demo-dir", type=Path, default=None,
                    help="where each track's demo is built or reused (<demo-dir>/<track>); default "
                         "var/regress/<budget>, so quick and full demos never share a folder")
    ap.add_argument("--budget", choices=BUDGETS, default="quick")
    ap.add_argument("--tracks", type=parse_tracks, default=list(TRACKS),
                    help=f"comma-separated, from {', '.join(TRACKS)} (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache-dir", type=Path, default=None,
                    help="artifact cache (default $AISC_REFERENCE_CACHE or var/reference_cache)")
    ap.add_argument("--expected", type=Path, default=EXPECTED_PATH, help="expected scores file")
    ap.add_argument("--record", action="store_true", help="write the measured scores into the expected file")
    ap.add_argument("--json", type=Path, default=None, help="also write the full report as JSON here")
    ap.add_argument("--threads", type=int, default=2, help="torch threads for generation")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        expected = load_expected(args.expected)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cache_dir = args.cache_dir or default_cache_dir()
    with stdout_to_stderr():  # demo builders and trainers print; stdout carries only the table
        demo_dir = args.demo_dir or REPO / "var" / "regress" / args.budget
        report = run_regression(demo_dir.resolve(), args.budget, args.tracks, args.seed, cache_dir.resolve(),
                                expected, threads=args.threads, log=stderr_log)
    if not report["rows"]:
        stderr_log(f"nothing to check: no reference methods registered for {', '.join(args.tracks)}")
    print(format_table(report["rows"], report["ordering"], report.get("demos")))
    if args.record:
        path = record(expected, args.budget, report["rows"], args.expected, demos=report.get("demos"))
        stderr_log(f"recorded the measured scores as expected ({args.budget}) in {path}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
    print(f"regression {'PASSED' if report['passed'] else 'FAILED'} ({args.budget} budget, seed {args.seed}, "
          f"{report['seconds']:.0f} s)")
    return 0 if report["passed"] else 1
