"""Keep the end of the logs written while a submission runs, in two capped sections.

The platform's own lines and the container's output (records of the ``aisc.container`` logger)
are kept apart, each in the last ``max_bytes / 2`` bytes of UTF-8: a long record is cut inside,
never dropped whole, so the end of a traceback survives a short line after it. A marker says how
many bytes were left out in front of each section.
"""
from __future__ import annotations

import logging
import threading

from sandbox.container import (
    CONTAINER_LOGGER,  # the logger the container's own output goes to
)

logging.getLogger(CONTAINER_LOGGER).setLevel(logging.INFO)  # whatever the worker's log level


class ByteTail:
    """The last ``cap`` bytes written, and how many bytes before them were dropped."""

    def __init__(self, cap: int):
        self.cap = max(0, cap)
        self.buf = bytearray()
        self.dropped = 0

    def write(self, data: bytes) -> None:
        self.buf += data
        excess = len(self.buf) - self.cap
        if excess > 0:
            del self.buf[:excess]
            self.dropped += excess

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="ignore")  # a cut may split a character at the start


class TailHandler(logging.Handler):
    SECTIONS = (("platform", "platform log"), ("container", "container output"))

    def __init__(self, max_bytes: int):
        super().__init__(level=logging.INFO)
        self.max_bytes = max_bytes
        self.tails = {"platform": ByteTail(max_bytes // 2), "container": ByteTail(max_bytes - max_bytes // 2)}
        self.lock_ = threading.Lock()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.name == CONTAINER_LOGGER:
                self.add(record.getMessage(), "container")
            else:
                self.add(self.format(record))
        except Exception:  # a log line must never break a run
            pass

    def add(self, line: str, section: str = "platform") -> None:
        data = (line if line.endswith("\n") else line + "\n").encode("utf-8", errors="replace")
        with self.lock_:
            self.tails[section].write(data)

    def text(self) -> str:
        """The stored log: each non-empty section under a heading that says what was cut."""
        parts = []
        with self.lock_:
            for key, title in self.SECTIONS:
                tail = self.tails[key]
                if not tail.buf and not tail.dropped:
                    continue
                cut = f"; {tail.dropped} earlier bytes left out" if tail.dropped else ""
                parts.append(f"== {title} (last {tail.cap} bytes kept{cut}) ==\n{tail.text()}")
        return "\n".join(parts)

    def __enter__(self) -> "TailHandler":
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger().removeHandler(self)
