"""The organizer console (``/console``): every phase's submissions with filters (state, team,
failure class) and their actions (re-score, disqualify, cancel, subjective score), reveal, carry
over, the CSV export, team approvals, the regression runs and the audit log.

Organizers sign in with their admin token at /login; other users get 403. Every action is a
POST form with the CSRF field and asks for confirmation first (a page with a required
"confirm" box; no JavaScript). Actions call the same core functions as the organizer API
(api.routes.admin), which write the same audit rows in the transaction of the change, the actor
named ``admin token N (label) (browser)``."""
from __future__ import annotations

import re
from typing import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from core import admin_ops, audit, enrollment, leaderboard, regression, scorer_versions, web_sessions
from core.db import read_session_factory, session_factory, session_scope
from core.errors import NotFound, PlatformError
from core.models import FAILURE_CLASSES, Competition, Phase, Submission
from core.names import file_part
from core.status import fetch_many

from ..deps import COOKIE, ID_MAX
from ..errors import STATUS
from ..web_security import csrf_token
from .auth_web import checked_form as _form
from .pages_submissions import login_redirect
from .web import templates

router = APIRouter(prefix="/console", tags=["pages"], include_in_schema=False)
PAGE = 50
DONE = re.compile(r"[A-Z][A-Za-z -]{2,60} \d{1,10}(?: in competition \d{1,10})?")  # our own notes only


def Id():  # noqa: N802 - a fresh Path per parameter (FastAPI binds one to its parameter's name)
    return Path(ge=1, le=ID_MAX)


SUB_ACTIONS = {"rescore": "Re-score", "disqualify": "Disqualify", "requalify": "Put back on the leaderboard",
               "cancel": "Cancel", "subjective": "Set the subjective score of"}
NOT_ORGANIZER = ("The console is for the organizers: sign in with an organizer (admin) token. "
                 "Teams follow their submissions on the “My submissions” page.")


class Organizer:
    """The signed-in organizer as the console and the audit log see them."""

    def __init__(self, user: web_sessions.SessionUser):
        self.role, self.team_name, self.user_id, self.user_name = user.role, None, None, None
        self.actor = audit.actor_name(user.token_id, user.token_label) + " (browser)"


def _who(request: Request) -> web_sessions.SessionUser | None:
    sid = request.cookies.get(COOKIE)
    if not sid:
        return None
    with read_session_factory()() as session:
        return web_sessions.resolve(session, sid)


def _page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
    return templates.TemplateResponse(request, name, status_code=status, context={
        "csrf": csrf_token(request), **ctx})


def _message(request: Request, user, status: int, title: str, text: str, back: str = "/console") -> HTMLResponse:
    return _page(request, "message.html", status, user=user, title=title, text=text, back=back)


async def _organizer(request: Request) -> Organizer | Response:
    """The organizer, or the answer to give instead (sign in first; 403 for a team)."""
    who = await run_in_threadpool(_who, request)
    if who is None:
        return login_redirect(request)
    if who.role != "admin" or who.token_id is None:
        return _message(request, who, 403, "Organizers only", NOT_ORGANIZER, back="/")
    return Organizer(who)


def _read(fn: Callable):
    with read_session_factory()() as session:
        out = fn(session)
        session.expunge_all()
        return out


# ---- pages


def _index(session) -> dict:
    phases = session.execute(select(Phase, Competition).join(Competition, Competition.id == Phase.competition_id)
                             .order_by(Competition.id, Phase.track, Phase.id)).all()
    return {"phases": phases, "pending": enrollment.pending(session)}


@router.get("", response_class=HTMLResponse)
async def console(request: Request):
    org = await _organizer(request)
    if not isinstance(org, Organizer):
        return org
    ctx = await run_in_threadpool(_read, _index)
    return _page(request, "console.html", user=org, **ctx)


def _phase_view(phase_id: int, state: str, team: str, failure_class: str):
    def view(session):
        phase = session.get(Phase, phase_id)
        if phase is None:
            raise NotFound(f"phase {phase_id} not found")
        ids = admin_ops.submission_ids(session, phase_id, state=state, team=team, failure_class=failure_class)
        others = session.scalars(select(Phase).where(Phase.competition_id == phase.competition_id,
                                                     Phase.id != phase.id).order_by(Phase.id)).all()
        return {"phase": phase, "rows": fetch_many(session, ids, is_admin=True), "others": others}
    return view


def _clean(value: str | None, n: int = 100) -> str:
    return "".join(ch for ch in (value or "") if ch >= " " and ch != "\x7f")[:n]


@router.get("/phases/{phase_id}", response_class=HTMLResponse)
async def phase_page(request: Request, phase_id: int = Id(), state: str = "", team: str = "",
                     failure_class: str = ""):
    org = await _organizer(request)
    if not isinstance(org, Organizer):
        return org
    state, team, failure_class = _clean(state, 12), _clean(team), _clean(failure_class, 12)
    try:
        ctx = await run_in_threadpool(_read, _phase_view(phase_id, state, team, failure_class))
    except PlatformError as e:
        return _message(request, org, STATUS[e.kind], "Not found", str(e))
    kept = urlencode({k: v for k, v in (("state", state), ("team", team), ("failure_class", failure_class)) if v})
    here = request.url.path + (f"?{kept}" if kept else "")
    done = request.query_params.get("done", "")
    return _page(request, "console_phase.html", user=org, states=admin_ops.STATES, failure_classes=FAILURE_CLASSES,
                 filters={"state": state, "team": team, "failure_class": failure_class}, here=here,
                 done=done if DONE.fullmatch(done) else "", **ctx)


def _csv(phase_id: int) -> tuple[str, str] | None:
    with read_session_factory()() as session:
        phase = session.get(Phase, phase_id)
        if phase is None:
            return None
        rows = leaderboard.rank(session, phase, scorer_versions.current(session, phase.track) or "")
        return leaderboard.to_csv(rows), f"{file_part(phase.track)}-{file_part(phase.name)}-leaderboard.csv"


@router.get("/phases/{phase_id}/export.csv")
async def export_csv(request: Request, phase_id: int = Id()):
    org = await _organizer(request)
    if not isinstance(org, Organizer):
        return org
    out = await run_in_threadpool(_csv, phase_id)
    if out is None:
        return _message(request, org, 404, "Not found", f"phase {phase_id} not found")
    return Response(out[0], media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{out[1]}"'})


@router.get("/regression", response_class=HTMLResponse)
async def regression_page(request: Request):
    org = await _organizer(request)
    if not isinstance(org, Organizer):
        return org
    report = await run_in_threadpool(_read, lambda s: regression.report(s, history=100))
    return _page(request, "console_regression.html", user=org, report=report)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, page: int = Query(1, ge=1, le=100_000)):
    org = await _organizer(request)
    if not isinstance(org, Organizer):
        return org
    log = await run_in_threadpool(_read, lambda s: audit.page(s, offset=(page - 1) * PAGE, limit=PAGE))
    pages = max(1, -(-log["total"] // PAGE))
    return _page(request, "console_audit.html", user=org, log=log, page=page, pages=pages)


# ---- actions: a confirmation page first, then the action, then back




def _back(value: str | None) -> str:
    return value if value and value.startswith("/console") and "\\" not in value and "//" not in value else "/console"


async def _act(request: Request, what: str, run: Callable[[Organizer, dict], None],
               check: Callable[[dict], str | None] = lambda f: None):
    """Refuse a cross-site form; ask to confirm (the confirm page, its fields carried over);
    then ``run(org, form)`` and back (303), or the reason it could not be done."""
    org = await _organizer(request)
    if not isinstance(org, Organizer):
        return org
    form = await _form(request)
    if form is None:
        return _message(request, org, 403, "Request refused", "This form was posted from another site, or "
                        "without its security field. Open the console again and resubmit the form.")
    back = _back(form.get("back"))
    problem = check(form)
    if problem:
        return _message(request, org, 422, "Not done", problem, back)
    if form.get("confirm") != "yes":
        fields = {k: v for k, v in form.items() if k not in ("csrf", "confirm")}
        return _page(request, "console_confirm.html", user=org, what=what, action=request.url.path,
                     fields=fields, back=back)
    try:
        await run_in_threadpool(run, org, form)
    except PlatformError as e:
        return _message(request, org, STATUS[e.kind], "Not done", str(e), back)
    sep = "&" if "?" in back else "?"
    return RedirectResponse(back + sep + urlencode({"done": what}), status_code=303)


def _submission(sub_id: int) -> None:
    with read_session_factory()() as session:
        if session.get(Submission, sub_id) is None:
            raise NotFound(f"submission {sub_id} not found")


def _reason(form: dict) -> str | None:
    reason = form.get("reason", "").strip()
    if not reason or len(reason) > 2000 or "\x00" in reason:
        return "Give the reason for the disqualification (1 to 2000 characters); the team sees it."
    return None


def _value(form: dict) -> float | None:
    try:
        value = float(form.get("value", ""))
    except ValueError:
        return None
    return value if 0.0 <= value <= 1.0 else None


@router.post("/submissions/{sub_id}/{action}", response_class=HTMLResponse)
async def submission_action(request: Request, action: str, sub_id: int = Id()):
    if action not in SUB_ACTIONS:
        return _message(request, None, 404, "Not found", f"no console action {action[:40]!r}")

    def run(org: Organizer, form: dict) -> None:
        _submission(sub_id)
        make = session_factory()
        if action == "rescore":
            admin_ops.rescore(make, sub_id, actor=org.actor)
        elif action in ("disqualify", "requalify"):
            value, reason = action == "disqualify", form.get("reason", "").strip() or "put back by the organizers"
            admin_ops.disqualify(make, sub_id, reason, value, actor=org.actor)
        elif action == "cancel":
            admin_ops.cancel(make, sub_id, organizer=org.actor)
        else:
            admin_ops.set_subjective(make, sub_id, float(form["value"]), actor=org.actor)

    def check(form: dict) -> str | None:
        if action == "disqualify":
            return _reason(form)
        if action == "subjective" and _value(form) is None:
            return "The subjective score is a number from 0 to 1 (for example 0.75)."
        return None
    return await _act(request, f"{SUB_ACTIONS[action]} submission {sub_id}", run, check)


def _phase_or_404(session, phase_id: int) -> Phase:
    phase = session.get(Phase, phase_id)
    if phase is None:
        raise NotFound(f"phase {phase_id} not found")
    return phase


@router.post("/phases/{phase_id}/reveal", response_class=HTMLResponse)
async def reveal(request: Request, phase_id: int = Id()):
    def run(org: Organizer, form: dict) -> None:
        value = form.get("revealed") != "no"
        with session_scope() as session:
            admin_ops.reveal(session, _phase_or_404(session, phase_id), value, actor=org.actor)
    form_hide = (await request.form()).get("revealed") == "no"
    return await _act(request, f"{'Hide' if form_hide else 'Reveal'} the results of phase {phase_id}", run)


def _from_phase(form: dict) -> int | None:
    try:
        value = int(form.get("from_phase", ""))
    except ValueError:
        return None
    return value if 1 <= value <= ID_MAX else None


@router.post("/phases/{phase_id}/carry-over", response_class=HTMLResponse)
async def carry_over(request: Request, phase_id: int = Id()):
    def run(org: Organizer, form: dict) -> None:
        admin_ops.carry_over(session_factory(), _from_phase(form), phase_id, actor=org.actor)

    def check(form: dict) -> str | None:
        return None if _from_phase(form) else "Choose the phase to carry the teams' last scored submissions from."
    return await _act(request, f"Carry the last scored submissions over into phase {phase_id}", run, check)


@router.post("/competitions/{competition_id}/enrollments/{team_id}/approve", response_class=HTMLResponse)
async def approve(request: Request, competition_id: int = Id(), team_id: int = Id()):
    def run(org: Organizer, form: dict) -> None:
        with session_scope() as session:
            enrollment.approve(session, competition_id, team_id, actor=org.actor)
    return await _act(request, f"Approve team {team_id} in competition {competition_id}", run)
