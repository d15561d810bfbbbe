"""The organizer console (/console) in real headless Chromium against a real API process and
worker on Postgres and Redis: an organizer signs in with an admin token, filters a phase's
submissions, re-scores one (through the confirmation step), disqualifies one, sets a subjective
score, reveals a private phase, approves a pending team, carries the last scored submissions over
into the next phase, cancels a running submission, and finds each action in the audit log on the
console; a team gets 403; hostile form values get an answer, never a 500."""
from __future__ import annotations

import uuid

import httpx
import pytest

from core.settings import ROOT
from platform_helpers import auth, fake_bundle, form_post, load_competition, make_admin, make_team, phase_spec, upload, \
    wait_state
from platform_procs import start_api, start_worker
from test_platform_accounts import submit
from test_platform_browser import chrome

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots"


def shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"console-{name}.png"))


def rows(driver) -> dict[int, dict[str, str]]:
    from selenium.webdriver.common.by import By

    out = {}
    for tr in driver.find_elements(By.CSS_SELECTOR, "#submissions tbody tr[id^=sub-]"):
        cells = {c: tr.find_element(By.CSS_SELECTOR, f"td.{c}").text for c in ("team", "state", "failure", "score", "dq")}
        out[int(tr.get_attribute("id")[4:])] = cells
    return out


def confirm(driver, what: str) -> None:
    """The confirmation page: the box is required (the browser refuses without), then done."""
    from selenium.webdriver.common.by import By

    assert driver.find_element(By.ID, "title").text == "Confirm"
    assert what in driver.find_element(By.ID, "what").text
    url = driver.current_url
    driver.find_element(By.ID, "confirm-button").click()
    assert driver.current_url == url and driver.find_element(By.ID, "title").text == "Confirm"
    driver.find_element(By.ID, "confirm").click()
    submit(driver, "#confirm-button")


def sign_in(driver, base: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/console")
    assert "/login?next=%2Fconsole" in driver.current_url
    driver.find_element(By.ID, "token").send_keys(token)
    submit(driver, "#sign-in")


def test_organizer_console(platform_env, procs):
    from selenium.webdriver.common.by import By

    from core.db import session_scope
    from core.enrollment import competition_by_slug, enroll
    from core.models import Enrollment, Phase, Team

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    base = start_api(procs, tmp, fake=True, env={"AISC_TOKEN_CACHE_SECONDS": "0"})
    start_worker(procs, tmp, fake=True)
    slug = f"console-{tag}"
    phases = load_competition(tmp, {"face": [
        phase_spec("open", fake_bundle(tmp), subjective_weight=0.5, closes="2099-01-01T00:00:00Z"),
        phase_spec("secret", fake_bundle(tmp), leaderboard="private",
                   opens="2099-01-02T00:00:00Z", closes="2099-02-01T00:00:00Z")]}, slug=slug,
        registration={"policy": "approval"})
    pid, secret = phases["face/open"], phases["face/secret"]
    alpha, beta = f"alpha-{tag}", f"<b>beta</b>-{tag}"
    a_tok, b_tok, admin = make_team(alpha), make_team(beta), make_admin()
    a_sub = upload(base, a_tok, pid, b"FAKE score=0.9").json()["id"]
    b_sub = upload(base, b_tok, pid, b"FAKE score=0.4").json()["id"]
    b_fail = upload(base, b_tok, pid, b"FAKE fail=user").json()["id"]
    for tok, sid in ((a_tok, a_sub), (b_tok, b_sub), (b_tok, b_fail)):
        wait_state(base, tok, sid)
    waiting = f"waiting-{tag}"
    w_tok = make_team(waiting)
    with session_scope() as s:
        comp_id = competition_by_slug(s, slug).id
        w_id = s.query(Team).filter_by(name=waiting).one().id
        assert enroll(s, w_id, comp_id, user_id=None, accept_terms=True).state == "pending"

    driver, team = chrome(), chrome()
    try:
        # signed out: to the sign-in page and back; an organizer token opens the console
        sign_in(driver, base, admin)
        assert driver.current_url == base + "/console"
        assert driver.find_element(By.ID, "title").text == "Organizer console"
        assert "admin token" in driver.find_element(By.ID, "actor").text
        assert driver.find_element(By.CSS_SELECTOR, f"#pending-{comp_id}-{w_id} td.team").text == waiting
        shot(driver, "1-index")
        driver.find_element(By.CSS_SELECTOR, f"#phase-{pid} a.phase-link").click()
        assert set(rows(driver)) == {a_sub, b_sub, b_fail}
        assert rows(driver)[b_sub]["team"] == beta  # markup shown as text
        assert driver.find_elements(By.CSS_SELECTOR, "#submissions b") == []

        # filters: failure class, team, state
        from selenium.webdriver.support.ui import Select
        Select(driver.find_element(By.ID, "f-failure")).select_by_value("user")
        submit(driver, "#apply-filters")
        assert list(rows(driver)) == [b_fail] and rows(driver)[b_fail]["failure"] == "user"
        shot(driver, "2-filter-failure")
        driver.get(f"{base}/console/phases/{pid}?team=ALPHA")
        assert list(rows(driver)) == [a_sub]
        driver.get(f"{base}/console/phases/{pid}?state=scored")
        assert set(rows(driver)) == {a_sub, b_sub}
        driver.get(f"{base}/console/phases/{pid}?team=%25")  # taken literally, not a wildcard
        assert rows(driver) == {} and driver.find_element(By.ID, "no-submissions")

        # re-score through the confirmation step
        driver.get(f"{base}/console/phases/{pid}")
        submit(driver, f"#sub-{a_sub} button.rescore")
        shot(driver, "3-confirm")
        confirm(driver, f"Re-score submission {a_sub}")
        assert driver.current_url.startswith(f"{base}/console/phases/{pid}")
        assert f"Re-score submission {a_sub}" in driver.find_element(By.ID, "done").text
        assert driver.find_elements(By.ID, "reveal") == []  # a public phase: nothing to reveal
        assert wait_state(base, admin, a_sub)["state"] == "scored"

        # disqualify with a hostile reason: shown as text on the confirmation page
        driver.get(f"{base}/console/phases/{pid}")
        reason = f"<img src=x>copied {tag}"
        driver.find_element(By.ID, f"reason-{b_sub}").send_keys(reason)
        submit(driver, f"#sub-{b_sub} button.disqualify")
        assert driver.find_element(By.ID, "confirm-reason").text == reason
        assert driver.find_elements(By.CSS_SELECTOR, "img[src=x]") == []
        confirm(driver, f"Disqualify submission {b_sub}")
        assert rows(driver)[b_sub]["dq"] == "yes"
        st = httpx.get(f"{base}/api/v1/submissions/{b_sub}", headers=auth(admin)).json()
        assert st["disqualified"] is True

        # the subjective score: total = 0.9 + 0.5 x 0.5
        driver.find_element(By.ID, f"value-{a_sub}").send_keys("0.5")
        submit(driver, f"#sub-{a_sub} button.subjective")
        confirm(driver, f"Set the subjective score of submission {a_sub}")
        assert rows(driver)[a_sub]["score"] == "1.1500"
        shot(driver, "4-phase")

        # reveal the private phase
        driver.get(f"{base}/console/phases/{secret}")
        assert "hidden from the teams" in driver.find_element(By.ID, "visibility").text
        submit(driver, "#reveal")
        confirm(driver, f"Reveal the results of phase {secret}")
        assert "revealed to the teams" in driver.find_element(By.ID, "visibility").text
        with session_scope() as s:
            assert s.get(Phase, secret).revealed is True

        # approve the waiting team
        driver.get(base + "/console")
        submit(driver, f"#pending-{comp_id}-{w_id} button.approve")
        confirm(driver, f"Approve team {w_id} in competition {comp_id}")
        assert driver.find_elements(By.ID, f"pending-{comp_id}-{w_id}") == []
        with session_scope() as s:
            assert s.query(Enrollment).filter_by(team_id=w_id, competition_id=comp_id).one().state == "approved"
        assert upload(base, w_tok, pid, b"FAKE score=0.1").status_code == 201

        # the audit log, newest first, names the organizer's token and the browser
        driver.get(base + "/console/audit")
        log = [(tr.find_element(By.CSS_SELECTOR, "td.action").text, tr.find_element(By.CSS_SELECTOR, "td.target").text,
                tr.find_element(By.CSS_SELECTOR, "td.actor").text)
               for tr in driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr[id^=audit-]")]
        assert [(a, t) for a, t, _ in log[:5]] == [
            ("enrollment.approve", f"team {w_id}"), ("phase.reveal", f"phase {secret}"),
            ("submission.subjective", f"submission {a_sub}"), ("submission.disqualify", f"submission {b_sub}"),
            ("submission.rescore", f"submission {a_sub}")]
        assert all(actor.startswith("admin token ") and actor.endswith("(test) (browser)") for _, _, actor in log[:5])
        assert any(reason in td.text for td in driver.find_elements(By.CSS_SELECTOR, "#audit td.details"))
        shot(driver, "5-audit")
        driver.get(base + "/console/regression")
        assert driver.find_element(By.ID, "title").text == "Regression runs"
        driver.get(f"{base}/console/phases/{pid}/export.csv")  # a download: checked over HTTP below

        # over HTTP with the organizer's cookie: the CSV, and refused values answered, never a 500
        cookies = {"aisc_session": driver.get_cookie("aisc_session")["value"]}
        csv = httpx.get(f"{base}/console/phases/{pid}/export.csv", cookies=cookies)
        assert csv.status_code == 200 and alpha in csv.text and csv.headers["content-type"].startswith("text/csv")
        for value in ("abc", "nan", "2", ""):
            r = form_post(f"{base}/console/submissions/{a_sub}/subjective", {"value": value, "confirm": "yes"},
                          cookies=cookies)
            assert r.status_code == 422 and "from 0 to 1" in r.text
        r = form_post(f"{base}/console/submissions/{b_sub}/disqualify", {"reason": "", "confirm": "yes"}, cookies=cookies)
        assert r.status_code == 422
        assert form_post(f"{base}/console/submissions/2147483000/rescore", {"confirm": "yes"},
                         cookies=cookies).status_code == 404
        assert form_post(f"{base}/console/submissions/{b_fail}/cancel", {"confirm": "yes"},
                         cookies=cookies).status_code == 409
        assert form_post(f"{base}/console/phases/{pid}/carry-over", {"from_phase": "x", "confirm": "yes"},
                         cookies=cookies).status_code == 422
        r = form_post(f"{base}/console/competitions/{comp_id}/enrollments/{w_id}/approve", {"confirm": "yes"},
                      cookies=cookies)
        assert r.status_code == 409 and "already" in r.text
        r = httpx.post(f"{base}/console/phases/{secret}/reveal", data={"confirm": "yes"}, cookies=cookies)
        assert r.status_code == 403  # no CSRF field
        assert httpx.get(f"{base}/console/phases/{pid}", params={"state": "x\x00", "team": "\x00%_",
                                                                  "failure_class": "<b>"}, cookies=cookies).status_code == 200
        assert httpx.get(f"{base}/console/phases/2147483000", cookies=cookies).status_code == 404
        forged = httpx.get(f"{base}/console/phases/{pid}", params={"done": "Call +1 424242 to verify"}, cookies=cookies)
        assert forged.status_code == 200 and "424242" not in forged.text  # only the console's own notes
        assert httpx.get(f"{base}/console/audit", params={"page": "0"}, cookies=cookies).status_code == 422

        # a team's token: 403, with a message
        sign_in(team, base, a_tok)
        assert team.find_element(By.ID, "title").text == "Organizers only"
        assert "for the organizers" in team.find_element(By.ID, "message").text
        shot(team, "6-team-403")
        team_cookie = {"aisc_session": team.get_cookie("aisc_session")["value"]}
        assert httpx.get(base + "/console", cookies=team_cookie).status_code == 403
        assert form_post(f"{base}/console/submissions/{a_sub}/rescore", {"confirm": "yes"},
                         cookies=team_cookie).status_code == 403
        assert httpx.get(base + "/console").status_code == 303  # signed out: to the sign-in page
    finally:
        driver.quit()
        team.quit()


def audit_rows(driver) -> list[tuple[str, str, str, str]]:
    """The console's audit view, newest first: (action, target, actor, details)."""
    from selenium.webdriver.common.by import By

    return [tuple(tr.find_element(By.CSS_SELECTOR, f"td.{c}").text for c in ("action", "target", "actor", "details"))
            for tr in driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr[id^=audit-]")]


def test_console_carry_over_and_cancel(platform_env, procs):
    """Carry over into the next phase and cancel a running submission through the console's
    confirmation pages: the database changes and the console's audit view shows each action."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from core.db import session_scope
    from core.models import Submission

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    base = start_api(procs, tmp, fake=True, env={"AISC_TOKEN_CACHE_SECONDS": "0"})
    start_worker(procs, tmp, fake=True)
    bundle = fake_bundle(tmp)
    phases = load_competition(tmp, {"face": [phase_spec("prelim", bundle, closes="2098-01-01T00:00:00Z"),
                                             phase_spec("final", bundle, opens="2098-01-01T00:00:00Z")]},
                              slug=f"carry-{tag}")
    prelim, final = phases["face/prelim"], phases["face/final"]
    a_tok, b_tok, admin = make_team(f"a-{tag}"), make_team(f"b-{tag}"), make_admin()
    a_old = upload(base, a_tok, prelim, b"FAKE score=0.3").json()["id"]
    wait_state(base, a_tok, a_old)
    a_last = upload(base, a_tok, prelim, b"FAKE score=0.8").json()["id"]
    b_sub = upload(base, b_tok, prelim, b"FAKE score=0.5").json()["id"]
    for tok, sid in ((a_tok, a_last), (b_tok, b_sub)):
        assert wait_state(base, tok, sid)["state"] == "scored"

    driver = chrome()
    try:
        sign_in(driver, base, admin)
        # carry over: each team's last scored submission of the preliminary phase
        driver.get(f"{base}/console/phases/{final}")
        assert rows(driver) == {}
        Select(driver.find_element(By.ID, "from-phase")).select_by_value(str(prelim))
        submit(driver, "#carry-over")
        shot(driver, "7-carry-confirm")
        confirm(driver, f"Carry the last scored submissions over into phase {final}")
        assert driver.current_url.startswith(f"{base}/console/phases/{final}")
        with session_scope() as s:
            carried = {c.idempotency_key: c for c in s.query(Submission).filter_by(phase_id=final)}
        assert set(carried) == {f"carry-over-from-{a_last}", f"carry-over-from-{b_sub}"}
        assert all(c.counts_quota is False for c in carried.values())
        assert set(rows(driver)) == {c.id for c in carried.values()}
        for c in carried.values():
            assert wait_state(base, admin, c.id)["state"] == "scored"

        # cancel a running submission
        long = upload(base, a_tok, prelim, b"FAKE sleep=30").json()["id"]
        wait_state(base, a_tok, long, states=("running",))
        driver.get(f"{base}/console/phases/{prelim}")
        submit(driver, f"#sub-{long} button.cancel")
        confirm(driver, f"Cancel submission {long}")
        assert rows(driver)[long]["state"] == "cancelled"
        with session_scope() as s:
            sub = s.get(Submission, long)
            assert (sub.state, sub.message) == ("cancelled", "cancelled by the organizers")
        assert wait_state(base, a_tok, long)["state"] == "cancelled"

        # both on the console's audit view, newest first, in the organizer's name
        driver.get(base + "/console/audit")
        shot(driver, "8-audit-carry-cancel")
        log = audit_rows(driver)
        assert [(a, t) for a, t, _, _ in log[:2]] == [("submission.cancel", f"submission {long}"),
                                                     ("phase.carry_over", f"phase {final}")]
        assert all(actor.startswith("admin token ") and actor.endswith("(test) (browser)") for _, _, actor, _ in log[:2])
        details = log[1][3]
        assert f"from_phase={prelim}" in details
        assert all(str(c.id) in details.split("queued=")[1] for c in carried.values())
    finally:
        driver.quit()
