"""Leaderboard ranking per phase.

For every team one submission is picked -- its best (highest total, earlier submission
first on ties) or its last scored submission, per the phase's policy -- among submissions
scored under the current scorer version, not disqualified and not flagged as a baseline row
(``core.baselines``: baseline rows are shown apart, never ranked). Teams are then ranked by
total, ties broken by the earlier submission. The pick is one indexed lookup per team
(``ix_submissions_rank_best`` / ``_last``), so the query stays fast at 100k submissions.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Mapping

from sqlalchemy import exists, false, select
from sqlalchemy.orm import Session, aliased

from .models import Phase, PhaseBaseline, Score, Submission, Team
from .names import csv_cell
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

    def as_dict(self) -> dict:
        return {"rank": self.rank, "team_id": self.team_id, "team": self.team, "submission_id": self.submission_id,
                "total": self.total, "submitted_at": iso(self.submitted_at), "columns": self.columns,
                "valid": self.valid}


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
               Score.columns, Score.valid)
        .select_from(Team)
        .join(Submission, Submission.id == pick)
        .join(Score, Score.id == Submission.score_id)).all()
    rows.sort(key=lambda r: (-r[3], r[4], r[2]))
    return [Row(i + 1, tid, name, sid, total, created, dict(cols or {}), valid)
            for i, (tid, name, sid, total, created, cols, valid) in enumerate(rows)]


def column_names(columns: Iterable[Mapping[str, float] | None]) -> list[str]:
    """The sorted union of the rows' column names (a hidden row's columns are None)."""
    names: set[str] = set()
    for cols in columns:
        names.update(cols or {})
    return sorted(names)


def to_csv(rows: list[Row]) -> str:
    cols = column_names(r.columns for r in rows)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["rank", "team", "submission_id", "total", "submitted_at", "valid", *cols])
    for r in rows:
        w.writerow([r.rank, csv_cell(r.team), r.submission_id, f"{r.total:.6f}", iso(r.submitted_at), r.valid,
                    *[("" if c not in r.columns else f"{r.columns[c]:.6f}") for c in cols]])
    return buf.getvalue()
