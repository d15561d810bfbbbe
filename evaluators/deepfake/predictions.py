"""Strict reading of a container's ``predictions.jsonl`` (DESIGN.md section 5).

One JSON object per line::

    {"probe": "p000123", "top5": [{"gallery": "g004512", "similarity": 0.93}, ...],
     "novel_prob": 0.12}

Every probe exactly once, exactly five distinct existing gallery ids, finite similarities,
``novel_prob`` a finite number in [0, 1] (required when the phase scores novelty). Any
problem raises ``SubmissionRejected`` naming the line(s) at fault.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from ..common.errors import SubmissionRejected

TOP_K = 5
MAX_REPORTED = 10
_KEYS = {"probe", "top5", "novel_prob"}


@dataclass
class Predictions:
    probes: list[str]  # probe ids, file order
    top5: list[list[str]]  # gallery ids per probe, as ranked by the submission
    similarity: np.ndarray  # (N, 5) float64
    novel_prob: np.ndarray | None  # (N,) float64, or None when not given

    def renamed(self, probe_map: Mapping[str, str], gallery_map: Mapping[str, str]) -> "Predictions":
        """The same predictions with ids translated (e.g. anonymised ids -> bundle ids)."""
        return Predictions(
            [probe_map[p] for p in self.probes],
            [[gallery_map[g] for g in row] for row in self.top5],
            self.similarity,
            self.novel_prob,
        )


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number")


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _check_line(obj: object, probe_ids: set[str], gallery_ids: set[str], need_novelty: bool):
    if not isinstance(obj, dict):
        return f"is a JSON {type(obj).__name__}, not an object"
    extra = set(obj) - _KEYS
    if extra:
        return f"has unknown key(s) {sorted(extra)}; allowed keys are probe, top5, novel_prob"
    probe = obj.get("probe")
    if not isinstance(probe, str):
        return "needs \"probe\": a probe id string"
    if probe not in probe_ids:
        return f"probe {probe!r} is not a file in /input/probe (use the file name without .png)"
    top = obj.get("top5")
    if not isinstance(top, list) or len(top) != TOP_K:
        n = len(top) if isinstance(top, list) else "no list"
        return f"probe {probe!r}: \"top5\" must be a list of exactly {TOP_K} entries, got {n}"
    ids, sims = [], []
    for j, entry in enumerate(top):
        if not isinstance(entry, dict) or set(entry) != {"gallery", "similarity"}:
            return f"probe {probe!r}: top5[{j}] must be an object with exactly the keys gallery and similarity"
        g = entry["gallery"]
        if not isinstance(g, str) or g not in gallery_ids:
            return f"probe {probe!r}: top5[{j}] gallery {g!r} is not a file in /input/gallery"
        s = _number(entry["similarity"])
        if s is None:
            return f"probe {probe!r}: top5[{j}] similarity {entry['similarity']!r} is not a finite number"
        ids.append(g)
        sims.append(s)
    if len(set(ids)) != TOP_K:
        return f"probe {probe!r}: top5 repeats a gallery id; the {TOP_K} ids must be distinct"
    novel = None
    if "novel_prob" in obj:
        novel = _number(obj["novel_prob"])
        if novel is None or not 0.0 <= novel <= 1.0:
            return f"probe {probe!r}: novel_prob {obj['novel_prob']!r} must be a finite number in [0, 1]"
    elif need_novelty:
        return f"probe {probe!r}: novel_prob is required in this phase (a number in [0, 1])"
    return probe, ids, sims, novel


def parse_predictions(
    lines: Iterable[bytes | str],
    probe_ids: Iterable[str],
    gallery_ids: Iterable[str],
    *,
    need_novelty: bool,
) -> Predictions:
    probe_set, gallery_set = set(probe_ids), set(gallery_ids)
    errors: list[str] = []
    seen: dict[str, int] = {}
    probes, tops, sims, novels = [], [], [], []
    last_blank = None
    for number, raw in enumerate(lines, start=1):
        if len(errors) >= MAX_REPORTED:
            break
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(f"line {number}: is not UTF-8 text")
                continue
        text = raw.strip()
        if not text:
            last_blank = last_blank or number
            continue
        if last_blank is not None:
            errors.append(f"line {last_blank}: is empty; write one JSON object per line")
            last_blank = None
        try:
            obj = json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as e:
            errors.append(f"line {number}: is not valid JSON ({e})")
            continue
        checked = _check_line(obj, probe_set, gallery_set, need_novelty)
        if isinstance(checked, str):
            errors.append(f"line {number}: {checked}")
            continue
        probe, ids, s, novel = checked
        if probe in seen:
            errors.append(f"line {number}: probe {probe!r} was already given on line {seen[probe]}")
            continue
        seen[probe] = number
        probes.append(probe)
        tops.append(ids)
        sims.append(s)
        novels.append(novel)
    if not errors:
        missing = probe_set - set(seen)
        if missing:
            some = ", ".join(sorted(missing)[:5])
            errors.append(
                f"{len(missing)} of {len(probe_set)} probes have no line (e.g. {some}); "
                "write one line for every file in /input/probe"
            )
    if errors:
        more = " (stopped after the first errors)" if len(errors) >= MAX_REPORTED else ""
        raise SubmissionRejected("predictions.jsonl is invalid" + more + ":\n  " + "\n  ".join(errors))
    given = [v for v in novels if v is not None]
    if given and len(given) != len(novels):
        n_missing = len(novels) - len(given)
        raise SubmissionRejected(
            f"predictions.jsonl: novel_prob is given on some lines but missing on {n_missing}; "
            "give it on every line or on none"
        )
    return Predictions(
        probes,
        tops,
        np.asarray(sims, dtype=np.float64).reshape(-1, TOP_K),
        np.asarray(given, dtype=np.float64) if given else None,
    )
