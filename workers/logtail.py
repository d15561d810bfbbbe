"""Keep the last N KiB of log lines written while a submission runs."""
from __future__ import annotations

import collections
import logging
import threading


class TailHandler(logging.Handler):
    def __init__(self, max_bytes: int):
        super().__init__(level=logging.INFO)
        self.max_bytes = max_bytes
        self.lines: collections.deque[str] = collections.deque()
        self.size = 0
        self.lock_ = threading.Lock()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.add(self.format(record))
        except Exception:  # a log line must never break a run
            pass

    def add(self, line: str) -> None:
        with self.lock_:
            self.lines.append(line)
            self.size += len(line) + 1
            while self.size > self.max_bytes and len(self.lines) > 1:
                self.size -= len(self.lines.popleft()) + 1

    def text(self) -> str:
        with self.lock_:
            out = "\n".join(self.lines)
        return out[-self.max_bytes:]

    def __enter__(self) -> "TailHandler":
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger().removeHandler(self)
