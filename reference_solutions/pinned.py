"""Run a generator in a numerically pinned environment, so its artifact is the same on any
x86-64 worker (README, "Reproducibility").

A chaotic optimiser (sign steps, accept-if-better mask search) turns last-digit differences
between CPUs into different artifacts, and some of those score far apart: the driving reference
methods did. In a fresh process, with:

- one thread everywhere (no reduction order that depends on the thread count);
- ``ATEN_CPU_CAPABILITY=default``: torch's own kernels in their baseline build, not the
  AVX2/AVX-512 variants chosen for the CPU at hand;
- ``ONEDNN_MAX_CPU_ISA=SSE41``: oneDNN's convolutions generated for SSE4.1, which every x86-64
  worker of the last decade has;
- ``MKL_CBWR=COMPATIBLE``: MKL's conditional numerical reproducibility mode (the same results
  on all Intel and compatible processors);

the instructions that run, and so the rounding, no longer depend on the CPU model. It is slower;
the quick budgets are small.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

PINNED_ENV = {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41", "MKL_CBWR": "COMPATIBLE",
              "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
PROGRESS = re.compile(r"^\[[^\]]+\] (?P<stage>.+): (?P<pct>[0-9.]+)%$")
REPO = Path(__file__).resolve().parents[1]


def pinned_env() -> dict[str, str]:
    """What a pinned process gets on top of the caller's environment."""
    return {**PINNED_ENV, "PYTHONHASHSEED": "0"}


def pinned_identity() -> dict:
    """The pinned settings and their sha256: a build stamped with another identity (or none,
    i.e. unpinned) was made under other numerics and is not reused (``regress/pinned_demo.py``)."""
    env = pinned_env()
    return {"env": env, "sha256": hashlib.sha256(json.dumps(env, sort_keys=True).encode()).hexdigest()}


def run_pinned(module: str, args: list[str], progress: Optional[Callable[[str, float], None]] = None,
               timeout: float = 7200) -> str:
    """``python -m module *args`` in the pinned environment; its progress lines on stderr
    (``[name] stage: NN%``) go to ``progress``. Returns the last line it printed on stdout.
    Raises RuntimeError with the end of its stderr when it fails."""
    env = {**os.environ, **pinned_env()}
    proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    tail: list[str] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        line = line.rstrip("\n")
        tail = (tail + [line])[-40:]
        m = PROGRESS.match(line)
        if m and progress:
            progress(m["stage"], float(m["pct"]))
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{module} failed (exit {proc.returncode}):\n" + "\n".join(tail))
    lines = [x for x in out.splitlines() if x.strip()]
    if not lines:
        raise RuntimeError(f"{module} printed no result")
    return lines[-1].strip()
