"""A thread that writes the run's heartbeat and latest progress while it scores.

If the submission left ``running`` under us (cancelled by the team or organizers, or taken
over by the reaper), the run is interrupted: its result could no longer be recorded."""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from sqlalchemy.orm import sessionmaker

from core import lifecycle

log = logging.getLogger(__name__)


class RunAbandoned(BaseException):
    """Raised in the scoring thread when the submission left ``running`` under it."""


class Heartbeat:
    def __init__(self, make_session: sessionmaker, submission_id: int, attempt: int, period: float):
        self.make_session, self.submission_id, self.attempt = make_session, submission_id, attempt
        self.period = period
        self.stage, self.percent = "starting", 0.0
        self._written = (None, None)
        self._stop = threading.Event()
        self.lost = False
        self._thread = threading.Thread(target=self._loop, name=f"heartbeat-{submission_id}", daemon=True)

    def progress(self, stage: str, percent: float) -> None:
        if stage != self.stage:
            log.info("stage %s (%.0f%%)", stage, percent)
        self.stage, self.percent = stage, float(percent)

    def start(self) -> "Heartbeat":
        """Start beating. In the main thread (a prefork pool child) SIGUSR2 is armed so the
        heartbeat can stop an abandoned run; elsewhere the run just finishes and is discarded."""
        self._old_handler, self._armed = None, False
        if threading.current_thread() is threading.main_thread():
            self._old_handler = signal.signal(signal.SIGUSR2, self._on_signal)
            self._armed = True
        self._thread.start()
        return self

    def _on_signal(self, signum, frame) -> None:  # noqa: ARG002 - signal handler signature
        if self._armed:
            self._armed = False
            raise RunAbandoned()

    def stop(self) -> None:
        """Idempotent; call it again if a RunAbandoned interrupted it."""
        self._armed = False
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        if self._old_handler is not None:
            signal.signal(signal.SIGUSR2, self._old_handler)
            self._old_handler = None

    def _beat(self) -> bool:
        with self.make_session() as session, session.begin():
            return lifecycle.heartbeat(session, self.submission_id, self.attempt,
                                       stage=self.stage[:32], progress=min(100.0, max(0.0, self.percent)))

    def _loop(self) -> None:
        last = 0.0
        while not self._stop.wait(0.5):
            now = time.monotonic()
            changed = (self.stage, self.percent) != self._written
            if not changed and now - last < self.period:
                continue
            try:
                alive = self._beat()
            except Exception as e:  # transient database trouble: try again next tick
                log.warning("heartbeat failed: %s", e)
                continue
            last, self._written = now, (self.stage, self.percent)
            if not alive:
                self.lost = True
                log.warning("submission %s left 'running' (cancelled or taken over); stopping this run",
                            self.submission_id)
                if self._armed:
                    os.kill(os.getpid(), signal.SIGUSR2)
                return
