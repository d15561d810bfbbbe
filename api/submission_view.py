"""What the results pages show: a team's submissions, and one submission's status, score
tables, pictures and logs. Access is decided here, once: a caller sees only its own team's
submissions (organizers see all); anything else is reported as absent."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import TERMINAL, Phase, Score, Submission, Team
from core.sample_figures import sample_figures
from core.status import fetch
from core.visibility import SEALED_NOTE, logs_visible, owned_rows, owns, results_visible, split_sealed
from core.timeutil import iso

from .deps import Principal

IMAGE_TYPES = ("png", "jpg", "jpeg", "gif", "webp")
# Column name prefixes (see evaluators.common.result.Result.columns) and their table titles.
GROUPS = {"model": "Per model", "live": "Liveness: adversarial faces that still pass as live",
          "scene": "Per scene", "kind": "Per kind of scene"}
OTHER = "Other figures"


def page_url(submission_id: int) -> str:
    return f"/submissions/{submission_id}"


def column_groups(columns: dict[str, float]) -> list[dict[str, Any]]:
    """Score columns split into tables by prefix ('model:dlib' -> 'Per model', row 'dlib');
    names without a known prefix go to a last table."""
    tables: dict[str, list[tuple[str, float]]] = {}
    for name, value in sorted(columns.items()):
        prefix, sep, rest = name.partition(":")
        key = prefix if sep and prefix in GROUPS else ""
        tables.setdefault(key, []).append((rest if key else name, value))
    order = [k for k in GROUPS if k in tables] + ([""] if "" in tables else [])
    return [{"key": k or "other", "title": GROUPS.get(k, OTHER), "rows": tables[k]} for k in order]


def part_tables(score: dict[str, Any] | None) -> list[dict[str, Any]]:
    """An unsealed split score's parts for the results page: [{"name", "total", "n", "groups"}]."""
    parts = (score or {}).get("parts") or {}
    return [{"name": name, "total": parts[name].get("total"), "n": parts[name].get("n"),
             "groups": column_groups(parts[name].get("columns") or {})} for name in ("public", "private") if name in parts]


def submission(session: Session, principal: Principal, submission_id: int) -> dict[str, Any] | None:
    """Everything the results page shows, or None if the caller may not see the submission."""
    found = fetch(session, submission_id, is_admin=principal.is_admin)
    if found is None or not owns(principal.is_admin, principal.team_id, found[0]):
        return None
    st = found[1]
    sub = session.get(Submission, submission_id)
    phase = session.get(Phase, sub.phase_id)
    pictures, files, samples = [], [], []
    sealed = split_sealed(phase.split, phase.revealed, principal.is_admin)
    if st["score"] is not None and not sealed:
        score = session.get(Score, sub.score_id)
        samples = sample_figures(score.details)
        for name, key in sorted((score.artifacts or {}).items()):
            entry = {"name": name, "url": f"/api/v1/submissions/{submission_id}/artifacts/{quote(name, safe='')}"}
            (pictures if str(key).rsplit(".", 1)[-1].lower() in IMAGE_TYPES else files).append(entry)
    show_logs = logs_visible(phase.show_logs, principal.is_admin)
    return {
        "st": st, "terminal": st["state"] in TERMINAL,
        "groups": column_groups(st["score"]["columns"]) if st["score"] else [],
        "scores_hidden": st["score"] is None and sub.score_id is not None,
        "sealed_note": SEALED_NOTE if sealed and st["score"] is not None else "",
        "parts": part_tables(st["score"]),
        "pictures": pictures, "files": files, "samples": samples,
        "liveness_models": sorted({m for s in samples for m in s["liveness"]}),
        "show_logs": show_logs, "logs": sub.log_tail if show_logs else "",
        "status_url": f"/api/v1/submissions/{submission_id}",
    }


def team_submissions(session: Session, principal: Principal, limit: int = 200) -> list[dict[str, Any]]:
    """The caller's submissions, newest first (organizers: everyone's), with the score total
    where the phase shows scores."""
    q = (select(Submission.id, Submission.state, Submission.failure_class, Submission.stage,
                Submission.progress, Submission.filename, Submission.created_at, Submission.score_total,
                Submission.disqualified, Phase.track, Phase.name, Phase.visibility, Phase.revealed,
                Team.name.label("team"))
         .join(Phase, Phase.id == Submission.phase_id).join(Team, Team.id == Submission.team_id)
         .order_by(Submission.id.desc()).limit(limit))
    q = owned_rows(q, principal.is_admin, principal.team_id)
    out = []
    for r in session.execute(q):
        visible = results_visible(r.visibility, r.revealed, principal.is_admin)
        out.append({"id": r.id, "url": page_url(r.id), "team": r.team, "phase": f"{r.track} / {r.name}",
                    "state": r.state, "failure_class": r.failure_class, "stage": r.stage,
                    "progress": round(r.progress, 1), "filename": r.filename, "created_at": iso(r.created_at),
                    "total": r.score_total if visible else None, "disqualified": r.disqualified})
    return out
