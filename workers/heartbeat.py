"""A thread that writes the run's heartbeat and latest progress while it scores.

If the submission left ``running`` under us (cancelled by the team or organizers, or taken
over by the reaper), the run is interrupted: its result could no longer be recorded."""
from __future__ import annotations

import _thread
import logging
import threading
import time

from sqlalchemy.orm import sessionmaker

from core import lifecycle

log = logging.getLogger(__name__)


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
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

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
                _thread.interrupt_main()
                return
