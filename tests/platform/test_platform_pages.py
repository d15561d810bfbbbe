"""The competition pages in real headless Chromium: overview, track page with its starting kit,
phase page with its state and countdown, the driving and face leaderboards at 1280x800 (fit,
readable headings, sorting, the collapsed column groups), the CSV download, and hostile
Markdown neutralised. Screenshots go to var/screenshots/."""
from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import httpx
import pytest

from platform_helpers import fake_bundle, load_competition, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker
from test_platform_browser import chrome

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

HOSTILE = """# Welcome

Plain **bold** text, a [good link](https://example.org/rules) and a table:

| a | b |
|---|---|
| 1 | 2 |

<script>window.__pwned = "script";</script>
<img src="x" onerror="window.__pwned = 'onerror'">
[click me](javascript:window.__pwned='link') [data](data:text/html,<script>alert(1)</script>)
<a href="javascript:window.__pwned='raw'">raw link</a>
"""


@pytest.fixture(scope="module")
def site(platform_env, tmp_path_factory):
    """A competition with a driving and a face phase scored by the fake scorer, an upcoming
    private phase, organizer texts (one from a .md file) and a driving starting kit."""

    tmp = tmp_path_factory.mktemp("pages")
    procs: list = []
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True)
    bundle = fake_bundle(tmp)
    (tmp / "rules.md").write_text("## Rules\n\n1. One account per team.\n2. No hand-labelling of hidden data.\n")
    kit = tmp / "driving-kit.zip"
    kit.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    slug = f"pages-{uuid.uuid4().hex[:6]}"
    phases = load_competition(
        tmp, {"driving": [phase_spec("prelim", bundle)],
              "face": [phase_spec("web", bundle),
                       phase_spec("later", bundle, leaderboard="private",
                                  opens="2099-01-02T00:00:00Z", closes="2099-02-01T00:00:00Z")]},
        slug=slug, pages={"description": HOSTILE, "rules": "rules.md", "terms": "Data for research use only."},
        track_pages={"driving": {"submit": "A **PNG patch** of 2790x1260 with its mask.",
                                 "starting_kit": "driving-kit.zip"}})
    tag = uuid.uuid4().hex[:6]
    teams = {}
    long_name = f"<b>{'w' * 80}{tag}"  # hostile and long: escaped, and wrapped to fit
    for i, score in enumerate(["0.31", "0.72", "0.55", "0.12"]):
        name = f"team-{'abc'[i]}-{tag}" if i < 3 else long_name
        token = make_team(name)
        teams[name] = float(score)
        for track, cols in (("driving/prelim", "driving"), ("face/web", "face")):
            sid = upload(base, token, phases[track], f"FAKE score={score} cols={cols}".encode()).json()["id"]
            assert wait_state(base, token, sid)["state"] == "scored"
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver = chrome()
    driver.set_window_size(1280, 800)
    yield {"base": base, "slug": slug, "phases": phases, "teams": teams, "driver": driver, "kit": kit}
    driver.quit()
    for p in procs:
        p.kill()


def _csp_ready(driver) -> None:
    """Nothing a strict Content-Security-Policy would block: no inline script, event handler,
    style attribute, or asset from another origin."""
    found = driver.execute_script("""
        var bad = [];
        document.querySelectorAll('script:not([src])').forEach(function () { bad.push('inline script'); });
        document.querySelectorAll('*').forEach(function (e) {
          for (var i = 0; i < e.attributes.length; i++) {
            var n = e.attributes[i].name;
            if (n.indexOf('on') === 0 || n === 'style') { bad.push(e.tagName + ' ' + n); }
          }
        });
        document.querySelectorAll('script[src], link[href], img[src]').forEach(function (e) {
          var u = new URL(e.src || e.href, location.href);
          if (u.origin !== location.origin && e.tagName !== 'A') { bad.push('external ' + u.href); }
        });
        return bad;""")
    assert found == [], found


def _fits(driver) -> tuple[int, int]:
    return driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")


def test_index_and_overview_render_safely(site):
    from selenium.webdriver.common.by import By

    d, base = site["driver"], site["base"]
    d.get(base + "/")
    _csp_ready(d)
    section = d.find_element(By.ID, f"competition-{site['slug']}")
    states = [e.text for e in section.find_elements(By.CSS_SELECTOR, ".state")]
    assert states.count("open") == 2 and states.count("upcoming") == 1
    d.get(f"{base}/competitions/{site['slug']}")
    desc = d.find_element(By.ID, "description")
    assert desc.find_element(By.TAG_NAME, "h3").text == "Welcome"  # shifted under the page's h2
    assert desc.find_element(By.CSS_SELECTOR, "a[href='https://example.org/rules']").get_attribute("rel") \
        == "nofollow noopener noreferrer"
    assert desc.find_elements(By.TAG_NAME, "table")
    assert not desc.find_elements(By.TAG_NAME, "script") and not desc.find_elements(By.TAG_NAME, "img")
    hrefs = [a.get_attribute("href") or "" for a in desc.find_elements(By.TAG_NAME, "a")]
    assert not [h for h in hrefs if not h.startswith("https://")], hrefs
    assert "<script>" in desc.text  # shown as text, not run
    assert d.execute_script("return window.__pwned === undefined")
    rules = d.find_element(By.ID, "rules").text
    assert "One account per team." in rules  # read from rules.md next to the YAML
    assert "Data for research use only." in d.find_element(By.ID, "terms").text
    _csp_ready(d)
    d.save_screenshot(str(SHOTS / "overview.png"))


def test_track_page_and_starting_kit(site):
    from selenium.webdriver.common.by import By

    d, base = site["driver"], site["base"]
    d.get(f"{base}/competitions/{site['slug']}/tracks/driving")
    _csp_ready(d)
    assert "PNG patch" in d.find_element(By.ID, "format").find_element(By.TAG_NAME, "strong").text
    cells = [td.text for td in d.find_elements(By.CSS_SELECTOR, "#limits-table tbody tr td")]
    assert cells[:4] == ["open", "64 MiB", "50", "no limit"]  # the driving track's cap
    href = d.find_element(By.ID, "kit-link").get_attribute("href")
    r = httpx.get(href, timeout=10)
    assert r.status_code == 200 and r.content == site["kit"].read_bytes()
    assert 'filename="driving-kit.zip"' in r.headers["content-disposition"]
    assert httpx.get(f"{base}/competitions/{site['slug']}/tracks/face/starting-kit", timeout=10).status_code == 404
    from core.db import session_scope
    from core.models import Competition
    from sqlalchemy import select

    with session_scope() as s:  # the stored file lost: a clear 404, not a broken download
        comp = s.scalar(select(Competition).where(Competition.slug == site["slug"]))
        comp.track_pages = {**comp.track_pages, "driving": {**comp.track_pages["driving"], "kit": {
            **comp.track_pages["driving"]["kit"], "key": "kits/none/lost.zip"}}}
    r = httpx.get(href, timeout=10)
    assert r.status_code == 404 and "missing from the storage" in r.json()["detail"]
    assert httpx.get(f"{base}/competitions/{site['slug']}/tracks/nope", timeout=10).status_code == 404
    assert httpx.get(f"{base}/competitions/no-such-thing", timeout=10).status_code == 404


def test_phase_page_state_and_countdown(site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    d, base = site["driver"], site["base"]
    d.get(f"{base}/phases/{site['phases']['face/later']}")
    state = d.find_element(By.CSS_SELECTOR, "#phase-state .state")
    assert state.text == "upcoming"
    countdown = d.find_element(By.CSS_SELECTOR, "#phase-state time.countdown")
    assert countdown.get_attribute("datetime") == "2099-01-02T00:00:00.000Z"
    first = countdown.text
    assert " d " in first and first.count(":") == 2  # the script's live form "D d HH:MM:SS"
    WebDriverWait(d, 5).until(lambda _: countdown.text != first)  # it ticks
    assert "2099-01-02 00:00 UTC" in d.find_element(By.ID, "phase-state").text
    assert "your time" in d.find_element(By.CSS_SELECTOR, "#phase-state .local").text
    assert "50 uploads per team per UTC day" in d.find_element(By.ID, "quota").text
    assert "private" in d.find_element(By.ID, "visibility").text
    assert not d.find_elements(By.ID, "csv-link")  # private: no CSV
    _csp_ready(d)
    d.save_screenshot(str(SHOTS / "phase.png"))
    r = httpx.get(f"{base}/phases/{site['phases']['face/later']}/leaderboard.csv", timeout=10)
    assert r.status_code == 403 and "private" in r.json()["detail"]


def _column(d, key):
    from selenium.webdriver.common.by import By

    return [td.get_attribute("data-v") for td in d.find_elements(By.CSS_SELECTOR, f"#leaderboard tbody td[data-col='{key}']")]


def _aligned(d, key):
    """A column's heading stands over its cells (the two header rows line up)."""
    head, cell = d.execute_script(
        "var h = document.querySelector(\"#leaderboard thead th[data-col='\" + arguments[0] + \"']\").getBoundingClientRect();"
        "var c = document.querySelector(\"#leaderboard tbody td[data-col='\" + arguments[0] + \"']\").getBoundingClientRect();"
        "return [[h.left, h.right], [c.left, c.right]];", key)
    assert head == cell, (key, head, cell)


@pytest.mark.parametrize("track", ["driving/prelim", "face/web"])
def test_leaderboard_fits_sorts_and_discloses(site, track):
    from selenium.webdriver.common.by import By

    d, base = site["driver"], site["base"]
    d.get(f"{base}/leaderboard/{site['phases'][track]}")
    width, viewport = _fits(d)
    table_width = d.execute_script("return document.getElementById('leaderboard').scrollWidth")
    assert width <= viewport and table_width <= viewport, (width, table_width, viewport)
    _csp_ready(d)
    d.save_screenshot(str(SHOTS / f"leaderboard-{track.split('/')[0]}.png"))
    headings = [th.text for th in d.find_elements(By.CSS_SELECTOR, "#leaderboard thead th") if th.is_displayed()]
    assert not [h for h in headings if ":" in h and "UTC" not in h], headings  # no raw 'model:...' keys
    assert "Models" in " ".join(headings)
    teams = sorted(site["teams"], key=site["teams"].get, reverse=True)
    assert [td.text for td in d.find_elements(By.CSS_SELECTOR, "#leaderboard td.team")] == teams
    assert not d.find_elements(By.CSS_SELECTOR, "#leaderboard td.team b")  # the name is text
    d.find_element(By.CSS_SELECTOR, "th[data-col='team'] button.sort").click()
    assert [td.text for td in d.find_elements(By.CSS_SELECTOR, "#leaderboard td.team")] == sorted(teams)
    assert d.find_element(By.CSS_SELECTOR, "th[data-col='team']").get_attribute("aria-sort") == "ascending"
    total = d.find_element(By.CSS_SELECTOR, "th[data-col='total'] button.sort")
    total.send_keys("\n")  # keyboard: Enter on the focused heading button
    assert [float(v) for v in _column(d, "total")] == sorted(site["teams"].values(), reverse=True)
    total.send_keys(" ")
    assert [float(v) for v in _column(d, "total")] == sorted(site["teams"].values())
    if track.startswith("driving"):
        assert "Scenes show 7 scenes" in headings and "mean of 7" in headings
        scene = d.find_element(By.CSS_SELECTOR, "#leaderboard thead th[data-col='scene:val_mannequin_02_patched']")
        assert not scene.is_displayed()
        _aligned(d, "model:whitebox_yolov3")
        _aligned(d, "mean-scene")
        assert d.find_element(By.CSS_SELECTOR, "th[data-col='model:blackbox_yolov8n']").text == "blackbox yolov8n"
        toggle = d.find_element(By.CSS_SELECTOR, "#group-scene button.toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true" and scene.is_displayed()
        assert scene.text == "val mannequin 02 patched"
        _aligned(d, "scene:val_mannequin_02_patched")
        _aligned(d, "area")
        d.save_screenshot(str(SHOTS / "leaderboard-driving-open.png"))
        toggle.click()
        assert not scene.is_displayed()
    else:
        assert d.find_element(By.CSS_SELECTOR, "th[data-col='model:mobilefacenet']").text == "mobilefacenet"
    key = d.find_element(By.ID, "column-key")
    key.find_element(By.TAG_NAME, "summary").click()
    assert "model:" in key.text


def test_csv_download(site):
    from selenium.webdriver.common.by import By

    d, base = site["driver"], site["base"]
    d.get(f"{base}/leaderboard/{site['phases']['driving/prelim']}")
    href = d.find_element(By.ID, "csv-link").get_attribute("href")
    r = httpx.get(href, timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["team"] for row in rows] == sorted(site["teams"], key=site["teams"].get, reverse=True)
    assert "scene:val_mannequin_02_patched" in rows[0]
