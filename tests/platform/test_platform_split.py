"""A phase's public/private split end to end (core.phase_split): the YAML, one run scoring both
parts on a real worker, the sealed team view (status, pictures, samples, leaderboard JSON, CSV),
the organizer's view, the reveal with each team's rank change (JSON, CSV, page, CLI), and the
loader refusing to move a split under scored submissions. The scorer is the fake one: its
public and private scores are set per submission, so the rank changes are known."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import uuid

import httpx
import pytest
import yaml
from platform_helpers import (auth, fake_bundle, load_competition, make_admin, make_team, phase_spec, upload,
                              wait_state)
from platform_procs import ROOT, start_api, start_worker
from selenium.webdriver.common.by import By
from test_platform_browser import chrome

from core.competition import CompetitionError, load_file
from core.db import session_scope
from core.models import Phase

SHOTS = ROOT / "var" / "screenshots"  # gitignored: the pages as the test saw them
# public score, private score: A leads the public part and falls to last on the private one
SUBMISSIONS = {"a": (0.8, 0.2), "b": (0.5, 0.6), "c": (0.3, 0.4)}
EXPECTED_PRIVATE_RANK = {"a": 3, "b": 1, "c": 2}


@pytest.fixture
def fake_tracks():
    """The loader in this process splits with the fake track's samples (ten, two strata)."""
    import platform_fake_scorer

    from evaluators.registry import TRACKS, install

    platform_fake_scorer.install()
    yield
    for track in TRACKS:
        install(track, None)


@pytest.fixture
def split_phase(platform_env, procs, fake_tracks):
    tmp = platform_env["tmp"]
    base = start_api(procs, tmp, fake=True)
    start_worker(procs, tmp, fake=True)
    slug = f"split-{uuid.uuid4().hex[:6]}"
    ids = load_competition(tmp, {"face": [phase_spec("split", fake_bundle(tmp),
                                                     split={"private_fraction": 0.4, "seed": 11})]}, slug=slug)
    pid = ids["face/split"]
    tag = uuid.uuid4().hex[:6]
    teams = {k: (f"split-{k}-{tag}", make_team(f"split-{k}-{tag}")) for k in SUBMISSIONS}
    subs = {}
    for k, (pub, priv) in SUBMISSIONS.items():
        subs[k] = upload(base, teams[k][1], pid, f"FAKE score={pub} private={priv}".encode()).json()["id"]
    for k in SUBMISSIONS:
        assert wait_state(base, teams[k][1], subs[k])["state"] == "scored"
    return {"base": base, "pid": pid, "teams": teams, "subs": subs, "admin": make_admin(), "tmp": tmp,
            "yaml": tmp / f"{slug}.yaml"}


def _board(base: str, pid: int, token: str | None = None) -> dict:
    r = httpx.get(f"{base}/api/v1/phases/{pid}/leaderboard", headers=auth(token) if token else {})
    assert r.status_code == 200, r.text
    return r.json()


def test_split_is_fixed_at_load_and_scored_in_one_run(split_phase):
    with session_scope() as s:
        phase = s.get(Phase, split_phase["pid"])
        # ten samples in two strata of five: round(0.4 * 5) = 2 private per stratum
        assert phase.split["n_private"] == 4 and phase.split["n_public"] == 6
        assert len(phase.split_private) == 4 and sorted(int(x[1:]) % 2 for x in phase.split_private) == [0, 0, 1, 1]
    base, admin = split_phase["base"], split_phase["admin"]
    st = httpx.get(f"{base}/api/v1/submissions/{split_phase['subs']['a']}", headers=auth(admin)).json()
    parts = st["score"]["parts"]
    assert parts["public"]["n"] == 6 and parts["private"]["n"] == 4
    assert parts["public"]["total"] == pytest.approx(0.8) and parts["private"]["total"] == pytest.approx(0.2)
    assert st["score"]["total"] == pytest.approx(0.8)  # the public part is what ranks during the phase
    assert st["attempts"] == 1  # both parts from one run


def test_teams_see_only_the_public_part_before_the_reveal(split_phase):
    base, pid = split_phase["base"], split_phase["pid"]
    name_a, token_a = split_phase["teams"]["a"]
    sub = split_phase["subs"]["a"]
    info = next(p for c in httpx.get(f"{base}/api/v1/competitions").json() for p in c["phases"] if p["id"] == pid)
    assert info["split"] == {"n_public": 6, "n_private": 4}  # no seed, no ids
    st = httpx.get(f"{base}/api/v1/submissions/{sub}", headers=auth(token_a)).json()
    score = st["score"]
    assert score["total"] == pytest.approx(0.8) and score["columns"] == {"model:a": pytest.approx(0.8)}
    assert score["parts"] is None and score["artifacts"] == []
    for path in (f"/api/v1/submissions/{sub}/artifacts/overview", f"/api/v1/submissions/{sub}/samples"):
        r = httpx.get(base + path, headers=auth(token_a))
        assert r.status_code == 404 and "public/private split" in r.json()["detail"], (path, r.text)
    for token in (token_a, None):
        board = _board(base, pid, token)
        assert [r["team"] for r in board["rows"]] == [split_phase["teams"][k][0] for k in ("a", "b", "c")]
        assert all(r["private"] is None for r in board["rows"])
    text = httpx.get(f"{base}/phases/{pid}/leaderboard.csv").text
    assert "private" not in text.splitlines()[0]
    html = httpx.get(f"{base}/leaderboard/{pid}").text
    assert 'id="split-note"' in html and 'id="private-board"' not in html
    page = httpx.get(f"{base}/phases/{pid}").text
    assert 'id="split"' in page and "4 samples" in page and "not disclosed" in page


def _private(board: dict) -> dict[str, dict]:
    return {r["team"]: r["private"] for r in board["rows"]}


def test_organizers_preview_and_the_reveal_shows_rank_changes(split_phase):
    base, pid, admin = split_phase["base"], split_phase["pid"], split_phase["admin"]
    teams = split_phase["teams"]
    expected = {teams[k][0]: (EXPECTED_PRIVATE_RANK[k], SUBMISSIONS[k][1]) for k in SUBMISSIONS}
    public_rank = {teams[k][0]: i + 1 for i, k in enumerate(("a", "b", "c"))}
    for private in (_private(_board(base, pid, admin)),):
        for team, (rank, total) in expected.items():
            assert private[team]["rank"] == rank and private[team]["total"] == pytest.approx(total)
            assert private[team]["rank_change"] == public_rank[team] - rank
    r = httpx.post(f"{base}/api/v1/admin/phases/{pid}/reveal", json={"revealed": True}, headers=auth(admin))
    assert r.status_code == 200, r.text
    token_b = teams["b"][1]
    private = _private(_board(base, pid, token_b))
    assert {t: (p["rank"], p["rank_change"]) for t, p in private.items()} == {
        t: (rank, public_rank[t] - rank) for t, (rank, _) in expected.items()}
    st = httpx.get(f"{base}/api/v1/submissions/{split_phase['subs']['b']}", headers=auth(token_b)).json()
    assert st["score"]["parts"]["private"]["total"] == pytest.approx(0.6) and st["score"]["artifacts"]
    rows = list(csv.DictReader(io.StringIO(httpx.get(f"{base}/phases/{pid}/leaderboard.csv").text)))
    by_team = {r["team"]: r for r in rows}
    assert by_team[teams["a"][0]]["private_rank"] == "3" and by_team[teams["a"][0]]["rank_change"] == "-2"
    html = httpx.get(f"{base}/leaderboard/{pid}").text
    final = html[html.index('id="private-board"'):html.index('id="public-heading"')]
    assert final.index(teams["b"][0]) < final.index(teams["c"][0]) < final.index(teams["a"][0])
    assert "▼ 2" in final and "▲ 1" in final
    driver = chrome()  # the page as a browser shows it (var/screenshots/split-leaderboard.png)
    try:
        driver.set_window_size(1280, 900)
        driver.get(f"{base}/leaderboard/{pid}")
        board = driver.find_element(By.ID, "private-board")
        assert [tr.find_element(By.CLASS_NAME, "team").text for tr in board.find_elements(By.CSS_SELECTOR, "tbody tr")] \
            == [teams[k][0] for k in ("b", "c", "a")]
        assert board.size["width"] <= 1280
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / "split-leaderboard.png"))
    finally:
        driver.quit()
    out = subprocess.run([sys.executable, "-m", "client.cli", "--url", base, "--token", token_b, "leaderboard",
                          str(pid)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    tail = out.stdout[out.stdout.index("private part (final ranking"):]
    assert tail.index(teams["b"][0]) < tail.index(teams["a"][0]) and "-2" in tail


def test_the_loader_refuses_to_move_a_split_under_scores(split_phase):
    path = split_phase["yaml"]
    spec = yaml.safe_load(path.read_text())
    with session_scope() as s:  # the same split reloads
        load_file(s, path)
    spec["tracks"]["face"]["phases"][0]["split"] = {"private_ids": ["s00", "s01"]}
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(CompetitionError, match="split would change"), session_scope() as s:
        load_file(s, path)


@pytest.mark.parametrize("split, message", [
    ({"private_fraction": 0.4, "private_ids": ["s01"]}, "exactly one of"),
    ({"private_ids": ["s01", "nope"]}, "not samples of the bundle"),
    ({"private_fraction": 0.01}, "private part empty"),
    ({"public_ids": ["s00", "s02"]}, "no sample of stratum 'b'"),
    ({"private_fraction": 1.5}, "less than 1"),
])
def test_bad_splits_are_load_errors_with_their_place(platform_env, fake_tracks, split, message):
    tmp = platform_env["tmp"]
    with pytest.raises(CompetitionError) as e:
        load_competition(tmp, {"face": [phase_spec("p", fake_bundle(tmp), split=split)]})
    text = str(e.value)  # the place: by phase name (split checks) or index (schema checks)
    assert ("tracks.face.phases.p.split" in text or "tracks.face.phases.0.split" in text) and message in text, text


def test_a_scorer_that_ignores_the_split_fails_as_infra(split_phase):
    base, pid = split_phase["base"], split_phase["pid"]
    token = split_phase["teams"]["c"][1]
    sub = upload(base, token, pid, b"FAKE score=0.9 parts=none").json()["id"]
    st = wait_state(base, token, sub, timeout=90)
    assert st["state"] == "failed" and st["failure_class"] == "infra", st
    assert st["score"] is None
