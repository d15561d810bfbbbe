"""Baseline rows of a phase's leaderboard (EvalAI's ``is_baseline``): reference solutions and
demo baselines shown as marked rows, not ranked among the teams and not counted in prizes.

An organizer picks them per phase, either from a finished regression run's table
(``from_regression``: the row's measured score and columns are copied, with the run's scorer
version for the track) or by flagging a normal scored submission of the phase
(``from_submission``: its current score is shown, and ``core.leaderboard.rank`` leaves it out of
its team's pick). Errors: ``NotFound`` (no such run, row, submission or baseline), ``Conflict``
(label or submission already a baseline, run not finished, submission of another phase or
not scored). Each change writes its audit row (``actor``: ``core.audit.actor_name``) in the
caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import record
from .errors import Conflict, NotFound
from .models import Phase, PhaseBaseline, RegressionRun, Score, Submission
from .regression import FINISHED
from .timeutil import iso


@dataclass
class BaselineRow:
    """One marked row as the leaderboard shows it; ``total`` is None while a flagged
    submission has no score."""
    baseline_id: int
    label: str
    source: str  # regression | submission
    total: Optional[float]
    columns: dict[str, float] = field(default_factory=dict)
    scorer_version: str = ""
    submission_id: Optional[int] = None
    regression_run_id: Optional[int] = None
    created_at: Optional[datetime] = None

    def as_dict(self) -> dict[str, Any]:
        return {"baseline_id": self.baseline_id, "label": self.label, "source": self.source, "total": self.total,
                "columns": self.columns, "scorer_version": self.scorer_version,
                "submission_id": self.submission_id, "regression_run_id": self.regression_run_id,
                "created_at": iso(self.created_at) if self.created_at else None}


def _free_label(session: Session, phase: Phase, label: str) -> None:
    if session.scalar(select(PhaseBaseline.id).where(PhaseBaseline.phase_id == phase.id,
                                                     PhaseBaseline.label == label)) is not None:
        raise Conflict(f"phase {phase.id} already has a baseline labelled {label!r}; choose another label "
                       "or remove that baseline first")


def from_regression(session: Session, phase: Phase, run_id: int, name: str, *, actor: str,
                    run_phase: Optional[str] = None, label: Optional[str] = None) -> PhaseBaseline:
    """Copy the row ``name`` (a reference method or baseline of the phase's track) of finished
    regression run ``run_id``; ``run_phase`` picks among the run's phases (default: the phase's
    own name, else the only one). The caller commits."""
    run = session.get(RegressionRun, run_id)
    if run is None:
        raise NotFound(f"no regression run {run_id}; GET /api/v1/admin/regression lists the runs")
    if run.status not in FINISHED:
        raise Conflict(f"regression run {run_id} is {run.status}; pick a finished run")
    rows = [r for r in run.rows or [] if isinstance(r, dict) and r.get("track") == phase.track
            and r.get("name") == name and r.get("measured") is not None]
    if run_phase is not None:
        rows = [r for r in rows if r.get("phase") == run_phase]
    elif len(rows) > 1:
        rows = [r for r in rows if r.get("phase") == phase.name] or rows
    if not rows:
        have = sorted({f"{r.get('name')} ({r.get('phase')})" for r in run.rows or []
                       if isinstance(r, dict) and r.get("track") == phase.track and r.get("measured") is not None})
        raise NotFound(f"regression run {run_id} has no scored {phase.track} row named {name!r}"
                       + (f" in phase {run_phase!r}" if run_phase else "")
                       + f"; scored rows: {', '.join(have) or 'none'}")
    if len(rows) > 1:
        raise Conflict(f"regression run {run_id} has {name!r} in phases "
                       f"{', '.join(sorted(str(r.get('phase')) for r in rows))}; say which with run_phase")
    row = rows[0]
    label = label or f"{row.get('kind', 'reference')}: {name}"
    _free_label(session, phase, label)
    cols = {str(k): float(v) for k, v in (row.get("columns") or {}).items() if isinstance(v, (int, float))}
    b = PhaseBaseline(phase_id=phase.id, label=label[:100], source="regression", regression_run_id=run.id,
                      regression_row=f"{row.get('kind', '')}/{name}/{row.get('phase', '')}"[:300],
                      total=float(row["measured"]), columns=cols,
                      scorer_version=str((run.scorer_versions or {}).get(phase.track, ""))[:64])
    session.add(b)
    session.flush()
    record(session, actor, "baseline.add", f"phase {phase.id}", baseline_id=b.id, label=b.label,
           regression_run_id=run.id, row=b.regression_row)
    return b


def from_submission(session: Session, phase: Phase, submission_id: int, *, actor: str,
                    label: Optional[str] = None) -> PhaseBaseline:
    """Flag a scored submission of this phase as a baseline row. The caller commits."""
    sub = session.get(Submission, submission_id)
    if sub is None or sub.phase_id != phase.id:
        raise NotFound(f"phase {phase.id} has no submission {submission_id}")
    if sub.score_id is None:
        raise Conflict(f"submission {submission_id} has no score yet ({sub.state}); flag it once it is scored")
    if session.scalar(select(PhaseBaseline.id).where(PhaseBaseline.submission_id == sub.id)) is not None:
        raise Conflict(f"submission {submission_id} is already a baseline")
    label = label or f"{sub.team.name} #{sub.id}"
    _free_label(session, phase, label)
    b = PhaseBaseline(phase_id=phase.id, label=label[:100], source="submission", submission_id=sub.id)
    session.add(b)
    session.flush()
    record(session, actor, "baseline.add", f"phase {phase.id}", baseline_id=b.id, label=b.label,
           submission_id=sub.id)
    return b


def remove(session: Session, phase: Phase, baseline_id: int, *, actor: str) -> None:
    """Take a baseline row off the phase (a flagged submission ranks with its team again)."""
    b = session.get(PhaseBaseline, baseline_id)
    if b is None or b.phase_id != phase.id:
        raise NotFound(f"phase {phase.id} has no baseline {baseline_id}")
    record(session, actor, "baseline.remove", f"phase {phase.id}", baseline_id=b.id, label=b.label)
    session.delete(b)
    session.flush()


def rows(session: Session, phase: Phase) -> list[BaselineRow]:
    """The phase's baseline rows, highest total first (unscored last), then by label."""
    out = []
    q = (select(PhaseBaseline, Submission.score_total, Submission.score_version, Score.columns, Score.parts)
         .outerjoin(Submission, Submission.id == PhaseBaseline.submission_id)
         .outerjoin(Score, Score.id == Submission.score_id)
         .where(PhaseBaseline.phase_id == phase.id))
    for b, sub_total, sub_version, sub_cols, sub_parts in session.execute(q).all():
        if b.source == "submission":  # a split phase: the public part, as the teams' rows
            cols = (sub_parts or {}).get("public", {}).get("columns") if sub_parts else sub_cols
            total, cols, version = sub_total, dict(cols or {}), sub_version or ""
        else:
            total, cols, version = b.total, dict(b.columns or {}), b.scorer_version
        out.append(BaselineRow(b.id, b.label, b.source, total, cols, version, b.submission_id,
                               b.regression_run_id, b.created_at))
    out.sort(key=lambda r: (r.total is None, -(r.total or 0.0), r.label))
    return out
