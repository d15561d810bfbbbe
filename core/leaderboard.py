"""Leaderboard ranking per phase.

For every team one submission is picked -- its best (highest total, earlier submission
first on ties) or its last scored submission, per the phase's policy -- among submissions
scored under the current scorer version, not disqualified and not flagged as a baseline row
(``core.baselines``: baseline rows are shown apart, never ranked). Teams are then ranked by
total, ties broken by the earlier submission. The pick is one indexed lookup per team
(``ix_submissions_rank_best`` / ``_last``), so the query stays fast at 100k submissions.

A phase with a public/private split (``core.phase_split``) picks and ranks by the public part
(its total is what ``Submission.score_total`` holds there) and shows the public part's columns.
Each row also carries ``private``: the same picked submission ranked by its private total, and
its rank change (public rank - private rank: positive = moved up), which ``core.visibility``
withholds from teams until the reveal.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping, Optional

from sqlalchemy import exists, false, select
from sqlalchemy.orm import Session, aliased

from .models import Phase, PhaseBaseline, Score, Submission, Team
from .names import csv_cell
from .phase_split import PRIVATE, PUBLIC, private_ranks
from .timeutil import iso


@dataclass
class Row:
    rank: int
    team_id: int
    team: str
    submission_id: int
    total: float
    submitted_at: datetime
    columns: dict[str, float] = field(default_factory=dict)
    valid: bool = True
    parts: dict = field(default_factory=dict)  # Score.parts (a split phase)
    private: Optional[dict] = None  # {"rank", "total", "columns", "rank_change"} on a split phase

    def as_dict(self) -> dict:
        return {"rank": self.rank, "team_id": self.team_id, "team": self.team, "submission_id": self.submission_id,
                "total": self.total, "submitted_at": iso(self.submitted_at), "columns": self.columns,
                "valid": self.valid, "private": self.private}


def rank(session: Session, phase: Phase, scorer_version: str) -> list[Row]:
    s2 = aliased(Submission)
    if phase.ranking == "last":
        order = (s2.created_at.desc(), s2.id.desc())
    else:
        order = (s2.score_total.desc(), s2.created_at.asc(), s2.id.asc())
    pick = (select(s2.id)
            .where(s2.phase_id == phase.id, s2.team_id == Team.id, s2.score_version == scorer_version,
                   s2.score_id.is_not(None), s2.disqualified == false(),
                   ~exists().where(PhaseBaseline.submission_id == s2.id))
            .order_by(*order).limit(1).correlate(Team).scalar_subquery())
    rows = session.execute(
        select(Team.id, Team.name, Submission.id, Submission.score_total, Submission.created_at,
               Score.columns, Score.valid, Score.parts)
        .select_from(Team)
        .join(Submission, Submission.id == pick)
        .join(Score, Score.id == Submission.score_id)).all()
    rows.sort(key=lambda r: (-r[3], r[4], r[2]))
    ranked = [Row(i + 1, tid, name, sid, total, created, dict(cols or {}), valid, dict(parts or {}))
              for i, (tid, name, sid, total, created, cols, valid, parts) in enumerate(rows)]
    if phase.split:
        _split_rows(ranked)
    return ranked


def _split_rows(rows: list[Row]) -> None:
    """Public columns on each row; the private rank, total, columns and rank change beside."""
    private = private_ranks(rows)
    for r in rows:
        r.columns = dict((r.parts.get(PUBLIC) or {}).get("columns") or {})
        p_rank, p_total = private[r.submission_id]
        r.private = {"rank": p_rank, "total": p_total,
                     "columns": dict((r.parts.get(PRIVATE) or {}).get("columns") or {}),
                     "rank_change": None if p_rank is None else r.rank - p_rank}


def column_names(columns: Iterable[Mapping[str, float] | None]) -> list[str]:
    """The sorted union of the rows' column names (a hidden row's columns are None)."""
    names: set[str] = set()
    for cols in columns:
        names.update(cols or {})
    return sorted(names)


def to_csv(rows: list[Row]) -> str:
    """One line per ranked team. A split phase's rows with their private part shown add
    ``private_rank``, ``private_total``, ``rank_change`` and ``private:<column>`` columns."""
    cols = column_names(r.columns for r in rows)
    split = any(r.private for r in rows)
    pcols = column_names((r.private or {}).get("columns") for r in rows) if split else []

    def num(value: Optional[float]) -> str:
        return "" if value is None else f"{value:.6f}"

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["rank", "team", "submission_id", "total", "submitted_at", "valid", *cols,
                *(["private_rank", "private_total", "rank_change", *(f"private:{c}" for c in pcols)] if split else [])])
    for r in rows:
        line = [r.rank, csv_cell(r.team), r.submission_id, f"{r.total:.6f}", iso(r.submitted_at), r.valid,
                *[num(r.columns.get(c)) for c in cols]]
        if split:
            p = r.private or {}
            line += ["" if p.get("rank") is None else p["rank"], num(p.get("total")),
                     "" if p.get("rank_change") is None else p["rank_change"],
                     *[num((p.get("columns") or {}).get(c)) for c in pcols]]
        w.writerow(line)
    return buf.getvalue()
