"""Baseline rows (core.baselines) end to end: the organizer routes on a real API process and
Postgres, the leaderboard JSON and page (headless Chromium), the CLI; a flagged submission and a
regression run's reference row are shown marked, never ranked among the teams."""
from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import pytest
from platform_helpers import auth, fake_bundle, load_competition, make_admin, make_team, phase_spec
from platform_procs import ROOT, start_api
from test_platform_browser import chrome

from core.db import session_scope
from core.models import RegressionRun, Score, Submission, Team


def _scored(phase_id: int, team_id: int, total: float, version: str = "fake-1") -> int:
    with session_scope() as s:
        sub = Submission(phase_id=phase_id, team_id=team_id, state="scored", filename="f", artifact_key="k",
                         size_bytes=1, sha256="0" * 64, quota_day="2026-01-01")
        s.add(sub)
        s.flush()
        sc = Score(submission_id=sub.id, scorer_version=version, total=total, scorer_score=total,
                   columns={"model:a": total})
        s.add(sc)
        s.flush()
        sub.score_id, sub.score_total, sub.score_version = sc.id, total, version
        return sub.id


def _team_id(name: str) -> int:
    with session_scope() as s:
        return s.query(Team.id).filter_by(name=name).scalar()


@pytest.fixture
def board(platform_env, procs):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    ids = load_competition(tmp, {"face": [phase_spec("base", fake_bundle(tmp)),
                                          phase_spec("hidden", fake_bundle(tmp), leaderboard="private",
                                                     opens="2099-01-02T00:00:00Z", closes="2099-02-01T00:00:00Z")]})
    with session_scope() as s:
        from core import scorer_versions

        scorer_versions.record(s, {"face": "fake-1"})
        run = RegressionRun(status="passed", scorer_versions={"face": "fake-1"},
                            rows=[{"kind": "baseline", "name": "unchanged", "track": "face", "phase": "quick",
                                   "measured": 0.125, "columns": {"model:a": 0.125}, "status": "pass"}])
        unfinished = RegressionRun(status="running")
        s.add_all([run, unfinished])
        s.flush()
        runs = (run.id, unfinished.id)
    tag = uuid.uuid4().hex[:6]
    tokens = {n: make_team(f"bl-{n}-{tag}") for n in ("a", "b", "org")}
    pid = ids["face/base"]
    tid = {n: _team_id(f"bl-{n}-{tag}") for n in tokens}
    subs = {"a": _scored(pid, tid["a"], 0.5), "b": _scored(pid, tid["b"], 0.25), "org": _scored(pid, tid["org"], 0.875),
            "org2": _scored(pid, tid["org"], 0.375)}
    yield {"base": base, "pid": pid, "hidden": ids["face/hidden"], "runs": runs, "tokens": tokens, "subs": subs,
           "admin": make_admin(), "tag": tag}
    with session_scope() as s:  # the database is shared: leave no regression run for later test files
        s.query(RegressionRun).filter(RegressionRun.id.in_(runs)).delete(synchronize_session=False)


def test_organizer_marks_baselines_and_they_are_not_ranked(board):
    base, pid, h = board["base"], board["pid"], auth(board["admin"])
    url = f"{base}/api/v1/admin/phases/{pid}/baselines"
    r = httpx.post(url, json={"submission_id": board["subs"]["org"], "label": "organizers' reference"}, headers=h)
    assert r.status_code == 201, r.text
    flagged = r.json()
    assert flagged["source"] == "submission" and flagged["total"] == 0.875
    r = httpx.post(url, json={"regression_run_id": board["runs"][0], "name": "unchanged"}, headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["label"] == "baseline: unchanged" and r.json()["total"] == 0.125

    # refusals, each with a message that says what to do
    for body, status, words in [
            ({"submission_id": board["subs"]["org2"], "label": "organizers' reference"}, 409, "already has a baseline"),
            ({"submission_id": board["subs"]["org"]}, 409, "already a baseline"),
            ({"regression_run_id": board["runs"][1], "name": "unchanged"}, 409, "pick a finished run"),
            ({"regression_run_id": board["runs"][0], "name": "nope"}, 404, "scored rows: unchanged (quick)"),
            ({"regression_run_id": board["runs"][0]}, 422, "name is required"),
            ({"submission_id": 1, "regression_run_id": 1, "name": "x"}, 422, "give either"),
            ({"submission_id": 2**31 - 1}, 404, "has no submission"),
            ({"label": "x"}, 422, "give either")]:
        r = httpx.post(url, json=body, headers=h)
        assert r.status_code == status and words in r.text, (body, r.status_code, r.text)
    assert httpx.post(url, json={"submission_id": board["subs"]["a"]},
                      headers=auth(board["tokens"]["a"])).status_code == 403
    r = httpx.post(f"{base}/api/v1/admin/phases/{board['hidden']}/baselines",
                   json={"submission_id": board["subs"]["a"]}, headers=h)
    assert r.status_code == 404  # a submission of another phase

    lb = httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard").json()
    tag = board["tag"]
    # the organizers' flagged 0.875 is not ranked; their other submission still ranks with the team
    assert [(r["rank"], r["team"], r["total"]) for r in lb["rows"]] == [
        (1, f"bl-a-{tag}", 0.5), (2, f"bl-org-{tag}", 0.375), (3, f"bl-b-{tag}", 0.25)]
    assert [(b["label"], b["total"]) for b in lb["baselines"]] == [("organizers' reference", 0.875),
                                                                    ("baseline: unchanged", 0.125)]
    assert httpx.get(url, headers=h).json() == lb["baselines"]
    r = subprocess.run([sys.executable, "-m", "client.cli", "--url", base, "--token", board["admin"], "leaderboard",
                        str(pid)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = r.stdout.splitlines()
    assert r.returncode == 0 and lines[-3].split()[:2] == ["ref", "organizers'"], r.stdout + r.stderr
    assert "not ranked among the teams" in lines[-1]

    driver = chrome()
    try:
        from selenium.webdriver.common.by import By

        driver.get(f"{base}/leaderboard/{pid}")
        marked = driver.find_elements(By.CSS_SELECTOR, "#baselines tr.baseline")
        assert [m.find_element(By.CSS_SELECTOR, ".label").text for m in marked] == [
            "organizers' reference", "baseline: unchanged"]
        assert "not ranked" in driver.find_element(By.CSS_SELECTOR, "#baselines caption").text
        ranked = [t.text for t in driver.find_elements(By.CSS_SELECTOR, "#leaderboard tr.row .team")]
        assert ranked == [f"bl-a-{tag}", f"bl-org-{tag}", f"bl-b-{tag}"]
    finally:
        driver.quit()

    r = httpx.delete(f"{url}/{flagged['baseline_id']}", headers=h)
    assert r.status_code == 204
    assert httpx.delete(f"{url}/{flagged['baseline_id']}", headers=h).status_code == 404
    lb = httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard").json()
    assert lb["rows"][0]["total"] == 0.875 and len(lb["baselines"]) == 1  # it ranks with its team again

    # every change is in the audit log, with who did it; the refusals left no row
    audit = []
    for action in ("baseline.add", "baseline.remove"):
        r = httpx.get(f"{base}/api/v1/admin/audit", params={"action": action, "limit": 200}, headers=h)
        audit += [e for e in r.json()["items"] if e["target"] == f"phase {pid}"]
    assert sorted((e["action"], e["details"]["label"]) for e in audit) == [
        ("baseline.add", "baseline: unchanged"), ("baseline.add", "organizers' reference"),
        ("baseline.remove", "organizers' reference")], audit
    assert all(e["actor"].startswith("admin token ") for e in audit)
    assert {e["details"].get("submission_id") for e in audit if e["action"] == "baseline.add"} == {
        board["subs"]["org"], None}


def test_private_phase_shows_baselines_only_with_the_ranking_and_cli(board):
    pid = board["hidden"]
    with session_scope() as s:
        from core.submissions import get_phase

        get_phase(s, pid).visibility = "private"
    run = [sys.executable, "-m", "core.manage"]
    r = subprocess.run([*run, "add-baseline", str(pid), "--run", str(board["runs"][0]), "--name", "unchanged",
                        "--label", "ref"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "baseline" in r.stdout, r.stderr
    r = subprocess.run([*run, "add-baseline", str(pid), "--run", str(board["runs"][0])], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--name" in r.stderr
    r = subprocess.run([*run, "baselines", str(pid)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert '"label": "ref"' in r.stdout
    team = httpx.get(f"{board['base']}/api/v1/phases/{pid}/leaderboard", headers=auth(board["tokens"]["a"])).json()
    assert team["complete"] is False and team["baselines"] == []
    admin = httpx.get(f"{board['base']}/api/v1/phases/{pid}/leaderboard", headers=auth(board["admin"])).json()
    assert [b["label"] for b in admin["baselines"]] == ["ref"]
