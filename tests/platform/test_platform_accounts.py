"""Participant accounts in real headless Chromium against a real API process on Postgres and
Redis: register, create a team, enter competitions (open; approval by an organizer), a second
user joins with the invite code, a token created (shown once), used and revoked; hostile names
through the pages and the CSV export; CSRF, security headers and rate limits over HTTP."""
from __future__ import annotations

import csv
import io
import re
import uuid

import httpx
import pytest

from core.settings import ROOT
from platform_helpers import auth, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload
from platform_procs import start_api
from test_platform_browser import chrome

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots"  # gitignored: the pages as the test saw them
PASSWORD = "correct horse battery"


def shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"accounts-{name}.png"))


def submit(driver, css: str) -> None:
    """Click a form's button and wait for the next page to replace this one."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__before_submit = true")  # gone once the next page has loaded
    driver.find_element(By.CSS_SELECTOR, css).click()
    WebDriverWait(driver, 15, ignored_exceptions=(WebDriverException,)).until(lambda d: d.execute_script(
        "return window.__before_submit === undefined && document.readyState === 'complete'"))


def register(driver, base: str, name: str, email: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/register")
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit(driver, "#register")


def team_row_state(driver, comp_id: int) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f"#competition-{comp_id} td.entry").text


def comp_id(slug: str) -> int:
    from core.db import session_scope
    from core.enrollment import competition_by_slug

    with session_scope() as s:
        return competition_by_slug(s, slug).id


def test_register_team_invite_terms_approval_and_tokens(platform_env, procs):
    from selenium.webdriver.common.by import By

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    base = start_api(procs, tmp, fake=True, env={"AISC_TOKEN_CACHE_SECONDS": "0"})
    open_slug, gated_slug = f"open-{tag}", f"gated-{tag}"
    open_pid = load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp))]}, slug=open_slug,
                                registration={"policy": "open", "terms": "Play fair. No <b>cheating</b>."})["face/p"]
    gated_pid = load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp))]}, slug=gated_slug,
                                 registration={"policy": "approval"})["face/p"]
    invite_pid = load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp))]}, slug=f"inv-{tag}",
                                  registration={"policy": "invite_only"})["face/p"]
    team_name = f"Team <i>{tag}</i>"
    a, b = chrome(), chrome()
    try:
        register(a, base, "Ada", f"ada-{tag}@example.org")
        assert a.current_url == base + "/team"
        assert a.find_element(By.ID, "title").text == "Welcome, Ada"
        shot(a, "1-registered")
        a.find_element(By.ID, "new-team-name").send_keys(team_name)
        submit(a, "#create-team")
        assert a.find_element(By.ID, "team-name").text == team_name  # markup shown as text
        assert a.find_elements(By.CSS_SELECTOR, "#team-name i") == []
        invite = a.find_element(By.ID, "invite").text
        assert invite.startswith("join_")

        # enter the open competition: the terms must be ticked (the browser refuses without)
        oid, gid = comp_id(open_slug), comp_id(gated_slug)
        row = a.find_element(By.ID, f"competition-{oid}")
        assert "<b>cheating</b>" in row.find_element(By.CSS_SELECTOR, "pre.terms").get_attribute("textContent")
        row.find_element(By.CSS_SELECTOR, "button.enter").click()
        assert a.current_url == base + "/team"  # the required checkbox kept the form from being sent
        a.find_element(By.CSS_SELECTOR, f"#competition-{oid} input.accept-terms").click()
        submit(a, f"#competition-{oid} button.enter")
        assert team_row_state(a, oid) == "entered"
        a.find_element(By.CSS_SELECTOR, f"#competition-{gid} input.accept-terms").click()
        submit(a, f"#competition-{gid} button.enter")
        assert team_row_state(a, gid) == "waiting for the organizers' approval"
        assert "invitation only" in team_row_state(a, comp_id(f"inv-{tag}"))
        shot(a, "2-team")

        # a token, shown once
        a.find_element(By.ID, "token-label").send_keys("laptop")
        submit(a, "#create-token")
        token = a.find_element(By.ID, "new-token").text
        assert token.startswith("aisc_")
        shot(a, "3-token-shown-once")
        a.get(base + "/team")
        assert token not in a.page_source and "laptop" in a.find_element(By.ID, "tokens").text

        # the token works; the gated competition waits for approval; invite-only refuses
        assert upload(base, token, open_pid, b"FAKE score=0.5").status_code == 201
        refused = upload(base, token, gated_pid, b"FAKE score=0.5")
        assert refused.status_code == 403 and "approval" in refused.json()["detail"]
        assert upload(base, token, invite_pid, b"FAKE score=0.5").status_code == 403
        admin = auth(make_admin())
        pending = httpx.get(f"{base}/api/v1/admin/competitions/{gated_slug}/enrollments", headers=admin).json()
        assert [(e["team"], e["state"]) for e in pending] == [(team_name, "pending")]
        approved = httpx.post(f"{base}/api/v1/admin/competitions/{gated_slug}/enrollments/{pending[0]['team_id']}"
                              "/approve", headers=admin)
        assert approved.status_code == 200 and approved.json()["state"] == "approved"
        assert httpx.post(f"{base}/api/v1/admin/competitions/{gated_slug}/enrollments/{pending[0]['team_id']}"
                          "/approve", headers=admin).status_code == 409
        assert upload(base, token, gated_pid, b"FAKE score=0.5").status_code == 201
        a.get(base + "/team")
        assert team_row_state(a, gid) == "entered"

        # a second user joins with the invite code and sees the team's submissions
        register(b, base, "Grace", f"grace-{tag}@example.org")
        b.find_element(By.ID, "invite-code").send_keys("join_wrong")
        submit(b, "#join-team")
        assert "no team has that invite code" in b.find_element(By.ID, "team-error").text
        b.find_element(By.ID, "invite-code").send_keys(invite)
        submit(b, "#join-team")
        assert b.find_element(By.ID, "team-name").text == team_name
        assert [li.text for li in b.find_elements(By.CSS_SELECTOR, "#members li")] == ["Ada", "Grace"]
        shot(b, "4-joined")
        b.get(base + "/submissions")
        assert len(b.find_elements(By.CSS_SELECTOR, "table tbody tr")) == 2
        shot(b, "5-team-submissions")

        # the second member revokes the token: it stops working at once (cache off)
        b.get(base + "/team")
        submit(b, "#tokens button.revoke")
        assert b.find_element(By.CSS_SELECTOR, "#tokens td.entry").text == "revoked"
        assert httpx.get(f"{base}/api/v1/submissions", headers=auth(token)).status_code == 401
        shot(b, "6-revoked")

        # password sign-in after sign-out
        submit(a, "#sign-out")
        a.get(base + "/login")
        a.find_element(By.ID, "email").send_keys(f"ADA-{tag}@example.org")
        a.find_element(By.ID, "password").send_keys("wrong password!")
        submit(a, "#password-sign-in")
        assert "Wrong e-mail address or password" in a.find_element(By.ID, "password-error").text
        a.find_element(By.ID, "password").send_keys(PASSWORD)
        submit(a, "#password-sign-in")
        assert a.current_url == base + "/submissions"
        assert "Ada" in a.find_element(By.ID, "signed-in").text
    finally:
        a.quit()
        b.quit()


def _csrf(client: httpx.Client, base: str, path: str = "/register") -> str:
    page = client.get(base + path).text
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_hostile_names_in_pages_and_csv(platform_env, procs):
    from selenium.webdriver.common.by import By

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    base = start_api(procs, tmp, fake=True)
    slug = f"hostile-{tag}"
    pid = load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp))]}, slug=slug)["face/p"]
    formula = f"=cmd|' /C calc'!A0 {tag}"
    markup = f"<script>document.title='pwned'</script><img src=x onerror=alert(1)>{tag}"
    driver = chrome()
    try:
        register(driver, base, markup, f"m-{tag}@example.org")
        assert driver.title == "Your team" and driver.find_element(By.ID, "title").text == f"Welcome, {markup}"
        driver.find_element(By.ID, "new-team-name").send_keys(formula)
        submit(driver, "#create-team")
        assert driver.find_element(By.ID, "team-name").text == formula
        assert driver.find_elements(By.CSS_SELECTOR, "img[src=x]") == []
        row = f"#competition-{comp_id(slug)}"
        driver.find_element(By.CSS_SELECTOR, f"{row} input.accept-terms").click()
        submit(driver, f"{row} button.enter")
        assert team_row_state(driver, comp_id(slug)) == "entered"
        submit(driver, "#create-token")
        token = driver.find_element(By.ID, "new-token").text
        shot(driver, "7-hostile")
    finally:
        driver.quit()
    from platform_helpers import wait_state
    from platform_procs import start_worker

    start_worker(procs, tmp, fake=True)
    wait_state(base, token, upload(base, token, pid, b"FAKE score=0.7").json()["id"])
    r = httpx.get(f"{base}/api/v1/admin/phases/{pid}/export.csv", headers=auth(make_admin()))
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[1][1] == "'" + formula  # a spreadsheet shows it as text, never runs it

    # refused with a reason: right-to-left override, too long, empty
    with httpx.Client() as c:
        form = {"csrf": _csrf(c, base), "email": f"x-{tag}@example.org", "password": PASSWORD}
        rtl = c.post(base + "/register", data={**form, "name": "evil\u202egnp.exe"})
        assert rtl.status_code == 422 and "U+202E" in rtl.text and "remove them" in rtl.text
        long = c.post(base + "/register", data={**form, "name": "A" * 5000})
        assert long.status_code == 422 and "use at most 100" in long.text
        bad = c.post(base + "/register", data={**form, "name": "ok", "email": "not-an-address"})
        assert bad.status_code == 422 and "e-mail address" in bad.text
    # the organizers' team route refuses the same names
    admin = auth(make_admin())
    r = httpx.post(f"{base}/api/v1/admin/teams", json={"name": "evil\u202egnp.exe"}, headers=admin)
    assert r.status_code == 422 and "U+202E" in r.json()["detail"]


def test_csrf_and_security_headers(platform_env, procs):
    base = start_api(procs, platform_env["tmp"], fake=True)
    tag = uuid.uuid4().hex[:6]
    with httpx.Client() as c:
        page = c.get(base + "/register")
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-frame-options"] == "DENY"
        assert "aisc_csrf" in c.cookies
        form = {"name": "Eve", "email": f"eve-{tag}@example.org", "password": PASSWORD}
        assert c.post(base + "/register", data=form).status_code == 403  # no CSRF field
        assert c.post(base + "/register", data={**form, "csrf": "forged"}).status_code == 403
        token = _csrf(c, base)
        cross = c.post(base + "/register", data={**form, "csrf": token}, headers={"Origin": "https://evil.example"})
        assert cross.status_code == 403
        ok = c.post(base + "/register", data={**form, "csrf": token})
        assert ok.status_code == 303 and ok.headers["location"] == "/team"
        # signed in now; a team form without the field is refused too
        assert c.post(base + "/team/create", data={"name": f"t-{tag}"}).status_code == 403
        assert c.post(base + "/team/create", data={"name": f"t-{tag}", "csrf": token}).status_code == 303
    assert "content-security-policy" in httpx.get(base + "/api/v1/competitions").headers


def test_rate_limits_on_sign_in_and_registration(platform_env, procs):
    tag = uuid.uuid4().hex[:6]
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True, env={
        "AISC_RATE_LIMIT_SIGNIN": "3/minute", "AISC_RATE_LIMIT_REGISTER": "2/minute",
        "AISC_RATE_LIMIT_UPLOAD": "2/minute", "AISC_BROKER_KEY_PREFIX": f"aisc-test-limits-{tag}:"})
    pid = load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp))]})["face/p"]
    team = make_team(f"limits-{tag}")
    codes = [upload(base, team, pid, b"FAKE score=0.1").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    other = make_team(f"limits-other-{tag}")  # counted per team
    assert upload(base, other, pid, b"FAKE score=0.1").status_code == 201
    with httpx.Client() as c:
        token = _csrf(c, base)
        codes = [c.post(base + "/login/password", data={"csrf": token, "email": "nobody@example.org",
                                                        "password": "wrong password"}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        limited = c.post(base + "/login", data={"token": "aisc_x", "csrf": token})
        assert limited.status_code == 429 and "try again in" in limited.text
        codes = [c.post(base + "/register", data={"csrf": token, "name": "R", "email": f"r{i}-{tag}@example.org",
                                                  "password": PASSWORD}).status_code for i in range(3)]
        assert codes == [303, 303, 429]


def test_organizer_made_teams_have_an_invite_code_members_join_with(platform_env, procs, capsys):
    """A team from ``POST /api/v1/admin/teams`` or ``create-team`` has an invite code (the
    generator of self-registered teams); a registered participant joins with it on /team."""
    import json

    from core.manage import main
    from core.models import Team, User

    base, tag = start_api(procs, platform_env["tmp"], fake=True), uuid.uuid4().hex[:6]
    r = httpx.post(f"{base}/api/v1/admin/teams", json={"name": f"org-{tag}"}, headers=auth(make_admin()))
    assert r.status_code == 201
    code = r.json()["invite_code"]
    assert re.fullmatch(r"join_[A-Za-z0-9_-]{16}", code)
    assert main(["create-team", f"cli-{tag}", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert cli["invite_code"].startswith("join_") and cli["invite_code"] != code and cli["token"].startswith("aisc_")
    assert main(["create-team", f"cli2-{tag}"]) == 0
    assert "invite code" in (out := capsys.readouterr().out) and re.search(r"^join_\S{16}$", out, re.M)

    with httpx.Client() as c:
        ok = c.post(base + "/register", data={"csrf": _csrf(c, base), "name": "Joiner", "password": PASSWORD,
                                              "email": f"join-{tag}@example.org"})
        assert ok.status_code == 303
        csrf = _csrf(c, base, "/team")
        assert c.post(base + "/team/join", data={"csrf": csrf, "code": "join_wrong"}).status_code == 404
        assert c.post(base + "/team/join", data={"csrf": csrf, "code": code}).status_code == 303
        page = c.get(base + "/team").text
        assert f'<span id="team-name">org-{tag}</span>' in page and f'<code id="invite">{code}</code>' in page
    from core.db import session_scope

    with session_scope() as s:
        team = s.query(Team).filter_by(name=f"org-{tag}").one()
        assert team.invite_code == code and team.self_registered is False
        assert s.query(User).filter_by(email=f"join-{tag}@example.org").one().team_id == team.id
