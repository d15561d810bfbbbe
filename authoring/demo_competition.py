"""Build the offline demo competition: every track's demo bundles (``evaluators.<track>.demo.
build_demo``), a competition YAML and the list of baseline submissions.

  python -m authoring.demo_competition --out var/demo [--quick] [--tracks face,driving]

Writes ``<out>/competition.yaml`` (its page texts as Markdown files under ``<out>/pages/``,
``authoring.demo_pages``) and ``<out>/baselines.json``
(``[{"track", "phase", "team", "file"}]``: one demo team per baseline, submitted to the
track's first phase). Phases of a track follow each other in time (overlaps are invalid):
the first is open now, later ones are filled by the organizer's carry-over.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from evaluators.registry import TRACKS

from . import demo_pages

QUOTA = {"daily": 20, "total": 200}
KIT_MAX_BYTES = 16 << 20  # a baseline this small doubles as the track's downloadable example
LIMITS = {"face": {"soft_seconds": 1800, "hard_seconds": 2100},
          "driving": {"soft_seconds": 3600, "hard_seconds": 4200},
          "deepfake": {"soft_seconds": 3600, "hard_seconds": 4200}}


def available_tracks(wanted: list[str] | None) -> list[str]:
    found = []
    for track in wanted or TRACKS:
        try:
            importlib.import_module(f"authoring.{track}.demo")
        except ModuleNotFoundError as e:
            if e.name not in (f"authoring.{track}.demo", f"authoring.{track}"):
                raise
            print(f"[demo] track {track}: no demo module yet, skipped", file=sys.stderr)
            continue
        found.append(track)
    return found


def build(out: Path, quick: bool, tracks: list[str] | None = None) -> tuple[Path, Path]:
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    comp_tracks, baselines = {}, []
    for track in available_tracks(tracks):
        demo = importlib.import_module(f"authoring.{track}.demo")
        t0 = time.monotonic()
        print(f"[demo] building the {track} demo{' (quick)' if quick else ''} ...", file=sys.stderr, flush=True)
        built = demo.build_demo(out / track, quick=quick)
        print(f"[demo] {track} ready in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
        phases, opens = [], now - timedelta(hours=1)
        for name, ph in built["phases"].items():
            closes = opens + timedelta(days=30)
            phases.append({"name": name, "opens": opens.isoformat(), "closes": closes.isoformat(),
                           "bundle": str(ph["bundle"]), "scoring": ph.get("settings", {}), "quota": QUOTA,
                           "ranking": "best", "leaderboard": "public", "show_logs": True,
                           "queue": "gpu" if ph.get("settings", {}).get("gpu") else "cpu",
                           "limits": LIMITS[track],
                           # S_final = 0.6 P@5 + 0.3 AUC + 0.1 S_sbj: the platform adds 0.1 x the
                           # organizers' per-submission subjective score on deepfake final phases
                           "subjective_weight": 0.1 if ph.get("settings", {}).get("phase_kind") == "final" else 0.0})
            opens = closes
        comp_tracks[track] = {"submit": _page(out, f"submit-{track}", demo_pages.SUBMIT.get(track, "")),
                              **_example(out, built["baselines"]), "phases": phases}
        first = phases[0]["name"]
        for name, path in built["baselines"].items():
            baselines.append({"track": track, "phase": first, "team": f"{track}-{name}"[:100], "file": str(path)})
    if not comp_tracks:
        raise SystemExit("no track has a demo module (evaluators/<track>/demo.py) yet; nothing to run")
    comp = {"slug": "aisc-demo", "title": "AISC 2022 offline demo",
            "description": _page(out, "description", demo_pages.DESCRIPTION),
            "rules": _page(out, "rules", demo_pages.RULES), "terms": _page(out, "terms", demo_pages.TERMS),
            "tracks": comp_tracks}
    comp_path, base_path = out / "competition.yaml", out / "baselines.json"
    comp_path.write_text(yaml.safe_dump(comp, sort_keys=False))
    base_path.write_text(json.dumps(baselines, indent=2))
    return comp_path, base_path


def _page(out: Path, name: str, text: str) -> str:
    """Write a page text to ``<out>/pages/<name>.md``; return its path relative to the YAML."""
    (out / "pages").mkdir(exist_ok=True)
    (out / "pages" / f"{name}.md").write_text(text)
    return f"pages/{name}.md"


def _example(out: Path, baselines: dict[str, str]) -> dict[str, str]:
    """The track's first baseline as its starting kit, when it is small enough to download."""
    for path in map(Path, baselines.values()):
        if path.is_file() and path.stat().st_size <= KIT_MAX_BYTES:
            try:
                return {"starting_kit": str(path.resolve().relative_to(out))}
            except ValueError:
                return {"starting_kit": str(path.resolve())}
    return {}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m authoring.demo_competition", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("var/demo"))
    p.add_argument("--quick", action="store_true", help="small bundles (for tests)")
    p.add_argument("--tracks", help="comma-separated subset of tracks")
    args = p.parse_args(argv)
    comp, base = build(args.out, args.quick, args.tracks.split(",") if args.tracks else None)
    print(json.dumps({"competition": str(comp), "baselines": str(base)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
