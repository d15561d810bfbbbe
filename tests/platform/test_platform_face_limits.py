"""The face threat-model limits and the liveness column end to end: a phase whose YAML sets an
L∞ limit with projection and whose model set carries FaceAntiSpoofing; a real worker runs the
real face scorer; the samples endpoint, the results page and the leaderboard page show them."""
from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest
from platform_helpers import auth, form_post, load_competition, make_team, phase_spec, upload, wait_state
from platform_procs import start_api, start_worker
from test_platform_face_e2e import face_demo  # noqa: F401 - the session fixture (quick demo bundle)

EPS = 64


def _check_in_chromium(base: str, token: str, sub: int, rows: list[dict]) -> None:
    """The Samples table as a browser renders it, signed in through the form."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from test_platform_browser import chrome

    driver = chrome()
    try:
        driver.get(f"{base}/submissions/{sub}")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.ID, "sign-in").click()
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "sample-table"))
        shown = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                 for tr in driver.find_elements(By.CSS_SELECTOR, "#sample-table tbody tr")]
        assert [r[0] for r in shown] == [s["id"] for s in rows]
        for r, s in zip(shown, rows):
            linf = str(s["measured"]["linf"]) + (f" → {s['projected']['linf']}" if s["projected"] else "")
            live = s["liveness"]["antispoof"]
            assert r[1] == "yes" and r[2] == linf
            assert r[5] == f"{live['score']:.3f} {'live' if live['live'] else 'spoof'}"
    finally:
        driver.quit()


@pytest.mark.slow
@pytest.mark.browser
def test_limits_and_liveness_are_scored_and_shown(platform_env, face_demo):  # noqa: F811
    from evaluators.face.models import liveness_entry

    tmp, procs = platform_env["tmp"], []
    ph = face_demo["phases"]["preliminary"]
    ms = json.loads(Path(ph["settings"]["model_set"]).read_text())
    ms["models"].append(liveness_entry())
    model_set = tmp / f"ms-live-{uuid.uuid4().hex[:6]}.json"
    model_set.write_text(json.dumps(ms))
    scoring = dict(ph["settings"], model_set=str(model_set), max_linf=EPS, min_psnr=10, over_limit="project")
    pid = load_competition(tmp, {"face": [phase_spec("limits", Path(ph["bundle"]), scoring=scoring,
                                                     limits={"soft_seconds": 600, "hard_seconds": 900})]})
    pid = pid["face/limits"]
    try:
        base = start_api(procs, tmp, fake=False)
        start_worker(procs, tmp, fake=False, name=f"limits-{uuid.uuid4().hex[:4]}")
        team, other = make_team(f"limits-{uuid.uuid4().hex[:6]}"), make_team()
        r = upload(base, team, pid, Path(face_demo["baselines"]["naive_patch"]).read_bytes(), filename="n.zip")
        assert r.status_code == 201, r.text
        sub = r.json()["id"]
        st = wait_state(base, team, sub, timeout=300)
        assert st["state"] == "scored", st
        cols = st["score"]["columns"]
        assert set(cols) == {"model:dlib_resnet", "model:facenet_casia", "model:mobilefacenet", "live:antispoof"}
        assert st["score"]["total"] == pytest.approx(sum(v for k, v in cols.items() if k.startswith("model:")) / 3)

        samples = httpx.get(f"{base}/api/v1/submissions/{sub}/samples", headers=auth(team), timeout=30)
        assert samples.status_code == 200, samples.text
        rows = samples.json()
        assert [s["id"] for s in rows] == [f"{i:04d}" for i in range(1, 7)]
        for s in rows:
            m, p = s["measured"], s["projected"]
            assert (p is not None) == (m["linf"] > EPS) and (p is None or p["linf"] <= EPS)
            assert 0 < m["ssim"] < 1 and m["psnr"] > 0 and s["valid"]
            assert s["liveness"]["antispoof"]["live"] == (s["liveness"]["antispoof"]["score"] <= 0.2)
        assert cols["live:antispoof"] == sum(s["liveness"]["antispoof"]["live"] for s in rows) / 6
        assert httpx.get(f"{base}/api/v1/submissions/{sub}/samples", headers=auth(other),
                         timeout=30).status_code == 404

        cookie = form_post(f"{base}/login", {"token": team, "next": "/submissions"},
                           timeout=30).cookies["aisc_session"]
        page = httpx.get(f"{base}/submissions/{sub}", cookies={"aisc_session": cookie}, timeout=30).text
        assert 'id="sample-table"' in page and page.count('class="sample"') == 6 and "<th>antispoof</th>" in page
        assert 'id="columns-live"' in page and "adversarial faces that still pass as live" in page
        first = rows[0]["measured"]
        assert f"{first['ssim']:.4f}" in page and f"{first['psnr']:.2f}" in page
        _check_in_chromium(base, team, sub, rows)
        board = httpx.get(f"{base}/leaderboard/{pid}", timeout=30).text
        assert "Rules of this phase" in board and f"L∞ distance at most {EPS} (0-255 units)" in board
        assert "PSNR at least 10 dB" in board and "clipped into the ε-ball" in board
        assert 'title="live:antispoof"' in board and "Still pass as live (liveness)" in board
        # the same rules on the phase page and, per phase, on the track page (what to submit)
        phase_page = httpx.get(f"{base}/phases/{pid}", timeout=30).text
        assert 'id="phase-rules"' in phase_page and f"L∞ distance at most {EPS} (0-255 units)" in phase_page
        track_url = re.search(r'href="(/competitions/[^"/]+/tracks/face)"', phase_page).group(1)
        track_page = httpx.get(f"{base}{track_url}", timeout=30).text
        assert 'id="rules-h"' in track_page and f'id="rules-{pid}"' in track_page
        assert f"L∞ distance at most {EPS} (0-255 units)" in track_page and "PSNR at least 10 dB" in track_page
    finally:
        for p in procs:
            p.kill()


def test_sample_figures_of_a_record_without_measures():
    """An older score row (no measures) and a track without samples give plain, empty figures."""
    from core.sample_figures import sample_figures

    assert sample_figures({}) == [] and sample_figures(None) == []
    old = sample_figures({"samples": [{"id": "0001", "valid": False, "reason": "0001.png is missing"}]})
    assert old == [{"id": "0001", "valid": False, "reason": "0001.png is missing", "measured": None,
                    "projected": None, "liveness": {}}]
