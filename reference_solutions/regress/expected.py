"""``reference_solutions/expected.json``: the recorded scores, per budget, per method (and per
demo baseline, named ``baseline:<track>/<name>``), per phase, each with a tolerance.

    {"margin": 0.05,                              # how clearly every method must beat every baseline
     "default_tolerance": {"face": 0.06, ...},    # for newly recorded entries, per track
     "quick": {"face/deep_dream": {"preliminary": {"score": 0.61, "tolerance": 0.06}, ...}, ...},
     "full": {...},
     "bundle_digest": {"quick": {"face": {"bundle_digest": "<sha256 of manifest.json>",
                                          "thresholds": {model: threshold}}}}}  # identity.py

``bundle_digest`` says which demo the scores were recorded on; a run on another one warns.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXPECTED_PATH = Path(__file__).resolve().parents[1] / "expected.json"
DEFAULT_MARGIN = 0.05
DEFAULT_TOLERANCE = 0.05


def load_expected(path: Path = EXPECTED_PATH) -> dict[str, Any]:
    if not Path(path).is_file():
        return {"margin": DEFAULT_MARGIN, "default_tolerance": {}}
    try:
        data = json.loads(Path(path).read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON ({e}); fix it or re-record with --record") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a JSON object with per-budget entries")
    return data


def expected_entry(data: dict, budget: str, name: str, phase: str) -> tuple[float | None, float]:
    """(expected score or None when never recorded, tolerance)."""
    entry = data.get(budget, {}).get(name, {}).get(phase)
    if entry is None:
        return None, 0.0
    try:
        return float(entry["score"]), float(entry["tolerance"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"expected.json: {budget}/{name}/{phase} must be {{'score': float, 'tolerance': float}}, "
                         f"got {entry!r}") from None


def recorded_identity(data: dict, budget: str, track: str) -> dict | None:
    """The demo identity (``identity.demo_identity``) the budget's scores were recorded on."""
    return data.get("bundle_digest", {}).get(budget, {}).get(track)


def margin(data: dict) -> float:
    return float(data.get("margin", DEFAULT_MARGIN))


def record(data: dict, budget: str, rows: list[dict], path: Path = EXPECTED_PATH,
           demos: dict | None = None) -> Path:
    """Write the measured scores of ``rows`` as the expected ones (keeping recorded tolerances),
    and the identity of each track's demo (``demos``: {track: demo_identity}) they were measured on."""
    for track, ident in (demos or {}).items():
        if ident and ident.get("bundle_digest"):
            data.setdefault("bundle_digest", {}).setdefault(budget, {})[track] = {
                "bundle_digest": ident["bundle_digest"], "thresholds": ident.get("thresholds", {})}
    section = data.setdefault(budget, {})
    for row in rows:
        if row["measured"] is None:
            continue
        old = section.get(row["name"], {}).get(row["phase"], {})
        tol = old.get("tolerance", data.get("default_tolerance", {}).get(row["track"], DEFAULT_TOLERANCE))
        section.setdefault(row["name"], {})[row["phase"]] = {"score": round(row["measured"], 4), "tolerance": tol}
    data.setdefault("margin", DEFAULT_MARGIN)
    ordered = {k: data[k] for k in ("_about", "margin", "default_tolerance") if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    for b in ordered:
        if isinstance(ordered[b], dict) and b not in ("default_tolerance", "bundle_digest"):
            ordered[b] = {k: ordered[b][k] for k in sorted(ordered[b])}
    Path(path).write_text(json.dumps(ordered, indent=1) + "\n")
    return Path(path)
