"""Server-rendered pages (Jinja2): the competition index and each phase's leaderboard
(grouped, sortable columns: ``api.board_view``)."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from core.errors import ErrorKind, Forbidden
from core.tracks import phase_rules
from core.visibility import results_visible

from .. import board_view, competition_view
from ..deps import BrowserPrincipalDep, PhaseId, SessionDep, get_phase
from ..errors import errors
from ..web_security import csp_nonce, csrf_token
from .competitions import visible_board

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
templates.env.globals["csrf_token"] = csrf_token  # {{ csrf_token(request) }}: a form's hidden csrf field
templates.env.globals["csp_nonce"] = csp_nonce  # {{ csp_nonce(request) }}: an inline script's nonce


def html_error(status: int, description: str) -> dict[int, dict]:
    """OpenAPI entry for a page's error answered as an HTML page."""
    return {status: {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}}


SIGN_IN_FIRST = {303: {"description": "Signed out: a redirect to /login (back here after signing in).",
                       "headers": {"Location": {"schema": {"type": "string"}}}}}


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, user: BrowserPrincipalDep):
    """Every competition with its tracks and each phase's state."""
    return templates.TemplateResponse(request, "index.html",
                                      {"competitions": competition_view.index(session), "user": user})


@router.get("/leaderboard/{phase_id}", response_class=HTMLResponse, responses=errors(ErrorKind.NOT_FOUND))
def leaderboard_page(phase_id: PhaseId, request: Request, session: SessionDep, user: BrowserPrincipalDep):
    """The signed-in browser user sees what their API token would see: on a private phase a
    team sees only its own row, an organizer every row; signed out, a private phase shows none."""
    phase = get_phase(session, phase_id)
    try:
        board = visible_board(session, phase, user)
        hidden = False
    except Forbidden:
        board, hidden = {"rows": [], "columns": [], "scorer_version": "", "complete": False}, True
    layout = board_view.groups(board["columns"])
    means = [board_view.group_means(r.get("columns"), layout) for r in board["rows"]]
    final, final_columns = board_view.private_ranking(board["rows"])
    return templates.TemplateResponse(request, "leaderboard.html", {
        "phase": phase, "board": board, "hidden": hidden, "user": user, "groups": layout, "means": means,
        "split": phase.split, "final": final, "final_columns": final_columns,
        "label": board_view.label, "csv": results_visible(phase.visibility, phase.revealed, False),
        "rules": phase_rules(phase.track, phase.settings)})
