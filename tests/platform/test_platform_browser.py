"""The server-rendered leaderboard page opened in real headless Chromium."""
from __future__ import annotations

import shutil
import uuid

import httpx
import pytest

from platform_helpers import fake_bundle, load_competition, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker

pytestmark = pytest.mark.browser
CHROMEDRIVER = "/usr/bin/chromedriver"


def chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,800"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)


def test_leaderboard_page_in_headless_chromium(platform_env, procs):
    from selenium.webdriver.common.by import By

    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True)
    phases = load_competition(tmp, {"face": [phase_spec("web", fake_bundle(tmp), ranking="last"),
                                             phase_spec("secret", fake_bundle(tmp), leaderboard="private",
                                                        opens="2099-01-02T00:00:00Z", closes="2099-02-01T00:00:00Z")]})
    pid = phases["face/web"]
    tag = uuid.uuid4().hex[:6]
    teams = {f"web-a-{tag}": ["0.9", "0.2"], f"web-b-{tag}": ["0.5"]}  # policy 'last': a's 0.2 counts
    for name, scores in teams.items():
        token = make_team(name)
        for s in scores:
            wait_state(base, token, upload(base, token, pid, f"FAKE score={s}".encode()).json()["id"])
    driver = chrome()
    try:
        driver.get(f"{base}/leaderboard/{pid}")
        assert driver.find_element(By.ID, "title").text == "Leaderboard: face / web"
        header = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")]
        assert header == ["#", "Team", "Total", "Models", "Submitted (UTC)", "a", "b"]  # grouped, readable
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")]
        assert [r[:5] for r in rows] == [["1", f"web-b-{tag}", "0.5000", "0.500", "0.250"],
                                         ["2", f"web-a-{tag}", "0.2000", "0.200", "0.100"]]
        driver.save_screenshot(str(tmp / "leaderboard.png"))
        driver.get(f"{base}/leaderboard/{phases['face/secret']}")
        assert "private until the organizers reveal it" in driver.find_element(By.ID, "hidden").text
        driver.get(base + "/")
        links = [a.text for a in driver.find_elements(By.TAG_NAME, "a")]
        assert "face / web" in links and "leaderboard" in links
    finally:
        driver.quit()


def test_api_docs_render_offline_under_the_csp(platform_env, procs):
    """/docs (Swagger UI) and /redoc render in headless Chromium with their scripts served by
    the API itself (fastapi-offline; no CDN), and the browser reports no CSP violation."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base = start_api(procs, platform_env["tmp"], fake=True)
    for path in ("/docs", "/redoc"):
        html = httpx.get(base + path).text
        assert "cdn.jsdelivr.net" not in html and "/static-docs/" in html, html[:500]
        assert "http" not in httpx.get(base + path).headers["content-security-policy"]
    driver = chrome()
    try:
        driver.get(base + "/docs")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))
        paths = {e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert "/api/v1/phases/{phase_id}/leaderboard" in {p.replace("\u200b", "") for p in paths}, paths
        driver.get(base + "/redoc")
        WebDriverWait(driver, 30).until(lambda d: "leaderboard" in d.find_element(By.TAG_NAME, "body").text.lower())
        # the only thing the policy blocks is ReDoc's "powered by" logo on its CDN: nothing the pages need
        blocked = [e["message"] for e in driver.get_log("browser") if e.get("source") == "security"]
        assert all("https://cdn.redoc.ly/" in m for m in blocked), blocked
    finally:
        driver.quit()
