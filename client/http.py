"""A small HTTP client for teams (used by ``python -m client.cli``)."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Callable, Iterator

import httpx

TERMINAL = ("scored", "failed", "cancelled")


class ApiError(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(f"HTTP {status}: {detail}")
        self.status, self.detail = status, detail


class Client:
    def __init__(self, base_url: str, token: str | None, timeout: float = 600.0):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def _check(self, r: httpx.Response):
        if r.status_code >= 400:
            try:
                detail = r.json().get("detail", r.text)
            except ValueError:
                detail = r.text
            raise ApiError(r.status_code, detail if isinstance(detail, str) else str(detail))
        return r

    def get(self, path: str, **params):
        return self._check(self.http.get(path, params=params)).json()

    def submit(self, phase_id: int, path: Path, idempotency_key: str | None = None) -> dict:
        path = Path(path)

        def chunks() -> Iterator[bytes]:
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    yield block

        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(path.stat().st_size),
                   "Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        r = self.http.post(f"/api/v1/phases/{phase_id}/submissions", params={"filename": path.name},
                           content=chunks(), headers=headers)
        return self._check(r).json()

    def status(self, submission_id: int) -> dict:
        return self.get(f"/api/v1/submissions/{submission_id}")

    def wait(self, submission_id: int, on_update: Callable[[dict], None] | None = None,
             poll: float = 1.0, timeout: float = 3600) -> dict:
        deadline, last = time.monotonic() + timeout, None
        while True:
            st = self.status(submission_id)
            key = (st["state"], st["stage"], st["progress"], st["queue_position"])
            if on_update and key != last:
                on_update(st)
            last = key
            if st["state"] in TERMINAL:
                return st
            if time.monotonic() > deadline:
                raise TimeoutError(f"submission {submission_id} still {st['state']} after {timeout} s")
            time.sleep(poll)

    def leaderboard(self, phase_id: int) -> dict:
        return self.get(f"/api/v1/phases/{phase_id}/leaderboard")
