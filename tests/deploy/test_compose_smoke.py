"""The compose stack as organizers start it, built offline and run for real on every commit:
the lean API image (no scorer runtime, under 600 MB), `migrate`, Postgres and Redis from
docker-compose.yml, a real Celery worker from the virtualenv as the scoring worker (the
multi-GB worker image is left to scripts/compose_smoke_full.sh), the quick face demo
competition loaded over HTTP, a team's baseline submitted with the team CLI and scored, the
leaderboard read over HTTP, and the stack torn down with its volumes. Stages: see
tests/deploy/compose_smoke.py. No Docker or no Compose is a set-up failure, never a skip."""
from __future__ import annotations

import pytest
from compose_smoke import API_IMAGE, API_IMAGE_MAX_MB, Smoke

pytestmark = [pytest.mark.slow, pytest.mark.docker]


def test_compose_stack_scores_a_face_baseline_and_comes_down(record_property):
    smoke = Smoke("venv")  # RuntimeError (a set-up failure) without dockerd or Compose
    out = smoke.run()
    for name, seconds in out["stages"].items():
        record_property(f"seconds {name}", seconds)
    for image, mb in out["images"].items():
        record_property(f"MB {image}", mb)
    print(out)
    assert 0 < out["images"][API_IMAGE] < API_IMAGE_MAX_MB
    assert smoke.leftovers() == [], "compose down -v left containers or volumes behind"
