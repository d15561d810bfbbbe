"""Leaderboard ranking (best/last, ties, scorer versions, disqualification), quota refunds and
the conditional transitions, directly on Postgres."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from core import lifecycle, quotas
from core.db import session_scope
from core.leaderboard import rank, to_csv
from core.models import Phase, QuotaCounter, Score, Submission, Team
from platform_helpers import fake_bundle, load_competition, phase_spec

T0 = datetime(2026, 1, 1, 12, 0, 0)


def _scored(s, phase, team, total, minutes, version="v1", dq=False) -> Submission:
    sub = Submission(phase_id=phase.id, team_id=team.id, state="scored", filename="f", artifact_key="k",
                     size_bytes=1, sha256="0" * 64, quota_day="2026-01-01", created_at=T0 + timedelta(minutes=minutes),
                     disqualified=dq)
    s.add(sub)
    s.flush()
    sc = Score(submission_id=sub.id, scorer_version=version, total=total, scorer_score=total,
               columns={"model:x": total}, created_at=T0)
    s.add(sc)
    s.flush()
    sub.score_id, sub.score_total, sub.score_version = sc.id, total, version
    return sub


@pytest.fixture
def phase_and_teams(platform_env):
    ids = load_competition(platform_env["tmp"], {"face": [phase_spec("rank", fake_bundle(platform_env["tmp"]))]})
    with session_scope() as s:
        teams = [Team(name=f"r{i}-{uuid.uuid4().hex[:6]}") for i in range(3)]
        s.add_all(teams)
        s.flush()
        yield s, s.get(Phase, ids["face/rank"]), teams


def test_best_last_ties_versions_and_disqualified(phase_and_teams):
    s, phase, (a, b, c) = phase_and_teams
    _scored(s, phase, a, 0.8, 1)
    _scored(s, phase, a, 0.5, 5)  # a's last
    _scored(s, phase, b, 0.8, 3)  # ties a's best, but later
    _scored(s, phase, b, 0.99, 4, dq=True)  # disqualified: ignored
    _scored(s, phase, c, 0.95, 2, version="v0")  # old scorer version: ignored
    _scored(s, phase, c, 0.3, 6)
    best = rank(s, phase, "v1")
    assert [(r.rank, r.team, r.total) for r in best] == [(1, a.name, 0.8), (2, b.name, 0.8), (3, c.name, 0.3)]
    phase.ranking = "last"
    last = rank(s, phase, "v1")
    assert [(r.team, r.total) for r in last] == [(b.name, 0.8), (a.name, 0.5), (c.name, 0.3)]
    assert [r.team for r in rank(s, phase, "v0")] == [c.name]
    assert to_csv(best).splitlines()[0] == "rank,team,submission_id,total,submitted_at,valid,model:x"


def test_transitions_are_conditional(phase_and_teams):
    s, phase, (a, _, _) = phase_and_teams
    sub = Submission(phase_id=phase.id, team_id=a.id, filename="f", artifact_key="k", size_bytes=1,
                     sha256="0" * 64, quota_day="2026-01-01")
    s.add(sub)
    s.flush()
    assert lifecycle.transition(s, sub.id, ("received",), "queued")
    assert not lifecycle.transition(s, sub.id, ("received",), "queued")  # already moved
    attempt = lifecycle.claim(s, sub.id, "w1")
    assert attempt == 1 and lifecycle.claim(s, sub.id, "w2") is None  # a redelivery does nothing
    assert not lifecycle.transition(s, sub.id, ("running",), "scored", attempt=2)  # a stale run can't finish
    assert lifecycle.transition(s, sub.id, ("running",), "scored", attempt=1)
    with pytest.raises(ValueError, match="not allowed"):
        lifecycle.transition(s, sub.id, ("cancelled",), "queued")
    with pytest.raises(ValueError, match="failure_class"):
        lifecycle.transition(s, sub.id, ("queued",), "failed")


def test_quota_refund_happens_once(phase_and_teams):
    s, phase, (a, _, _) = phase_and_teams
    phase.quota_daily = 2
    day = quotas.reserve(s, a.id, phase)
    quotas.reserve(s, a.id, phase)
    with pytest.raises(quotas.QuotaExceeded, match="daily quota used up"):
        quotas.reserve(s, a.id, phase)
    sub = Submission(phase_id=phase.id, team_id=a.id, filename="f", artifact_key="k", size_bytes=1,
                     sha256="0" * 64, quota_day=day)
    s.add(sub)
    s.flush()
    assert quotas.refund(s, sub) and not quotas.refund(s, sub)
    assert quotas.remaining(s, a.id, phase).daily_left == 1
    assert s.get(QuotaCounter, (a.id, phase.id, day)).used == 1
