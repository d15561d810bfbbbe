"""Competition pages (HTML): a competition's overview, a track's page with its starting kit, a
phase's page, and a public leaderboard as CSV. What they show is built in
``api.competition_view``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from core import leaderboard, scorer_versions
from core.errors import ErrorKind, Forbidden, NotFound
from core.storage import get_storage
from core.visibility import results_visible, split_sealed

from .. import competition_view as view
from ..deps import BrowserPrincipalDep, PhaseId, SessionDep, get_phase
from ..errors import errors
from ..web_security import csrf_token
from .web import templates

router = APIRouter(tags=["pages"])
Slug = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$", description="a competition's slug")]
Track = Annotated[str, Path(max_length=32, pattern=r"^[a-z0-9_-]+$", description="a track: face, driving, deepfake")]
CSV = {"description": "The leaderboard as CSV.", "content": {"text/csv": {"schema": {"type": "string"}}}}
FILE = {"description": "The starting kit.", "content": {"application/octet-stream": {"schema": {"type": "string"}}}}


@router.get("/competitions/{slug}", response_class=HTMLResponse, responses=errors(ErrorKind.NOT_FOUND))
def overview(slug: Slug, request: Request, session: SessionDep, user: BrowserPrincipalDep):
    """A competition's description, rules and data terms, and its tracks and phases."""
    return templates.TemplateResponse(request, "competition.html", {**view.overview(session, slug), "user": user})


@router.get("/competitions/{slug}/tracks/{track}", response_class=HTMLResponse, responses=errors(ErrorKind.NOT_FOUND))
def track_page(slug: Slug, track: Track, request: Request, session: SessionDep, user: BrowserPrincipalDep):
    """What to submit on a track: format, limits per phase, the starting kit."""
    return templates.TemplateResponse(request, "track.html", {**view.track_page(session, slug, track), "user": user})


@router.get("/competitions/{slug}/tracks/{track}/starting-kit", response_class=Response,
            responses={200: FILE, **errors(ErrorKind.NOT_FOUND)})
def starting_kit(slug: Slug, track: Track, session: SessionDep) -> Response:
    """Download the track's starting kit (404 when the organizers gave none)."""
    kit, storage = view.kit(session, slug, track), get_storage()
    if not storage.exists(kit["key"]):
        raise NotFound(f"the starting kit of {slug}/{track} is missing from the storage; "
                       "the organizers must load the competition again")
    return StreamingResponse(storage.iter_bytes(kit["key"]), media_type="application/octet-stream",
                             headers={"Content-Disposition": f'attachment; filename="{kit["filename"]}"',
                                      "Content-Length": str(kit["size"])})


@router.get("/phases/{phase_id}", response_class=HTMLResponse, responses=errors(ErrorKind.NOT_FOUND))
def phase_page(phase_id: PhaseId, request: Request, session: SessionDep, user: BrowserPrincipalDep):
    """A phase's state (upcoming / open / closed, with a countdown), quotas, limits and ranking."""
    page = view.phase_page(get_phase(session, phase_id), session, user.team_id if user else None, user is not None)
    return templates.TemplateResponse(request, "phase.html", {**page, "user": user, "csrf": csrf_token(request)})


@router.get("/phases/{phase_id}/leaderboard.csv", response_class=Response,
            responses={200: CSV, **errors(ErrorKind.FORBIDDEN, ErrorKind.NOT_FOUND)})
def leaderboard_csv(phase_id: PhaseId, session: SessionDep) -> Response:
    """The leaderboard as CSV, for anyone, where the phase's results are public (a public phase,
    or a private one the organizers revealed); 403 otherwise."""
    phase = get_phase(session, phase_id)
    if not results_visible(phase.visibility, phase.revealed, False):
        raise Forbidden(f"the leaderboard of {phase.track}/{phase.name} is private until the organizers reveal it; "
                        "its CSV can be downloaded then")
    rows = leaderboard.rank(session, phase, scorer_versions.current(session, phase.track) or "")
    if split_sealed(phase.split, phase.revealed, False):  # the private part waits for the reveal
        for r in rows:
            r.private = None
    return Response(leaderboard.to_csv(rows), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{phase.track}-{phase.name}-leaderboard.csv"'})
