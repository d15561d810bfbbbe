"""The README's demo command, run for real on the face track (quick bundles, embedded SQLite
database and broker): it must end with every baseline scored and the leaderboard printed."""
from __future__ import annotations

import importlib
import os
import subprocess

import pytest
from platform_procs import ROOT, free_port

pytestmark = pytest.mark.slow


def test_demo_script_runs_the_face_demo_end_to_end(tmp_path):
    try:
        importlib.import_module("authoring.face.demo")
    except ModuleNotFoundError as e:
        if e.name in ("authoring.face.demo", "evaluators.face"):
            pytest.skip("the face track has no demo module (authoring/face/demo.py) yet")
        raise
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISC_")}
    env.update({"AISC_SKIP_SETUP": "1", "AISC_DEMO_TRACKS": "face", "AISC_PORT": str(port),
                "AISC_DEMO_DIR": str(ROOT / "var" / "test-cache" / "demo-quick"),
                "AISC_DATABASE_URL": f"sqlite:///{tmp_path / 'aisc.sqlite3'}",
                "AISC_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}",
                "AISC_STORAGE_URL": str(tmp_path / "storage"), "AISC_WORKDIR": str(tmp_path / "work")})
    r = subprocess.run(["bash", "scripts/demo.sh", "--quick"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=1200)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "leaderboard face/" in r.stdout and f"http://127.0.0.1:{port}/leaderboard/" in r.stdout
    assert ": scored" in r.stdout and "failed" not in r.stdout
    pages = r.stdout.split("[demo] results pages:", 1)  # each demo team's results page, after the boards
    assert len(pages) == 2 and f"http://127.0.0.1:{port}/login" in pages[1]
    assert f"http://127.0.0.1:{port}/submissions/" in pages[1], r.stdout[-3000:]
