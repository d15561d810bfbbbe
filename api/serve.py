"""Run the API: ``python -m api.serve [--host 0.0.0.0] [--port 8000]``.

uvicorn with ``AISC_API_WORKERS`` processes; 0 (the default) starts one per CPU this process may
run on (its affinity mask: a container's cpuset counts, a CPU quota does not). One Python process
runs on one core, so this is what lets the API use the machine (``bench/bench_platform.py
--api-workers N``). The processes share nothing but the database, the broker and the storage.
"""
from __future__ import annotations

import argparse
import os

from core.settings import get_settings


def worker_count() -> int:
    n = get_settings().api_workers
    if n > 0:
        return n
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args(argv)
    import uvicorn

    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=worker_count(), log_level=args.log_level)


if __name__ == "__main__":
    main()
