"""The per-submission results page and the browser sign-in, on the real stack: Postgres, the
API process, a real Celery worker running the real face scorer on the face track's quick demo
bundle, and headless Chromium. The screenshot of the page goes to
var/screenshots/submission_page.png."""
from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from platform_helpers import (
    auth,
    form_post,
    load_competition,
    make_admin,
    make_team,
    phase_spec,
    upload,
    wait_state,
)
from platform_procs import ROOT, start_api, start_worker
from test_platform_browser import chrome
from test_platform_face_e2e import face_demo  # noqa: F401 - the session fixture (quick demo bundle)

SCREENSHOT = ROOT / "var" / "screenshots" / "submission_page.png"


@pytest.fixture(scope="module")
def site(platform_env, face_demo):  # noqa: F811
    """The API (no worker yet: the page is first seen while the submission waits in the queue),
    one real face phase, two teams and an organizer; team A's baseline is uploaded."""
    tmp, procs = platform_env["tmp"], []
    name, ph = next(iter(face_demo["phases"].items()))
    pid = load_competition(tmp, {"face": [phase_spec(f"{name}-page", Path(ph["bundle"]), scoring=ph["settings"],
                                                     limits={"soft_seconds": 600, "hard_seconds": 900})]})
    pid = pid[f"face/{name}-page"]
    base = start_api(procs, tmp, fake=False)
    tag = uuid.uuid4().hex[:6]
    team_a = f"page-<b>{tag}</b>"  # markup in a name must be shown as text
    s = {"base": base, "pid": pid, "tmp": tmp, "procs": procs, "worker": None, "team_a": team_a,
         "a": make_team(team_a), "b": make_team(f"page-other-{tag}"), "admin": make_admin()}
    baselines = face_demo["baselines"]
    path = Path(baselines.get("naive_patch") or next(iter(baselines.values())))
    r = upload(base, s["a"], pid, path.read_bytes(), filename=path.name)
    assert r.status_code == 201, r.text
    s["sub"] = r.json()["id"]
    yield s
    for p in procs:
        p.kill()


def ensure_worker(s: dict) -> None:
    if s["worker"] is None:
        s["worker"] = start_worker(s["procs"], s["tmp"], fake=False, name=f"page-{uuid.uuid4().hex[:4]}")


def sign_in_cookie(base: str, token: str) -> str:
    r = form_post(f"{base}/login", {"token": token, "next": "/submissions"}, timeout=30)
    assert r.status_code == 303 and r.headers["location"] == "/submissions", r.text
    return r.cookies["aisc_session"]


@pytest.mark.browser
@pytest.mark.slow
def test_results_page_signs_in_follows_the_scoring_and_shows_scores_and_pictures(site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, sub = site["base"], site["sub"]
    page = f"{base}/submissions/{sub}"
    driver = chrome()
    try:
        driver.get(page)  # signed out: to the sign-in form, which brings us back here afterwards
        assert driver.current_url == f"{base}/login?next=%2Fsubmissions%2F{sub}"
        driver.find_element(By.ID, "token").send_keys("aisc_not-a-real-token")
        driver.find_element(By.ID, "sign-in").click()
        wait = WebDriverWait(driver, 30)
        error = wait.until(lambda d: d.find_elements(By.ID, "login-error"))[0].text
        assert "not recognised" in error and "starts with 'aisc_'" in error
        driver.find_element(By.ID, "token").send_keys(site["a"])
        driver.find_element(By.ID, "sign-in").click()
        wait.until(lambda d: d.current_url == page and d.find_elements(By.ID, "signed-in"))
        assert driver.find_element(By.ID, "signed-in").text == f"Signed in as {site['team_a']}"
        assert driver.find_element(By.ID, "state").text == "queued"  # no worker yet
        assert driver.find_element(By.ID, "queue").text == "queue position 1"
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOT.with_name("submission_page_queued.png")))

        ensure_worker(site)  # the page must follow the run by itself, then show the results
        WebDriverWait(driver, 170, poll_frequency=0.5).until(
            lambda d: d.find_elements(By.ID, "state") and d.find_element(By.ID, "state").text in
            ("scored", "failed", "cancelled") and d.execute_script("return document.readyState") == "complete")
        st = httpx.get(f"{base}/api/v1/submissions/{sub}", headers=auth(site["a"]), timeout=30).json()
        assert st["state"] == "scored", st
        assert driver.find_element(By.ID, "state").text == "scored"
        assert driver.find_element(By.ID, "total").text == f"{st['score']['total']:.4f}"
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")][:2]
                for tr in driver.find_elements(By.CSS_SELECTOR, "#columns-model tbody tr")]
        expected = sorted((k.removeprefix("model:"), f"{v:.4f}") for k, v in st["score"]["columns"].items())
        assert len(expected) == 3 and sorted(map(tuple, rows)) == expected

        WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "return Array.from(document.images).every(i => i.complete)"))
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth])")
        assert sorted(src for src, _ in images) == sorted(
            f"/api/v1/submissions/{sub}/artifacts/{a}" for a in st["score"]["artifacts"]) and images
        assert all(width > 0 for _, width in images), images
        assert driver.find_element(By.ID, "logs").text.strip()  # the phase shows logs
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1200, min(max(height + 120, 800), 4000))
        driver.save_screenshot(str(SCREENSHOT))

        driver.get(f"{base}/submissions")
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#submissions a")]
        assert links == [page]
        driver.get(f"{base}/leaderboard/{site['pid']}")
        own = driver.find_element(By.XPATH, f"//td[@class='team']/a[text()='{site['team_a']}']")
        assert own.get_attribute("href") == page

        driver.find_element(By.ID, "sign-out").click()
        wait.until(lambda d: d.current_url == f"{base}/login")
        driver.get(page)
        assert driver.current_url.startswith(f"{base}/login?next=")
    finally:
        driver.quit()


@pytest.mark.slow
def test_only_the_owning_team_and_organizers_see_the_page_and_its_pictures(site):
    base, sub = site["base"], site["sub"]
    ensure_worker(site)
    st = wait_state(base, site["a"], sub, timeout=170)
    assert st["state"] == "scored" and st["score"]["artifacts"], st
    art = f"{base}/api/v1/submissions/{sub}/artifacts/{st['score']['artifacts'][0]}"

    r = form_post(f"{base}/login", {"token": site["a"], "next": "/submissions"}, timeout=30)
    set_cookie = r.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie and site["a"] not in set_cookie
    a = r.cookies["aisc_session"]
    for url in (f"{base}/submissions/{sub}", art, f"{base}/api/v1/submissions/{sub}"):
        assert httpx.get(url, cookies={"aisc_session": a}, timeout=30).status_code == 200, url
    assert httpx.get(art, cookies={"aisc_session": a}, timeout=30).headers["content-type"] == "image/png"

    b = sign_in_cookie(base, site["b"])  # another team: as if the submission did not exist
    b = {"aisc_session": b, "aisc_csrf": "same-for-both"}  # the CSRF field would differ without its cookie
    page = httpx.get(f"{base}/submissions/{sub}", cookies=b, timeout=30)
    assert page.status_code == 404 and "not among your team&#39;s submissions" in page.text
    assert site["team_a"].replace("<", "&lt;") not in page.text
    missing = httpx.get(f"{base}/submissions/{sub + 10**6}", cookies=b, timeout=30)
    same = [re.sub(r"Submission \d+ ", "Submission X ", r.text) for r in (page, missing)]
    assert missing.status_code == 404 and same[0] == same[1]
    assert httpx.get(art, cookies=b, timeout=30).status_code == 404
    assert httpx.get(art, headers=auth(site["b"]), timeout=30).status_code == 404
    admin = sign_in_cookie(base, site["admin"])
    assert httpx.get(f"{base}/submissions/{sub}", cookies={"aisc_session": admin}, timeout=30).status_code == 200

    r = httpx.get(f"{base}/submissions/{sub}", timeout=30)  # signed out
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2Fsubmissions%2F{sub}"
    assert httpx.get(art, timeout=30).status_code == 401
    assert httpx.get(art, cookies={"aisc_session": site["a"]}, timeout=30).status_code == 401  # not a session id
    assert httpx.get(f"{base}/submissions/{sub}", headers=auth(site["a"]), timeout=30).status_code == 303

    evil = httpx.post(f"{base}/login", data={"token": site["a"]}, headers={"Origin": "https://evil.example"}, timeout=30)
    assert evil.status_code == 403 and "set-cookie" not in evil.headers
    assert httpx.post(f"{base}/login", data={"token": site["a"]}, timeout=30).status_code == 403  # no CSRF field
    assert form_post(f"{base}/login", {"token": site["a"], "next": "//evil.example/x"},
                     timeout=30).headers["location"] == "/submissions"  # no open redirect

    assert httpx.post(f"{base}/logout", cookies={"aisc_session": a}, timeout=30).status_code == 403  # no CSRF
    out = form_post(f"{base}/logout", {}, cookies={"aisc_session": a}, timeout=30)
    assert out.status_code == 303 and 'aisc_session=""' in out.headers["set-cookie"]
    assert httpx.get(art, cookies={"aisc_session": a}, timeout=30).status_code == 401  # revoked server-side

    from core.db import session_scope
    from core.models import ApiToken
    from core.tokens import hash_token

    c_token = make_team(f"page-revoked-{uuid.uuid4().hex[:6]}")
    c = sign_in_cookie(base, c_token)
    assert httpx.get(f"{base}/submissions", cookies={"aisc_session": c}, timeout=30).status_code == 200
    with session_scope() as s:
        s.query(ApiToken).filter_by(token_hash=hash_token(c_token)).update({"revoked": True})
    assert httpx.get(f"{base}/submissions", cookies={"aisc_session": c}, timeout=30).status_code == 303


@pytest.mark.slow
def test_cli_status_prints_the_results_page_url(site):
    env = {**__import__("os").environ, "AISC_URL": site["base"], "AISC_TOKEN": site["a"],
           "AISC_PUBLIC_URL": "https://aisc.example.org/"}
    r = subprocess.run([sys.executable, "-m", "client.cli", "status", str(site["sub"])], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), r.stderr
    assert f"results page: https://aisc.example.org/submissions/{site['sub']}" in r.stdout


def test_failed_submission_page_shows_the_reason_as_text():
    """The template alone, with a failed status: the reason is shown, markup in it escaped."""
    from api.deps import Principal
    from api.routes.web import templates

    st = {"id": 7, "track": "face", "phase": "prelim", "team": "t", "state": "failed", "failure_class": "user",
          "message": "sample 0003.png is <b>not</b> 112x112", "stage": "validate", "progress": 5.0,
          "queue_position": None, "score": None, "disqualified": False, "filename": "x.zip", "size_bytes": 10,
          "sha256": "ab" * 32, "created_at": "2026-01-01T00:00:00.000Z", "started_at": None, "finished_at": None,
          "attempts": 1, "remaining_quota": {"daily_left": 1, "daily_limit": 5, "total_limit": None}}
    html = templates.get_template("submission.html").render(
        user=Principal("team", 1, "t"), st=st, terminal=True, groups=[], scores_hidden=False, pictures=[],
        files=[], show_logs=False, logs="", status_url="/api/v1/submissions/7")
    assert "Why it failed:</strong> sample 0003.png is &lt;b&gt;not&lt;/b&gt; 112x112" in html
    assert "<script>" not in html and "does not show logs to teams" in html
