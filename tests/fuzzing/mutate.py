"""Byte-level mutations of valid uploads for the fuzz tests (hypothesis strategies), and the one
rule they check: for any bytes, a track's upload check and scorer entry either succeed or raise
SubmissionRejected with a message. Nothing else may escape (it would be a 500 in the API, a
traceback in the CLI, an infra failure on the worker)."""
from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from evaluators.common.errors import SubmissionRejected

OPS = ("flip", "truncate", "splice", "insert", "delete")


def fuzz_settings(examples: int):
    """A fixed budget and a fixed sequence of cases (derandomized: CI runs the same cases)."""
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def mutated(draw, seed: bytes, max_ops: int = 4) -> bytes:
    """``seed`` after 1..max_ops flips, truncations, splices (a slice copied from elsewhere),
    insertions or deletions; positions favour the first and last 256 bytes, where the headers
    and a zip's central directory live."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, max_ops))):
        n = len(data)
        if n == 0:
            break
        pos = draw(st.one_of(st.integers(0, min(n - 1, 255)), st.integers(max(0, n - 256), n - 1),
                             st.integers(0, n - 1)))
        op = draw(st.sampled_from(OPS))
        if op == "flip":
            data[pos] ^= draw(st.integers(1, 255))
        elif op == "truncate":
            del data[pos:]
        elif op == "splice":
            src, length = draw(st.integers(0, n - 1)), draw(st.integers(1, 64))
            data[pos:pos + length] = data[src:src + length]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[pos:pos + draw(st.integers(1, 64))]
    return bytes(data)


class Outcomes:
    """Counts what the fuzzed function did, so the test can report and check the budget."""

    def __init__(self) -> None:
        self.accepted = 0
        self.rejected = 0
        self.messages: set[str] = set()

    @property
    def total(self) -> int:
        return self.accepted + self.rejected

    def __str__(self) -> str:
        return f"{self.total} cases: {self.accepted} accepted, {self.rejected} rejected ({len(self.messages)} distinct messages)"


def run_case(fn: Callable[[Path], Any], data: bytes, outcomes: Outcomes, suffix: str = ".bin") -> None:
    """Write ``data`` to a file and call ``fn(path)``; only success or SubmissionRejected with a
    non-empty message is allowed (any other exception fails the test with the input)."""
    with tempfile.TemporaryDirectory(prefix="aisc-fuzz-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            fn(path)
        except SubmissionRejected as e:
            assert str(e).strip(), "a rejection must say why"
            outcomes.rejected += 1
            outcomes.messages.add(str(e)[:60])
            return
    outcomes.accepted += 1


def image_tarball(config: dict | None = None, gz: bool = False) -> bytes:
    """A small `docker save`-shaped archive: manifest.json, an image config, one layer."""
    config = config or {"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["python3", "/app/infer.py"]}}
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as lt:
        blob = b"print('hello')\n"
        info = tarfile.TarInfo("app/infer.py")
        info.size = len(blob)
        lt.addfile(info, io.BytesIO(blob))
    members = {"manifest.json": json.dumps([{"Config": "config.json", "RepoTags": ["team:latest"],
                                             "Layers": ["layer/layer.tar"]}]).encode(),
               "config.json": json.dumps(config).encode(), "layer/layer.tar": layer.getvalue()}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gz else "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def png_bytes(arr: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()
