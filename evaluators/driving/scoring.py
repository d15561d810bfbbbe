"""The driving score arithmetic (DESIGN.md section 4), separate from rendering and models.

score = (1/M) sum_i (1/S) sum_j (1/F) sum_f I(M_i(x_fj) = 0) + area_weight * area_term
with the final-round mix  sum_k w_k * score_k  over scene kinds (e.g. 0.8 truck, 0.2 mannequin).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np


@dataclass
class Outcome:
    score: float
    columns: dict[str, float]
    details: dict


def undetected_fraction(counts: np.ndarray) -> float:
    """Share of frames in which the model found no target detection."""
    counts = np.asarray(counts)
    return float(np.mean(counts == 0)) if counts.size else 0.0


def attack_term(fractions: Mapping[str, Mapping[str, float]], scenes: list[str]) -> float:
    """(1/M) sum over models of the mean over ``scenes`` of the undetected fraction."""
    if not fractions or not scenes:
        return 0.0
    return float(np.mean([np.mean([per_scene[s] for s in scenes]) for per_scene in fractions.values()]))


def combine(
    counts: Mapping[str, Mapping[str, np.ndarray]],
    scene_kinds: Mapping[str, str],
    area: float,
    *,
    area_weight: float = 0.2,
    final_mix: Mapping[str, float] | None = None,
    per_scene: bool = True,
) -> Outcome:
    """The score of the scenes in ``scene_kinds`` ({scene name: kind}; the whole phase, or one
    part of a split phase): counts[model][scene] = per-frame number of target detections (more
    scenes may be there; only those of ``scene_kinds`` count), ``area`` the area term in [0, 1].
    Columns: ``model:<m>`` (undetected fraction, mean over the scenes), ``scene:<s>`` (mean over
    the models; only with ``per_scene``: a part leaves them out, as they name single samples),
    ``area``, and ``kind:<k>`` per ``final_mix`` kind."""
    scenes = list(scene_kinds)
    fractions = {m: {s: undetected_fraction(per[s]) for s in scenes} for m, per in counts.items()}
    columns: dict[str, float] = {}
    for m, per in fractions.items():
        columns[f"model:{m}"] = float(np.mean([per[s] for s in scenes]))
    for s in scenes if per_scene else ():
        columns[f"scene:{s}"] = float(np.mean([fractions[m][s] for m in fractions]))
    columns["area"] = area
    details: dict = {"fractions": fractions, "area_term": area, "area_weight": area_weight}
    if final_mix:
        total = 0.0
        for kind, w in final_mix.items():
            kind_scenes = [s for s in scenes if scene_kinds[s] == kind]
            sk = attack_term(fractions, kind_scenes) + area_weight * area
            columns[f"kind:{kind}"] = sk
            total += float(w) * sk
        details["final_mix"] = dict(final_mix)
    else:
        total = attack_term(fractions, scenes) + area_weight * area
    return Outcome(float(total), columns, details)
