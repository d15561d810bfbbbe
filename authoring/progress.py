"""Progress of long work (demo builds, training, bundle builders) for a person watching.

``StageProgress(name)`` is a ``Progress`` callable, ``(stage, percent) -> None``: on a terminal
it draws a tqdm bar per stage; otherwise (a log file, CI, a pipe) it prints plain lines, at most
one every ``every_s`` seconds or 10 percent per stage, each with the stage, the percent, the time
spent and an estimate of the time left. Output goes to stderr, so stdout stays for results.
"""
from __future__ import annotations

import sys
import time
from typing import IO, Optional


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


class StageProgress:
    def __init__(self, name: str, *, stream: Optional[IO[str]] = None, every_s: float = 15.0,
                 tty: Optional[bool] = None):
        self.name = name
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self.tty = self.stream.isatty() if tty is None else tty
        self.stage: Optional[str] = None
        self.started = 0.0
        self.last_line = (-1.0, 0.0)  # (percent, time) of the last plain line
        self.bar = None

    def __call__(self, stage: str, percent: float) -> None:
        now = time.monotonic()
        percent = max(0.0, min(100.0, float(percent)))
        if stage != self.stage:
            self._close()
            self.stage, self.started, self.last_line = stage, now, (-1.0, 0.0)
            if self.tty:
                from tqdm import tqdm

                self.bar = tqdm(total=100, desc=f"[{self.name}] {stage}", file=self.stream, leave=True,
                                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")
        if self.bar is not None:
            self.bar.n = percent
            self.bar.refresh()
            if percent >= 100:
                self._close()
            return
        last_pct, last_t = self.last_line
        if percent >= 100 or last_pct < 0 or percent - last_pct >= 10 or now - last_t >= self.every_s:
            self.last_line = (percent, now)
            self.stream.write(self.line(stage, percent, now - self.started) + "\n")
            self.stream.flush()

    @staticmethod
    def left(percent: float, elapsed: float) -> Optional[float]:
        """Seconds left at a constant rate; None before there is anything to go by."""
        return None if percent <= 0 or elapsed <= 0 else elapsed * (100.0 - percent) / percent

    def line(self, stage: str, percent: float, elapsed: float) -> str:
        left = self.left(percent, elapsed)
        tail = "done" if percent >= 100 else ("time left unknown" if left is None else f"about {_clock(left)} left")
        return f"[{self.name}] {stage}: {percent:3.0f}% ({_clock(elapsed)} spent, {tail})"

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
