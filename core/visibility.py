"""The one visibility rule for what a caller sees of a phase's results. Every endpoint and page
(status, submission lists, results page, pictures, logs, leaderboard JSON and HTML) asks here.

- Ownership: an organizer sees every submission; a team only its own (others' look absent).
- Results (scores, per-model columns, per-sample details, result pictures, ranks): shown to a
  team only on a public phase, or on a private phase once the organizers have revealed it.
  Organizers always see them.
- Leaderboard: a public or revealed phase shows every row. Before the reveal a team sees only
  that its own entry exists (team, submission, time) with no rank, total or columns, exactly
  what its status endpoint shows; signed out, nothing.
- Logs of runs on hidden data: shown to a team only where the phase says ``show_logs``.
- A phase with a public/private split (``core.phase_split``), before the reveal, is *sealed* for
  teams: they see the public part's total and aggregate columns only; the whole's figures, the
  private part, per-sample details and result pictures are withheld (a per-sample outcome or a
  picture would let a team tell public samples from private ones). Organizers see everything;
  at the reveal teams see the private part beside the public one.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

HIDDEN_ROW_FIELDS = ("rank", "total", "columns", "valid", "private")


def owns(is_admin: bool, caller_team_id: Optional[int], team_id: int) -> bool:
    return is_admin or (caller_team_id is not None and caller_team_id == team_id)


def owned_rows(query: Any, is_admin: bool, caller_team_id: Optional[int]) -> Any:
    """``query`` (a SQLAlchemy select over submissions) narrowed to what the caller owns: the
    ``owns`` rule for lists."""
    from .models import Submission

    return query if is_admin else query.where(Submission.team_id == caller_team_id)


def results_visible(visibility: str, revealed: bool, is_admin: bool) -> bool:
    return is_admin or visibility == "public" or bool(revealed)


def logs_visible(show_logs: bool, is_admin: bool) -> bool:
    return is_admin or bool(show_logs)


def split_sealed(split: Any, revealed: bool, is_admin: bool) -> bool:
    """True when the caller may see only the public part of a split phase's results."""
    return bool(split) and not revealed and not is_admin


def details_visible(visibility: str, revealed: bool, split: Any, is_admin: bool) -> bool:
    """Per-sample details and result pictures: where results are visible and not sealed."""
    return results_visible(visibility, revealed, is_admin) and not split_sealed(split, revealed, is_admin)


SEALED_NOTE = ("this phase has a public/private split: until the organizers reveal it you see the public "
               "part only; per-sample details and pictures are shown after the reveal")


def seal_score(score: dict[str, Any], parts: dict[str, Any] | None) -> dict[str, Any]:
    """A score dict (``total``, ``scorer_score``, ``columns``, ``artifacts``...) as a sealed caller
    sees it: the public part's total and columns, no pictures, no parts."""
    public = (parts or {}).get("public") or {}
    return {**score, "total": public.get("total"), "scorer_score": public.get("score"),
            "columns": dict(public.get("columns") or {}), "artifacts": [], "parts": None}


def board_rows(rows: Iterable[dict[str, Any]], *, visibility: str, revealed: bool, is_admin: bool,
               caller_team_id: Optional[int], signed_in: bool, split: Any = None) -> tuple[list[dict[str, Any]], bool]:
    """(rows the caller may see, whether they are the complete ranking). Raises PermissionError
    when a signed-out caller asks for a private phase's board before the reveal."""
    rows = list(rows)
    if results_visible(visibility, revealed, is_admin):
        if split_sealed(split, revealed, is_admin):
            rows = [dict(r, private=None) for r in rows]
        return rows, True
    if not signed_in:
        raise PermissionError("this leaderboard is private until the organizers reveal it; "
                              "send your team token to see that your entry is on it")
    own = [dict(r, **{k: None for k in HIDDEN_ROW_FIELDS}) for r in rows if r.get("team_id") == caller_team_id]
    return own, False
