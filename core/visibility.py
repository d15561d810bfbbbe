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
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

HIDDEN_ROW_FIELDS = ("rank", "total", "columns", "valid")


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


def board_rows(rows: Iterable[dict[str, Any]], *, visibility: str, revealed: bool, is_admin: bool,
               caller_team_id: Optional[int], signed_in: bool) -> tuple[list[dict[str, Any]], bool]:
    """(rows the caller may see, whether they are the complete ranking). Raises PermissionError
    when a signed-out caller asks for a private phase's board before the reveal."""
    rows = list(rows)
    if results_visible(visibility, revealed, is_admin):
        return rows, True
    if not signed_in:
        raise PermissionError("this leaderboard is private until the organizers reveal it; "
                              "send your team token to see that your entry is on it")
    own = [dict(r, **{k: None for k in HIDDEN_ROW_FIELDS}) for r in rows if r.get("team_id") == caller_team_id]
    return own, False
