"""Competition fixtures shared by the platform tests."""
from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import yaml

from core.competition import load_file
from core.db import session_scope
from core.models import Phase
from core.tokens import create_team, issue_token

TERMINAL = ("scored", "failed", "cancelled")


def fake_bundle(tmp: Path) -> Path:
    d = tmp / "fake-bundle"
    d.mkdir(exist_ok=True)
    # a face bundle manifest of one pair (the files are never read: the fake scorer ignores them)
    (d / "manifest.json").write_text(json.dumps({"schema_version": 1, "track": "face", "meta": {"n_pairs": 1},
                                                 "files": {"images/0001.png": "0" * 64,
                                                           "images/0001_compare.png": "0" * 64}}))
    return d


def phase_spec(name: str, bundle: Path, **over) -> dict:
    spec = {"name": name, "opens": "2020-01-01T00:00:00Z", "closes": "2099-01-01T00:00:00Z",
            "bundle": str(bundle), "scoring": {}, "quota": {"daily": 50}, "ranking": "best",
            "leaderboard": "public", "show_logs": True, "limits": {"soft_seconds": 60, "hard_seconds": 90}}
    spec.update(over)
    return spec


def load_competition(tmp: Path, phases: dict[str, list[dict]], slug: str | None = None, *,
                     pages: dict | None = None, track_pages: dict[str, dict] | None = None,
                     registration: dict | None = None) -> dict[str, int]:
    """Write and load a competition YAML; return {'track/phase': phase id}. ``pages``: top-level
    fields (description, rules, terms); ``track_pages``: per track (submit, starting_kit);
    ``registration``: the registration policy block."""
    slug = slug or f"c-{uuid.uuid4().hex[:8]}"
    path = tmp / f"{slug}.yaml"
    extra = {"registration": registration} if registration else {}
    path.write_text(yaml.safe_dump({"slug": slug, "title": f"Test {slug}", **(pages or {}), **extra,
                                    "tracks": {t: {**(track_pages or {}).get(t, {}), "phases": ps}
                                               for t, ps in phases.items()}}))
    with session_scope() as session:
        comp, _ = load_file(session, path)
        return {f"{p.track}/{p.name}": p.id for p in session.query(Phase).filter_by(competition_id=comp.id)}


def make_team(name: str | None = None) -> str:
    with session_scope() as session:
        _, token = create_team(session, name or f"team-{uuid.uuid4().hex[:8]}")
        return token


def make_admin() -> str:
    with session_scope() as session:
        return issue_token(session, "admin", label="test")


CSRF = "test-csrf-value"  # a form's csrf field must equal the aisc_csrf cookie (api.web_security)


def form_post(url: str, data: dict, cookies: dict | None = None, **kw) -> httpx.Response:
    """POST a page form as a browser does: with the CSRF field and its cookie."""
    return httpx.post(url, data={**data, "csrf": CSRF}, cookies={**(cookies or {}), "aisc_csrf": CSRF}, **kw)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def upload(base: str, token: str, phase_id: int, body: bytes, filename: str = "sub.txt",
           key: str | None = None) -> httpx.Response:
    headers = {**auth(token), "Content-Type": "application/octet-stream"}
    if key:
        headers["Idempotency-Key"] = key
    return httpx.post(f"{base}/api/v1/phases/{phase_id}/submissions", params={"filename": filename},
                      content=body, headers=headers, timeout=60)


def wait_state(base: str, token: str, sub_id: int, states=TERMINAL, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        st = httpx.get(f"{base}/api/v1/submissions/{sub_id}", headers=auth(token), timeout=10).json()
        if st["state"] in states:
            return st
        if time.monotonic() > deadline:
            raise AssertionError(f"submission {sub_id} still {st['state']} after {timeout} s: {st}")
        time.sleep(0.1)
