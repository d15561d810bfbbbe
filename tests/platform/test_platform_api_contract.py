"""The API keeps the contract it publishes (/openapi.json): Schemathesis generates requests for
every operation from the document, valid and malformed, and sends them with an organizer token
and with a team token (and the team's browser session) to the real app (uvicorn, Postgres, a
Celery worker with the tests' tiny scorer) holding real data: a competition, two teams, scored,
failed and hidden submissions. Every answer must be no server error, with a documented status
code, content type, headers and body. Reproducible: Hypothesis runs derandomized, with a fixed
number of examples per operation. Chosen requests on the same data (a success for every route
and kind of content, and the usual refusals) are held to the same checks and to their status."""
from __future__ import annotations

import uuid
from functools import partial

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from api.deps import COOKIE
from api.errors import STATUS
from api.main import create_app
from core import errors, web_sessions
from core.competition import CompetitionError
from core.db import session_scope
from sqlalchemy import text
from platform_helpers import CSRF, auth, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
EXAMPLES = 25  # generated cases per operation and role, besides Schemathesis' coverage cases
UPLOAD, LOAD = "/api/v1/phases/{phase_id}/submissions", "/api/v1/admin/competitions"
REAL: dict[str, list] = {}  # parameter name -> values that name the stack's data
BODIES: dict[str, object] = {}  # operation path -> a valid body, sent besides the generated ones


def browser_session(token: str) -> str:
    with session_scope() as session:
        return web_sessions.sign_in(session, token)


@pytest.fixture(scope="module")
def contract_stack(platform_env):
    """API and worker processes with a competition (closed, open and private phases), two teams,
    an organizer and submissions in different states."""
    tmp, procs = platform_env["tmp"], []
    try:
        # Regression runs queued by the fuzzer go to a queue no worker reads (they would run the real regression).
        base = start_api(procs, tmp, fake=True, env={"AISC_REGRESS_QUEUE": "contract-test-unread"})
        start_worker(procs, tmp, fake=True, name=f"contract-{uuid.uuid4().hex[:4]}")
        bundle = fake_bundle(tmp)
        tracks = {"face": [phase_spec("closed", bundle, closes="2021-01-01T00:00:00Z"),
                           phase_spec("open", bundle, opens="2021-01-01T00:00:00Z", quota={"daily": 10000})],
                  "driving": [phase_spec("private", bundle, leaderboard="private", show_logs=False,
                                         quota={"daily": 10000, "total": 20000})]}
        phases = load_competition(tmp, tracks)
        tag = uuid.uuid4().hex[:6]
        team, other, organizer = make_team(f"contract-{tag}"), make_team(f"contract-other-{tag}"), make_admin()
        subs = [upload(base, token, phases[phase], body).json()["id"] for token, phase, body in [
            (team, "face/open", b"FAKE score=0.8"), (team, "face/open", b"FAKE fail=user"),
            (team, "driving/private", b"FAKE score=0.4"), (other, "face/open", b"FAKE score=0.6")]]
        for sub in subs:
            wait_state(base, organizer, sub)
        assert httpx.get(base + "/openapi.json").json() == schema.raw_schema  # the server publishes this document
        REAL.update(phase_id=sorted(phases.values()), from_phase=sorted(phases.values()), submission_id=subs,
                    name=["overview", "missing"])
        # (Schemathesis writes an application/yaml body as YAML itself: the competition goes as a mapping.)
        BODIES.update({UPLOAD: b"FAKE score=0.5",
                       LOAD: {"slug": f"contract-{tag}", "title": "Loaded by the contract test",
                              "tracks": {track: {"phases": specs} for track, specs in tracks.items()}}})
        yield {"base": base, "team": team, "organizer": organizer, "session": browser_session(team), "subs": subs,
               "phases": phases}
    finally:
        REAL.clear()
        BODIES.clear()
        for p in procs:
            p.kill()
        # later tests share the database: leave no regression run the fuzzer queued behind
        # (test_platform_regression starts from none, and a queued one would be run)
        with session_scope() as s:
            s.execute(text("DELETE FROM regression_runs"))


def _with_real(values: dict) -> st.SearchStrategy:
    """The generated parameters, with each one that names data sometimes replaced by a real value."""
    if not isinstance(values, dict):
        return st.just(values)
    return st.fixed_dictionaries({k: st.sampled_from([v, *REAL[k]]) if k in REAL else st.just(v)
                                  for k, v in values.items()})


# The document the app publishes, built from its code (contract_stack checks that the server
# publishes the same); the requests go to the running server.
schema = schemathesis.openapi.from_dict(create_app().openapi())


@schema.hook
def before_generate_path_parameters(_, strategy):
    return st.one_of(strategy, strategy.flatmap(_with_real))


@schema.hook
def before_generate_query(_, strategy):
    return st.one_of(strategy, strategy.flatmap(_with_real))


@schema.hook
def before_generate_body(context, strategy):
    path = context.operation.path if context.operation is not None else None
    if path in (UPLOAD, LOAD):  # an upload the fake scorer accepts, a competition YAML that loads
        return st.one_of(strategy, st.just(path).map(BODIES.__getitem__))
    return strategy


def call_and_check(case, stack: dict, role: str) -> None:
    cookies = None
    if role == "team":  # the browser session too, for the pages (a fresh one for /logout, which ends it)
        cookies = {COOKIE: browser_session(stack["team"]) if case.path == "/logout" else stack["session"]}
    response = case.call(base_url=stack["base"], headers=auth(stack[role]), cookies=cookies,
                         allow_redirects=False, timeout=60)
    case.validate_response(response, checks=CHECKS)


def call_real(stack: dict, role: str | None, method: str, path: str, expected: int | tuple, *, cookies=None, **data):
    """One chosen request, checked like the generated ones, with the status (or one of those) it must get."""
    case = schema[path][method].Case(**data)
    response = case.call(base_url=stack["base"], headers=auth(stack[role]) if role else None, cookies=cookies,
                         allow_redirects=False, timeout=60)
    case.validate_response(response, checks=CHECKS)
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), (
        method, path, data, response.status_code, response.text[:500])
    return response


def test_answers_on_real_data_keep_the_published_contract(contract_stack):
    """Successful answers on the stack's data, for every kind of content, and the usual refusals
    (the generated requests below mostly name nothing that exists)."""
    s = contract_stack
    scored, failed, hidden, others = s["subs"]
    closed, open_, private = (s["phases"][k] for k in ("face/closed", "face/open", "driving/private"))
    sub_path = "/api/v1/submissions/{submission_id}"
    team, organizer = partial(call_real, s, "team"), partial(call_real, s, "organizer")
    for path in ("/healthz", "/api/v1/competitions", "/", "/login"):
        call_real(s, None, "GET", path, 200)
    call_real(s, None, "GET", "/api/v1/submissions", 401)
    call_real(s, None, "GET", "/api/v1/phases/{phase_id}/leaderboard", 403, path_parameters={"phase_id": private})

    for sub in (scored, failed, hidden):
        team("GET", sub_path, 200, path_parameters={"submission_id": sub})
    team("GET", sub_path, 404, path_parameters={"submission_id": others})
    team("GET", "/api/v1/submissions", 200, query={"phase_id": open_, "limit": 10})
    team("GET", sub_path + "/logs", 200, path_parameters={"submission_id": scored})
    team("GET", sub_path + "/logs", 403, path_parameters={"submission_id": hidden})
    team("GET", sub_path + "/artifacts/{name}", 200, path_parameters={"submission_id": scored, "name": "overview"})
    team("GET", sub_path + "/artifacts/{name}", 404, path_parameters={"submission_id": hidden, "name": "overview"})
    for phase in (open_, private):
        team("GET", "/api/v1/phases/{phase_id}/quota", 200, path_parameters={"phase_id": phase})
        team("GET", "/api/v1/phases/{phase_id}/leaderboard", 200, path_parameters={"phase_id": phase})
        team("GET", "/leaderboard/{phase_id}", 200, path_parameters={"phase_id": phase})
    upload_args = {"path_parameters": {"phase_id": open_}, "query": {"filename": "again.txt"},
                   "headers": {"Idempotency-Key": uuid.uuid4().hex}, "media_type": "application/octet-stream"}
    new = team("POST", UPLOAD, 201, body=b"FAKE score=0.2 sleep=5", **upload_args).json()["id"]
    team("POST", UPLOAD, 200, body=b"FAKE score=0.2 sleep=5", **upload_args)  # the retry gets the same one
    team("POST", UPLOAD, 409, body=b"FAKE score=0.3", **upload_args)  # the same key with another file
    team("POST", UPLOAD, 422, body=b"not for the fake scorer", **{**upload_args, "headers": {}})
    team("POST", UPLOAD, 403, body=b"FAKE", **{**upload_args, "path_parameters": {"phase_id": closed}})
    team("POST", sub_path + "/cancel", 200, path_parameters={"submission_id": new})
    team("POST", sub_path + "/cancel", 409, path_parameters={"submission_id": new})

    cookie = {COOKIE: browser_session(s["team"])}
    call_real(s, None, "GET", "/submissions", 200, cookies=cookie)
    for sub, expected in ((scored, 200), (others, 404)):
        call_real(s, None, "GET", "/submissions/{submission_id}", expected, cookies=cookie,
                  path_parameters={"submission_id": sub})
    form, csrf = "application/x-www-form-urlencoded", {"aisc_csrf": CSRF}
    call_real(s, None, "POST", "/logout", 403, cookies=cookie)  # no CSRF field
    call_real(s, None, "POST", "/logout", 303, cookies={**cookie, **csrf}, body={"csrf": CSRF}, media_type=form)
    call_real(s, None, "GET", "/submissions", 303, cookies=cookie)  # signed out
    call_real(s, None, "POST", "/login", 303, body={"token": s["team"], "next": "/submissions", "csrf": CSRF},
              media_type=form, cookies=csrf)
    call_real(s, None, "POST", "/login", 401, body={"token": "aisc_not-a-token", "csrf": CSRF}, media_type=form,
              cookies=csrf)

    organizer("GET", sub_path, 200, path_parameters={"submission_id": hidden})
    organizer("GET", "/api/v1/admin/submissions", 200, query={"phase_id": open_, "limit": 50})
    organizer("GET", "/api/v1/phases/{phase_id}/leaderboard", 200, path_parameters={"phase_id": private})
    organizer("GET", "/api/v1/admin/phases/{phase_id}/export.csv", 200, path_parameters={"phase_id": open_})
    organizer("GET", "/api/v1/phases/{phase_id}/quota", 403, path_parameters={"phase_id": open_})
    name = f"contract-new-{uuid.uuid4().hex[:6]}"
    organizer("POST", "/api/v1/admin/teams", 201, body={"name": name})
    organizer("POST", "/api/v1/admin/teams", 409, body={"name": name})
    organizer("POST", LOAD, 200, body=BODIES[LOAD], media_type="application/yaml")
    organizer("POST", LOAD, 422, body={"slug": "x"}, media_type="application/yaml")
    entries = "/api/v1/admin/competitions/{slug}/enrollments"
    organizer("GET", entries, 200, path_parameters={"slug": BODIES[LOAD]["slug"]})
    organizer("GET", entries, 404, path_parameters={"slug": "no-such-competition"})
    organizer("POST", entries + "/{team_id}/approve", 404, path_parameters={"slug": BODIES[LOAD]["slug"],
                                                                           "team_id": 2**31 - 1})
    team("GET", entries, 403, path_parameters={"slug": BODIES[LOAD]["slug"]})
    for value in (True, False):
        organizer("POST", "/api/v1/admin/submissions/{submission_id}/disqualify", 200,
                  path_parameters={"submission_id": scored}, body={"reason": "checking", "disqualified": value})
        organizer("POST", "/api/v1/admin/phases/{phase_id}/reveal", 200, path_parameters={"phase_id": private},
                  body={"revealed": value})
    organizer("POST", "/api/v1/admin/submissions/{submission_id}/subjective", 409,
              path_parameters={"submission_id": scored}, body={"value": 0.5})  # the phase has no subjective weight
    organizer("POST", "/api/v1/admin/submissions/{submission_id}/rescore", 200,
              path_parameters={"submission_id": failed})
    organizer("POST", "/api/v1/admin/phases/{phase_id}/rescore", 200, path_parameters={"phase_id": closed})
    organizer("POST", "/api/v1/admin/phases/{phase_id}/carry-over", 200, path_parameters={"phase_id": open_},
              query={"from_phase": closed})
    organizer("GET", "/api/v1/admin/regression", 200, query={"history": 5})
    organizer("POST", "/api/v1/admin/regression", (202, 200))  # 200: a run was already queued (by another test)
    organizer("POST", "/api/v1/admin/regression", 200)  # already queued: that run
    team("GET", "/api/v1/admin/regression", 403)


FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_organizer_calls_keep_the_published_contract(case, contract_stack):
    call_and_check(case, contract_stack, "organizer")


@pytest.mark.slow
@schema.parametrize()
@FUZZ
def test_team_calls_keep_the_published_contract(case, contract_stack):
    call_and_check(case, contract_stack, "team")


def test_each_error_kind_keeps_its_status_code():
    """One map from core error kinds to HTTP; the codes are the ones the API always answered."""
    assert set(STATUS) == set(errors.ErrorKind)
    expected = {errors.PlatformError: 400, errors.Unauthorized: 401, errors.Forbidden: 403, errors.NotFound: 404,
                errors.Conflict: 409, errors.UploadTooLarge: 413, errors.UploadRejected: 422, CompetitionError: 422,
                errors.QuotaRefused: 429, errors.Unavailable: 503}
    assert {cls: STATUS[cls.kind] for cls in expected} == expected
