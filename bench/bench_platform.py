"""Platform benchmark on the real stack (Postgres, Redis, a Celery worker process, uvicorn):

1. upload accepted -> running, with an idle worker (target < 1 s)
2. upload and status latency p50/p99 under 50 concurrent clients on loopback (status p99 < 200 ms):
   closed loop (every client sends its next request as soon as the last one is answered:
   the API saturated) and 2b. polling (every client asks every 0.25 s)
2c. status reads alone, closed loop: requests/s, and requests per CPU-second of the API
   processes (their own user+system time from /proc: what one core serves, target >= 500,
   whatever else runs on the machine)
3. leaderboard query at 100k submissions (target < 50 ms)

  .venv/bin/python bench/bench_platform.py [--clients 50] [--submissions 100000] [--api-workers N]
      [--parts pickup,upload,poll,rate,board]

Uses a throwaway database ``aisc_bench_<random>`` and a Redis key prefix, removed at the end.
The scorer is the tests' tiny scorer (tests/platform/platform_fake_scorer.py): these figures
are about the platform, not about a track's scoring time.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "platform")]

import httpx  # noqa: E402

PG = os.environ.get("AISC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("AISC_TEST_REDIS", "redis://127.0.0.1:6379/0")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def show(name: str, values_ms: list[float], target_ms: float | None = None) -> None:
    p50, p99 = pct(values_ms, 50), pct(values_ms, 99)
    line = f"{name:44s} n={len(values_ms):5d}  p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  max {max(values_ms):8.2f} ms"
    if target_ms:
        line += f"  p99/target {p99 / target_ms:.2f}"
    print(line, flush=True)


def setup_env(tmp: Path) -> tuple[str, str]:
    from platform_db import create_database

    name = f"aisc_bench_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    os.environ.update({"AISC_DATABASE_URL": url, "AISC_BROKER_URL": REDIS,
                       "AISC_BROKER_KEY_PREFIX": f"aisc-bench-{uuid.uuid4().hex[:8]}:",
                       "AISC_STORAGE_URL": str(tmp / "storage"), "AISC_WORKDIR": str(tmp / "work")})
    from core.migrate import upgrade

    upgrade(url)
    return name, url


def bench_pickup(base: str, token: str, phase: int, n: int) -> list[float]:
    from platform_helpers import upload, wait_state

    from core.db import session_scope
    from core.models import Submission

    lat = []
    for i in range(n):
        r = upload(base, token, phase, f"FAKE score=0.{i % 10}".encode())
        assert r.status_code == 201, r.text
        wait_state(base, token, r.json()["id"], timeout=30)
        with session_scope() as s:  # both stamped by the database host's clock
            sub = s.get(Submission, r.json()["id"])
            lat.append((sub.started_at - sub.queued_at).total_seconds() * 1000)
    return lat


def _client_session(base: str, token: str, phase: int, status_id: int, rounds: int, start_at: float):
    """One client: ``rounds`` x (one upload, then 10 status reads) on a keep-alive connection."""
    import http.client
    import json as _json
    from urllib.parse import urlparse

    host = urlparse(base)
    up, st = [], []
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    h = {"Authorization": f"Bearer {token}"}
    time.sleep(max(0.0, start_at - time.time()))
    for r in range(rounds):
        t = time.perf_counter()
        conn.request("POST", f"/api/v1/phases/{phase}/submissions?filename=s.txt", body=f"FAKE score=0.{r}".encode(),
                     headers={**h, "Content-Type": "application/octet-stream"})
        resp = conn.getresponse()
        data = resp.read()
        up.append((time.perf_counter() - t) * 1000)
        assert resp.status == 201, data
        for _ in range(10):
            t = time.perf_counter()
            conn.request("GET", f"/api/v1/submissions/{status_id}", headers=h)
            resp = conn.getresponse()
            data = resp.read()
            st.append((time.perf_counter() - t) * 1000)
            assert resp.status == 200 and _json.loads(data)["id"] == status_id
    conn.close()
    return up, st


def _client_group(args):
    base, tokens, phase, status_ids, rounds, start_at = args
    with ThreadPoolExecutor(len(tokens)) as pool:
        return list(pool.map(lambda i: _client_session(base, tokens[i], phase, status_ids[i], rounds, start_at),
                             range(len(tokens))))


def bench_concurrent(base: str, tokens: list[str], phase: int, status_ids: list[int], rounds: int,
                     processes: int = 10):
    """All clients at once, spread over ``processes`` load-generator processes (one Python
    process with 50 threads would measure its own GIL queue, not the API)."""
    import multiprocessing

    start_at = time.time() + 1.0
    groups = [(base, tokens[k::processes], phase, status_ids[k::processes], rounds, start_at)
              for k in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = [r for g in pool.map(_client_group, groups) for r in g]
    return [x for u, _ in results for x in u], [x for _, s in results for x in s]


def bench_polling(base: str, tokens: list[str], status_ids: list[int], seconds: float, interval: float):
    """Each client polls its submission's status every ``interval`` s (as ``client.cli --wait``
    does every 1 s) for ``seconds``; returns the latencies."""
    import http.client
    from urllib.parse import urlparse

    host = urlparse(base)

    def client(i: int):
        conn, out = http.client.HTTPConnection(host.hostname, host.port, timeout=60), []
        time.sleep(interval * i / len(tokens))  # spread the clients over the interval
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t = time.perf_counter()
            conn.request("GET", f"/api/v1/submissions/{status_ids[i]}", headers={"Authorization": f"Bearer {tokens[i]}"})
            resp = conn.getresponse()
            resp.read()
            out.append((time.perf_counter() - t) * 1000)
            assert resp.status == 200
            time.sleep(max(0.0, interval - (time.perf_counter() - t)))
        conn.close()
        return out

    with ThreadPoolExecutor(len(tokens)) as pool:
        return [x for r in pool.map(client, range(len(tokens))) for x in r]


def _cpu_seconds(pgid: int) -> float:
    """User + system CPU time of every live process in process group ``pgid`` (the API's
    launcher, and its uvicorn workers when there are several)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state ppid pgrp ... utime(11) stime(12)
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _rate_client(args):
    import http.client
    from urllib.parse import urlparse

    base, pairs, start_at, end_at = args
    host = urlparse(base)

    def one(pair):
        token, sub_id = pair
        conn, out = http.client.HTTPConnection(host.hostname, host.port, timeout=60), []
        h = {"Authorization": f"Bearer {token}"}
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < end_at:
            t = time.perf_counter()
            conn.request("GET", f"/api/v1/submissions/{sub_id}", headers=h)
            resp = conn.getresponse()
            resp.read()
            out.append((time.perf_counter() - t) * 1000)
            assert resp.status == 200
        conn.close()
        return out

    with ThreadPoolExecutor(len(pairs)) as pool:
        return [x for r in pool.map(one, pairs) for x in r]


def bench_status_rate(base: str, tokens: list[str], status_ids: list[int], api_pgid: int, seconds: float,
                      processes: int = 4):
    """Status reads alone, every client back to back for ``seconds``: (latencies, requests/s,
    requests per CPU-second of the API processes)."""
    import multiprocessing

    pairs = list(zip(tokens, status_ids))
    start_at = time.time() + 1.0
    groups = [(base, pairs[k::processes], start_at, start_at + seconds) for k in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pending = pool.map_async(_rate_client, groups)
        time.sleep(max(0.0, start_at - time.time()))
        cpu0 = _cpu_seconds(api_pgid)
        results = pending.get()
        cpu = _cpu_seconds(api_pgid) - cpu0
    lat = [x for r in results for x in r]
    return lat, len(lat) / seconds, len(lat) / cpu if cpu else float("inf"), cpu


def fill_leaderboard(phase_id: int, n: int, teams: int) -> None:
    from sqlalchemy import insert, text

    from core.db import get_engine
    from core.models import Submission, Team

    eng = get_engine()
    t0 = datetime(2026, 1, 1)
    with eng.begin() as c:
        team_ids = [c.execute(insert(Team).values(name=f"bench-{i:04d}").returning(Team.id)).scalar_one()
                    for i in range(teams)]
        rows = [{"phase_id": phase_id, "team_id": team_ids[i % teams], "state": "scored", "filename": "s",
                 "artifact_key": "k", "size_bytes": 1, "sha256": "0" * 64, "quota_day": "2026-01-01",
                 "created_at": t0 + timedelta(seconds=i), "score_version": "fake-1",
                 "score_total": ((i * 7919) % 10007) / 10007, "queue": "cpu", "counts_quota": True}
                for i in range(n)]
        for k in range(0, n, 20000):
            c.execute(insert(Submission), rows[k:k + 20000])
        c.execute(text("INSERT INTO scores (submission_id, scorer_version, total, scorer_score, valid, columns, "
                       "messages, details, artifacts, timings, created_at) SELECT id, 'fake-1', score_total, "
                       "score_total, true, '{\"model:a\": 0.5}', '[]', '{}', '{}', '{}', now() FROM submissions "
                       "WHERE phase_id = :p AND score_id IS NULL"), {"p": phase_id})
        c.execute(text("UPDATE submissions s SET score_id = sc.id FROM scores sc WHERE sc.submission_id = s.id "
                       "AND s.phase_id = :p AND s.score_id IS NULL"), {"p": phase_id})
        c.execute(text("ANALYZE"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=4, help="uploads per client (each followed by 10 status reads)")
    ap.add_argument("--pickups", type=int, default=20)
    ap.add_argument("--submissions", type=int, default=100_000)
    ap.add_argument("--teams", type=int, default=500)
    ap.add_argument("--api-workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--rate-seconds", type=float, default=10.0, help="length of the status-only closed loop (2c)")
    ap.add_argument("--parts", default="pickup,upload,poll,rate,board", help="which parts to run (comma-separated)")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="aisc-bench-"))
    db_name, _ = setup_env(tmp)
    from platform_db import drop_database
    from platform_helpers import fake_bundle, load_competition, make_team, phase_spec
    from platform_procs import start_api, start_worker

    procs: list = []
    try:
        base = start_api(procs, tmp, fake=True, workers=args.api_workers)
        start_worker(procs, tmp, fake=True, queues="cpu")
        ph = load_competition(tmp, {"face": [phase_spec("pickup", fake_bundle(tmp), quota={"daily": 10000})],
                                    "driving": [phase_spec("load", fake_bundle(tmp), queue="gpu",
                                                           quota={"daily": 10000})],
                                    "deepfake": [phase_spec("board", fake_bundle(tmp))]})
        print(f"platform benchmark: Postgres + Redis + 1 Celery worker (prefork, 1 process) + uvicorn ({args.api_workers} process(es)), "
              f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}", flush=True)
        token = make_team("bench-pickup")
        bench_pickup(base, token, ph["face/pickup"], 2)  # warm-up
        if "pickup" in parts:
            lat = bench_pickup(base, token, ph["face/pickup"], args.pickups)
            show("1. upload accepted (queued) -> running", lat, 1000)

        tokens = [make_team(f"bench-client-{i}") for i in range(args.clients)]
        from platform_helpers import upload

        status_ids = [upload(base, t, ph["driving/load"], b"FAKE").json()["id"] for t in tokens]
        if "upload" in parts:
            up, st = bench_concurrent(base, tokens, ph["driving/load"], status_ids, args.rounds)
            show(f"2. upload, {args.clients} concurrent clients", up)
            show(f"2. status, {args.clients} concurrent clients", st, 200)
        if "poll" in parts:
            polled = bench_polling(base, tokens, status_ids, seconds=10, interval=0.25)
            show(f"2b. status, {args.clients} clients polling every 0.25 s", polled, 200)
        if "rate" in parts:
            lat, rps, per_cpu, cpu = bench_status_rate(base, tokens, status_ids, procs[0].popen.pid,
                                                       args.rate_seconds)
            show(f"2c. status only, {args.clients} clients, closed loop", lat, 200)
            print(f"{'':44s} {rps:7.1f} requests/s; API processes used {cpu:.1f} CPU-s: "
                  f"{per_cpu:7.1f} requests per CPU-second (target >= 500)", flush=True)
        if "board" not in parts:
            return 0

        from core.db import session_scope
        from core.leaderboard import rank
        from core.models import Phase

        t = time.perf_counter()
        fill_leaderboard(ph["deepfake/board"], args.submissions, args.teams)
        print(f"   (inserted {args.submissions} scored submissions for {args.teams} teams in "
              f"{time.perf_counter() - t:.1f} s)", flush=True)
        times, http_times = [], []
        import gc

        gc.collect()
        gc.freeze()  # as the API does at start-up (api/main.py)
        with session_scope() as s:
            phase = s.get(Phase, ph["deepfake/board"])
            for policy in ("best", "last"):
                phase.ranking = policy
                rank(s, phase, "fake-1")
                for _ in range(50):
                    t = time.perf_counter()
                    rows = rank(s, phase, "fake-1")
                    times.append((time.perf_counter() - t) * 1000)
                assert len(rows) == args.teams
                show(f"3. leaderboard query ({policy}), {args.submissions // 1000}k subs", times, 50)
                times = []
            phase.ranking = "best"
        web = httpx.Client(base_url=base, timeout=30)
        web.get(f"/api/v1/phases/{ph['deepfake/board']}/leaderboard")  # warm-up
        for _ in range(50):
            t = time.perf_counter()
            r = web.get(f"/api/v1/phases/{ph['deepfake/board']}/leaderboard")
            http_times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200 and len(r.json()["rows"]) == args.teams
        show(f"3. GET leaderboard JSON over HTTP, {args.teams} rows", http_times)
        print(f"load average after: {os.getloadavg()[0]:.2f} (other work on the machine skews every figure)")
    finally:
        for p in procs:
            p.kill()
        from core.db import reset_engines

        reset_engines()
        import redis

        r = redis.Redis.from_url(REDIS)
        keys = list(r.scan_iter(match=os.environ["AISC_BROKER_KEY_PREFIX"] + "*"))
        if keys:
            r.delete(*keys)
        drop_database(db_name)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
