"""Where a status / leaderboard read spends its time, in one process, without HTTP parsing:
requests go through ``httpx.ASGITransport`` straight into the app, on a throwaway Postgres
database made as the platform tests make theirs.

  .venv/bin/python bench/profile_reads.py [--n 2000] [--profile] [--what status|board|cookie]

Prints requests/s of the app alone (one core, one client at a time), requests per CPU-second
of this process (app and client together; steadier than requests/s on a busy machine), each
as served (the app's lifespan run: on Postgres the status read runs on the event loop,
core.async_reads) and without the lifespan (that read in a worker thread, as before), with the
ratio of their CPU per request; and, with ``--profile``, the top of a cProfile run sorted by cumulative and by own time (the main
thread only: a sync route's work in the thread pool does not show there).
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "platform"), str(ROOT / "bench")]



def setup(tmp: Path):
    from bench_platform import setup_env

    name, url = setup_env(tmp)
    from platform_helpers import fake_bundle, load_competition, make_team, phase_spec

    from core.db import session_scope
    from core.models import Submission, Team
    from sqlalchemy import select

    ph = load_competition(tmp, {"driving": [phase_spec("load", fake_bundle(tmp), queue="gpu",
                                                       quota={"daily": 100, "total": 1000})]})
    phase = ph["driving/load"]
    token = make_team("prof-team")
    with session_scope() as s:
        team_id = s.scalar(select(Team.id).where(Team.name == "prof-team"))
        now = datetime.utcnow()
        subs = [Submission(phase_id=phase, team_id=team_id, state="queued", filename="s", artifact_key="k",
                           size_bytes=1, sha256="0" * 64, quota_day=now.date().isoformat(), created_at=now,
                           queued_at=now, queue="gpu", counts_quota=True) for _ in range(20)]
        s.add_all(subs)
        s.flush()
        sub_id = subs[-1].id
    return name, token, phase, sub_id


async def loop(app, path: str, headers: dict, n: int, lifespan: bool = True) -> tuple[float, float]:
    """``lifespan``: run the app's lifespan as uvicorn does (on Postgres it opens the pool the
    status read uses, core.async_reads); without it the status read runs in a worker thread."""
    import contextlib

    import httpx

    life = app.router.lifespan_context(app) if lifespan else contextlib.nullcontext()
    async with life, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for _ in range(20):
            r = await c.get(path, headers=headers)
            assert r.status_code == 200, r.text
        t, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            r = await c.get(path, headers=headers)
        assert r.status_code == 200
        return time.perf_counter() - t, time.process_time() - cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--what", default="status", choices=("status", "board", "cookie"))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="aisc-prof-"))
    db, token, phase, sub_id = setup(tmp)
    from platform_db import drop_database

    try:
        import platform_fake_scorer

        platform_fake_scorer.install()
        from api.main import app

        headers = {"Authorization": f"Bearer {token}"}
        path = f"/api/v1/submissions/{sub_id}"
        if args.what == "board":
            path = f"/api/v1/phases/{phase}/leaderboard"
        elif args.what == "cookie":
            from core.db import session_scope
            from core.web_sessions import sign_in

            with session_scope() as s:
                sid = sign_in(s, token)
            headers = {"Cookie": f"aisc_session={sid}"}
        import gc

        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)  # as api/main.py's lifespan does
        cpu_of: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.repeat):
            for lifespan in (True, False):
                dt, cpu = asyncio.run(loop(app, path, headers, args.n, lifespan))
                cpu_of[lifespan].append(cpu)
                print(f"{args.what} ({'as served' if lifespan else 'no lifespan: reads in a thread'}): "
                      f"{args.n} requests in {dt:.2f} s: {args.n / dt:7.1f} req/s, {dt / args.n * 1000:.3f} ms "
                      f"each; {args.n / cpu:7.1f} per CPU-second ({cpu / args.n * 1000:.3f} ms CPU each)", flush=True)
        best = {k: min(v) for k, v in cpu_of.items()}
        print(f"CPU per request, reads in a thread over as served (best of {args.repeat}): "
              f"{best[False] / best[True]:.2f}x")
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            asyncio.run(loop(app, path, headers, args.n))
            prof.disable()
            st = pstats.Stats(prof)
            st.sort_stats("cumulative").print_stats(45)
            st.sort_stats("tottime").print_stats(30)
    finally:
        from core.db import reset_engines

        reset_engines()
        drop_database(db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
