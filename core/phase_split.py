"""A phase's public/private split (the Kaggle scheme; issue: codabench #1553): how the YAML
declares it, how it is fixed at load, how a score's parts are stored, and the private ranking.

YAML (a phase's ``split``; one of the three forms)::

    split: {private_fraction: 0.5, seed: 7}      # seeded, stratified hash split
    split: {private_ids: ["0003", "0011"]}        # explicit: these are private, the rest public
    split: {public_ids: [...]}                    # explicit: these are public, the rest private

The samples are the track's (face pairs, driving scenes, deepfake probes;
``Track.sample_strata``); the split itself is ``evaluators.common.parts``. It is computed once,
when the competition loads, and stored with the phase; workers score both parts in one run.
During the phase the leaderboard ranks the public part; the private part is shown at the
reveal, beside the public one, with each team's rank change. Who sees what is
``core.visibility``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from evaluators.common.parts import PART_NAMES, PRIVATE, PUBLIC, SplitError, hash_split, id_split

from .models import ranked_total
from .tracks import BundleError, sample_strata

__all__ = ["SplitSpec", "resolve", "stored_parts", "private_ranks", "PUBLIC", "PRIVATE"]


class SplitSpec(BaseModel):
    """A phase's ``split`` mapping in the competition YAML."""
    model_config = ConfigDict(extra="forbid")
    private_fraction: Optional[float] = Field(default=None, gt=0, lt=1,
                                              description="share of each stratum's samples that is private")
    seed: int = Field(default=0, description="the hash split's seed (SHA-256 of '<seed>:<id>')")
    private_ids: Optional[list[str]] = None
    public_ids: Optional[list[str]] = None

    @model_validator(mode="after")
    def _one_form(self):
        given = [k for k in ("private_fraction", "private_ids", "public_ids") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of private_fraction (with an optional seed), private_ids or "
                             f"public_ids; got {', '.join(given) or 'none'}")
        return self


def resolve(track: str, bundle_dir: Path, spec: SplitSpec) -> tuple[dict[str, Any], list[str]]:
    """(the phase's split summary, the sorted private ids). Raises SplitError or BundleError
    with a message for the organizer; NotImplementedError for a track without splits."""
    strata = sample_strata(track, bundle_dir)
    if spec.private_fraction is not None:
        private = hash_split(strata, seed=spec.seed, private_fraction=spec.private_fraction)
        summary: dict[str, Any] = {"method": "hash", "seed": spec.seed, "private_fraction": spec.private_fraction}
    else:
        private = id_split(strata, private_ids=spec.private_ids, public_ids=spec.public_ids)
        summary = {"method": "ids"}
    summary.update(n_public=len(strata) - len(private), n_private=len(private))
    return summary, sorted(private)


def require_parts(parts: Mapping[str, Any]) -> None:
    """Raise BundleError when a split phase's result lacks a part (a track that ignored ``parts``)."""
    missing = [n for n in PART_NAMES if n not in parts]
    if missing:
        raise BundleError(f"the scorer returned no {' or '.join(missing)} part for a split phase")


def stored_parts(parts: Mapping[str, Mapping[str, Any]], subjective: Optional[float], weight: float,
                 finite: Any = dict) -> dict[str, dict[str, Any]]:
    """A result's parts as stored in ``Score.parts``: each part's ``total`` is its score ranked
    like the whole's (``core.models.ranked_total``), its columns through ``finite``. Raises
    BundleError (``require_parts``)."""
    require_parts(parts)
    return {name: {"score": float(parts[name]["score"]),
                   "total": ranked_total(parts[name]["score"], subjective, weight),
                   "columns": finite(parts[name].get("columns") or {}), "n": int(parts[name].get("n") or 0)}
            for name in PART_NAMES}


def private_ranks(rows: list[Any]) -> dict[int, tuple[Optional[int], Optional[float]]]:
    """{submission id: (private rank, private total)} of ranked rows (``core.leaderboard.Row``,
    already in public order): by private total, ties by the earlier submission, as the public
    ranking. A row without a private part (scored before the split existed) has no private rank."""
    have = [r for r in rows if (r.parts or {}).get(PRIVATE)]
    have.sort(key=lambda r: (-r.parts[PRIVATE]["total"], r.submitted_at, r.submission_id))
    out: dict[int, tuple[Optional[int], Optional[float]]] = {r.submission_id: (None, None) for r in rows}
    for i, r in enumerate(have):
        out[r.submission_id] = (i + 1, r.parts[PRIVATE]["total"])
    return out


__all__ += ["SplitError"]
