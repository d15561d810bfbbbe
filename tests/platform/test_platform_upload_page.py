"""The phase page's upload form (api/static/upload.js) in real headless Chromium against a real
API process on Postgres and Redis, with a real fake-scorer worker: a team signs in, uploads a
zip, sees the progress bar full and reaches the results page, which follows the run to its
score; a wrong extension and an oversized file are refused in the browser (nothing reaches the
server); the server's refusal is shown inline; a double click makes one submission; the form
is replaced by the reason when signed out or the quota is used up. Over HTTP: a cookie-signed
upload without the page's CSRF header is refused. Screenshots go to var/screenshots/upload-*.png."""
from __future__ import annotations

import uuid

import httpx
import pytest

from core.settings import ROOT
from platform_helpers import auth, fake_bundle, form_post, load_competition, make_team, phase_spec, upload
from platform_procs import start_api, start_worker
from test_platform_browser import chrome
from test_platform_face_e2e import face_demo  # noqa: F401 - the session fixture (quick demo bundle)

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots"


def shot(driver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"upload-{name}.png"))


def count(base: str, token: str, pid: int) -> int:
    r = httpx.get(f"{base}/api/v1/submissions", params={"phase_id": pid}, headers=auth(token), timeout=10)
    assert r.status_code == 200, r.text
    return len(r.json())


def test_upload_form_progress_checks_refusal_double_click_and_quota(platform_env, procs):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True, name=f"upload-{tag}")
    pid = load_competition(tmp, {"face": [phase_spec("quick", fake_bundle(tmp), quota={"daily": 4},
                                                     limits={"soft_seconds": 60, "hard_seconds": 90,
                                                             "max_upload_mb": 0.01})]})["face/quick"]
    team = make_team(f"uploaders-<b>{tag}</b>")
    files = tmp / f"upload-{tag}"
    files.mkdir()
    good = files / "face_attack.zip"
    good.write_bytes(b"FAKE score=0.7 sleep=1 " + b" " * 6000)  # the fake scorer's format, named as a face zip
    wrong_ext = files / "attack.txt"
    wrong_ext.write_bytes(b"FAKE score=0.5")
    big = files / "big.zip"
    big.write_bytes(b"FAKE " + b"x" * 20000)  # over the 0.01 MB cap
    bad = files / "not_a_face.zip"
    bad.write_bytes(b"PK\x03\x04 this is not a face submission")

    driver = chrome()
    try:
        driver.get(f"{base}/phases/{pid}")  # signed out: no form, a sign-in link instead
        assert not driver.find_elements(By.ID, "upload-form")
        assert "Sign in to submit" in driver.find_element(By.ID, "upload-blocked").text
        driver.find_element(By.ID, "upload-sign-in").click()
        driver.find_element(By.ID, "token").send_keys(team)
        driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(driver, 15).until(lambda d: d.current_url == f"{base}/phases/{pid}")
        assert "4 of 4 today" in driver.find_element(By.ID, "upload-left").text
        form = driver.find_element(By.ID, "upload-form")
        assert form.get_attribute("data-suffixes") == ".zip"
        assert int(form.get_attribute("data-max-bytes")) == int(0.01 * 1024 * 1024)
        status = driver.find_element(By.ID, "upload-status")
        assert status.get_attribute("aria-live") == "polite"

        # client-side refusals: nothing is sent
        file_input = driver.find_element(By.ID, "upload-file")
        file_input.send_keys(str(wrong_ext))
        WebDriverWait(driver, 5).until(lambda d: "Cannot submit" in status.text)
        assert "takes .zip files" in status.text
        driver.find_element(By.ID, "upload-submit").click()
        assert "takes .zip files" in status.text
        file_input.clear()
        file_input.send_keys(str(big))
        WebDriverWait(driver, 5).until(lambda d: "more than this phase's cap" in status.text)
        driver.find_element(By.ID, "upload-submit").click()
        shot(driver, "client-refusal")
        assert count(base, team, pid) == 0

        # the server's refusal, inline; the page stays and the quota is untouched
        file_input.clear()
        file_input.send_keys(str(bad))
        driver.find_element(By.ID, "upload-submit").click()
        WebDriverWait(driver, 20).until(lambda d: "Not submitted" in status.text)
        assert "not a test submission" in status.text, status.text
        # the bar followed the bytes up (only upload progress events move it on a refusal)
        assert driver.find_element(By.ID, "upload-progress").get_attribute("value") == "100"
        assert driver.current_url == f"{base}/phases/{pid}"
        shot(driver, "server-refusal")
        assert count(base, team, pid) == 0

        # a good file: the bar fills, the results page follows the run to its score
        file_input.clear()
        file_input.send_keys(str(good))
        driver.find_element(By.ID, "upload-submit").click()
        WebDriverWait(driver, 20).until(lambda d: "/submissions/" in d.current_url)
        subs = httpx.get(f"{base}/api/v1/submissions", params={"phase_id": pid}, headers=auth(team)).json()
        assert len(subs) == 1
        assert driver.current_url == f"{base}/submissions/{subs[0]['id']}"
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "state").text.strip().lower() == "scored")
        shot(driver, "results")

        # a double click on a freshly chosen file
        driver.get(f"{base}/phases/{pid}")
        assert "3 of 4 today" in driver.find_element(By.ID, "upload-left").text
        file_input = driver.find_element(By.ID, "upload-file")
        file_input.send_keys(str(good))
        ActionChains(driver).double_click(driver.find_element(By.ID, "upload-submit")).perform()
        WebDriverWait(driver, 20).until(lambda d: "/submissions/" in d.current_url)
        assert count(base, team, pid) == 2  # a double click: one submission
        driver.back()  # the page comes back fresh (not the back-forward cache's stale quota and form)
        WebDriverWait(driver, 10).until(lambda d: "2 of 4 today" in d.find_element(By.ID, "upload-left").text)
        assert driver.find_element(By.ID, "upload-submit").is_enabled()

        # the quota used up: the form gives way to the reason
        for i in range(2):
            r = upload(base, team, pid, b"FAKE score=0.1", filename=f"x{i}.zip")
            assert r.status_code == 201, r.text
        driver.get(f"{base}/phases/{pid}")
        assert not driver.find_elements(By.ID, "upload-form")
        assert "used today's 4 submissions" in driver.find_element(By.ID, "upload-blocked").text
        assert "0 of 4 today" in driver.find_element(By.ID, "upload-left").text
        assert "uploaders-<b>" in driver.find_element(By.ID, "signed-in").text  # markup shown as text
        shot(driver, "quota-used")
    finally:
        driver.quit()


def test_cookie_upload_needs_the_csrf_header(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    pid = load_competition(tmp, {"face": [phase_spec("csrf", fake_bundle(tmp))]})["face/csrf"]
    team = make_team()
    r = form_post(f"{base}/login", {"token": team, "next": "/submissions"}, timeout=30)
    assert r.status_code == 303, r.text
    cookies = {"aisc_session": r.cookies["aisc_session"], "aisc_csrf": "page-token"}
    url = f"{base}/api/v1/phases/{pid}/submissions"
    body, ctype = b"FAKE score=0.3", {"Content-Type": "application/octet-stream"}
    for headers in ({}, {"X-CSRF-Token": "other"}, {"X-CSRF-Token": ""}):
        r = httpx.post(url, content=body, cookies=cookies, headers={**ctype, **headers}, timeout=30)
        assert r.status_code == 403 and "X-CSRF-Token" in r.json()["detail"], r.text
    r = httpx.post(url, content=body, headers=ctype, timeout=30)  # no cookie, no token
    assert r.status_code == 401, r.text
    assert count(base, team, pid) == 0
    r = httpx.post(url, content=body, cookies=cookies, headers={**ctype, "X-CSRF-Token": "page-token"}, timeout=30)
    assert r.status_code == 201, r.text
    assert count(base, team, pid) == 1


@pytest.mark.slow
def test_real_face_zip_through_the_form_on_the_quick_demo_phase(platform_env, procs, face_demo):  # noqa: F811
    """The real face track's checks (no fake scorer): the quick demo's baseline zip is accepted
    and the results page opens on it; a zip that is not a face submission is refused inline."""
    import io
    import zipfile
    from pathlib import Path

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    tmp, tag = platform_env["tmp"], uuid.uuid4().hex[:6]
    name, ph = next(iter(face_demo["phases"].items()))
    pid = load_competition(tmp, {"face": [phase_spec(f"{name}-form", Path(ph["bundle"]), scoring=ph["settings"],
                                                     limits={"soft_seconds": 600, "hard_seconds": 900})]})
    pid = pid[f"face/{name}-form"]
    base = start_api(procs, tmp, fake=False)
    team = make_team(f"face-form-{tag}")
    baselines = face_demo["baselines"]
    good = Path(baselines.get("naive_patch") or next(iter(baselines.values())))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "not a face submission")
    bad = tmp / f"notes-{tag}.zip"
    bad.write_bytes(buf.getvalue())
    driver = chrome()
    try:
        driver.get(f"{base}/login?next=/phases/{pid}")
        driver.find_element(By.ID, "token").send_keys(team)
        driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(driver, 15).until(lambda d: d.current_url == f"{base}/phases/{pid}")
        status = driver.find_element(By.ID, "upload-status")
        driver.find_element(By.ID, "upload-file").send_keys(str(bad))
        driver.find_element(By.ID, "upload-submit").click()
        WebDriverWait(driver, 30).until(lambda d: "Not submitted" in status.text)
        assert "submission rejected" in status.text, status.text
        shot(driver, "face-refusal")
        assert count(base, team, pid) == 0
        file_input = driver.find_element(By.ID, "upload-file")
        file_input.clear()
        file_input.send_keys(str(good))
        driver.find_element(By.ID, "upload-submit").click()
        WebDriverWait(driver, 30).until(lambda d: "/submissions/" in d.current_url)
        subs = httpx.get(f"{base}/api/v1/submissions", params={"phase_id": pid}, headers=auth(team)).json()
        assert len(subs) == 1 and driver.current_url == f"{base}/submissions/{subs[0]['id']}"
        assert driver.find_element(By.ID, "state").text.strip().lower() in ("queued", "received")
        shot(driver, "face-results")
    finally:
        driver.quit()
