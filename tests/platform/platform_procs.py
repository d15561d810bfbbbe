"""Start the API and Celery workers as real processes for the platform tests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = str(Path(__file__).resolve().parent / "platform_launch.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A child process in its own process group, killed with its children at the end."""

    def __init__(self, args: list[str], log: Path, env: dict | None = None):
        self.log = log
        self.popen = subprocess.Popen(args, cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                      start_new_session=True, env={**os.environ, **(env or {})})

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


def start_api(procs: list, tmp: Path, fake: bool, env: dict | None = None, workers: int = 1) -> str:
    port = free_port()
    p = Proc([sys.executable, LAUNCH, "api", str(port), *(["--fake"] if fake else []), "--workers", str(workers)],
             tmp / f"api-{port}.log", env)
    procs.append(p)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if p.popen.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"API did not start; log:\n{(tmp / f'api-{port}.log').read_text()[-3000:]}")


def start_worker(procs: list, tmp: Path, *, fake: bool, queues: str = "cpu", delay: float = 0.0,
                 beat: bool = False, name: str | None = None, env: dict | None = None) -> Proc:
    name = name or f"w{uuid.uuid4().hex[:6]}"
    opts = (["--fake"] if fake else []) + (["--delay", str(delay)] if delay else [])
    args = [sys.executable, LAUNCH, "worker", *opts, "--",
            "-Q", queues, "-c", "1", "--pool", "prefork", "-n", f"{name}@%h", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle"]
    if beat:
        args += ["-B", "-s", str(tmp / f"beat-{name}")]
    p = Proc(args, tmp / f"worker-{name}.log", env)
    procs.append(p)
    return p
