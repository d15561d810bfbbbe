"""One GPU per container run, chosen per job, so that two GPU jobs on a multi-GPU worker never
share a device (and a job never gets all of them).

A lease is an exclusive ``flock`` on ``<lock_dir>/gpu-<id>.lock``: every worker process on the
machine sees the same files, and the kernel drops the lock when its holder exits, so a killed
worker never leaves a GPU taken. ``lease_gpu`` tries the devices in order and waits (polling)
until one is free or ``wait_s`` has passed.

The devices are ``AISC_SANDBOX_GPUS`` (comma-separated ids as the NVIDIA container runtime
names them, e.g. ``0,1``), else every GPU ``nvidia-smi`` lists, else none.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from evaluators.common.errors import BundleError

from .settings import sandbox_settings

POLL_S = 0.5


class NoGpu(BundleError):
    """The phase asks for a GPU and this worker has none free: an infra failure (the run is
    retried, and lands on another worker where one is free)."""


def visible_gpus() -> list[str]:
    """The GPU ids this worker may hand to containers (see the module docstring)."""
    configured = sandbox_settings().gpus.strip()
    if configured:
        return [g.strip() for g in configured.split(",") if g.strip()]
    if not shutil.which("nvidia-smi"):
        return []
    proc = subprocess.run(["nvidia-smi", "--query-gpu=index", "--format=csv,noheader"], capture_output=True,
                          text=True, timeout=30)
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()] if proc.returncode == 0 else []


@contextmanager
def lease_gpu(devices: Optional[list[str]] = None, lock_dir: Optional[Path] = None,
              wait_s: float = 0.0) -> Iterator[str]:
    """Hold one free GPU of ``devices`` (default ``visible_gpus()``) for the ``with`` block;
    yields its id. Raises NoGpu when there is none, or none became free within ``wait_s``."""
    devices = visible_gpus() if devices is None else list(devices)
    if not devices:
        raise NoGpu("the phase asks for a GPU (scoring.gpu: true), but this worker has none; run it on a GPU "
                    "worker (queue gpu) or set AISC_SANDBOX_GPUS")
    lock_dir = Path(lock_dir or sandbox_settings().gpu_lock_dir)
    lock_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        for device in devices:
            fd = os.open(lock_dir / f"gpu-{device}.lock", os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield device
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if time.monotonic() >= deadline:
            raise NoGpu(f"every GPU of this worker ({', '.join(devices)}) is in use by another run; the run is "
                        "retried")
        time.sleep(POLL_S)
