"""What the competition pages show: the index, a competition's overview, a track's page and a
phase's page. Organizer texts are rendered by ``api.markdown``; phase states come from
``core.phase_state``."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import phase_state
from core.errors import NotFound
from core.models import Competition, Phase
from core.submissions import upload_readiness
from core.timeutil import iso, utcnow
from core.tracks import phase_rules
from core.visibility import results_visible

from .markdown import render

TRACK_TITLES = {"face": "Adversarial faces", "driving": "Adversarial driving patches",
                "deepfake": "Deepfake method attribution"}


def size_text(n: int) -> str:
    """Bytes in binary units: 1536 -> '1.5 KiB'."""
    value, unit = float(n), "bytes"
    for u in ("KiB", "MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, u
    return f"{n:,} bytes" if unit == "bytes" else f"{value:.3g} {unit}"


def duration_text(seconds: float) -> str:
    """A rough remaining time: '3 d 4 h', '5 h 2 min', '42 s'."""
    s = max(0, int(seconds))
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if d:
        return f"{d} d {h} h"
    if h:
        return f"{h} h {m} min"
    if m:
        return f"{m} min {s % 60} s" if s % 60 else f"{m} min"
    return f"{s} s"


def phase_summary(ph: Phase, now: datetime) -> dict[str, Any]:
    state = phase_state.state(ph, now)
    change = phase_state.next_change(ph, now)
    return {"id": ph.id, "track": ph.track, "name": ph.name, "state": state,
            "opens_at": iso(ph.opens_at), "closes_at": iso(ph.closes_at),
            "opens_text": f"{ph.opens_at:%Y-%m-%d %H:%M} UTC", "closes_text": f"{ph.closes_at:%Y-%m-%d %H:%M} UTC",
            "change_at": iso(change), "change_verb": {"upcoming": "opens", "open": "closes"}.get(state),
            "remaining": duration_text((change - now).total_seconds()) if change else None,
            "public": results_visible(ph.visibility, ph.revealed, False),
            "split": {"n_public": ph.split["n_public"], "n_private": ph.split["n_private"],
                      "revealed": ph.revealed} if ph.split else None}


def _get_competition(session: Session, slug: str) -> Competition:
    comp = session.scalar(select(Competition).where(Competition.slug == slug))
    if comp is None:
        raise NotFound(f"no competition {slug!r}; the home page lists them")
    return comp


def index(session: Session) -> list[dict[str, Any]]:
    now = utcnow()
    out = []
    for c in session.scalars(select(Competition).order_by(Competition.id)):
        tracks: dict[str, list[dict[str, Any]]] = {}
        for p in c.phases:
            tracks.setdefault(p.track, []).append(phase_summary(p, now))
        out.append({"slug": c.slug, "title": c.title, "tracks": tracks, "track_titles": TRACK_TITLES})
    return out


def overview(session: Session, slug: str) -> dict[str, Any]:
    """The competition's texts (rendered) and its tracks with their phases. NotFound."""
    comp = _get_competition(session, slug)
    now = utcnow()
    tracks: dict[str, list[dict[str, Any]]] = {}
    for p in comp.phases:
        tracks.setdefault(p.track, []).append(phase_summary(p, now))
    return {"comp": comp, "description": render(comp.description), "rules": render(comp.rules),
            "terms": render(comp.terms), "tracks": tracks, "track_titles": TRACK_TITLES}


def track_page(session: Session, slug: str, track: str) -> dict[str, Any]:
    """What to submit on a track: the organizer's text, the starting kit, each phase's limits."""
    comp = _get_competition(session, slug)
    phases = [p for p in comp.phases if p.track == track]
    if not phases:
        raise NotFound(f"competition {slug!r} has no track {track!r}; its tracks: "
                       f"{', '.join(sorted({p.track for p in comp.phases})) or 'none'}")
    page = (comp.track_pages or {}).get(track) or {}
    now = utcnow()
    return {"comp": comp, "track": track, "track_title": TRACK_TITLES.get(track, track),
            "submit": render(page.get("submit")), "kit": page.get("kit"),
            "kit_size": size_text(page["kit"]["size"]) if page.get("kit") else "",
            "phases": [{**phase_summary(p, now), **limits(p)} for p in phases]}


def kit(session: Session, slug: str, track: str) -> dict[str, Any]:
    """The stored starting kit of a track (storage key, filename...). NotFound."""
    comp = _get_competition(session, slug)
    found = ((comp.track_pages or {}).get(track) or {}).get("kit")
    if not found:
        raise NotFound(f"track {track!r} of {slug!r} has no starting kit")
    return found


def limits(ph: Phase) -> dict[str, Any]:
    return {"upload_cap": size_text(ph.max_upload_bytes), "quota_daily": ph.quota_daily,
            "quota_total": ph.quota_total, "time_limit": duration_text(ph.hard_time_limit),
            "soft_limit": duration_text(ph.soft_time_limit), "ranking": ph.ranking, "visibility": ph.visibility,
            "revealed": ph.revealed, "show_logs": ph.show_logs, "queue": ph.queue,
            "rules": phase_rules(ph.track, ph.settings)}


def phase_page(ph: Phase, session: Session | None = None, team_id: int | None = None,
               signed_in: bool = False) -> dict[str, Any]:
    """The phase's facts, and (``session`` given) the upload form's state for the signed-in
    caller (``core.submissions.upload_readiness``; None when signed out)."""
    up = upload_readiness(session, ph, team_id) if session is not None and signed_in else None
    if up is not None:
        up["cap_text"] = size_text(up["max_bytes"])
    return {"phase": ph, "comp": ph.competition, "info": {**phase_summary(ph, utcnow()), **limits(ph)},
            "track_title": TRACK_TITLES.get(ph.track, ph.track), "upload": up}
