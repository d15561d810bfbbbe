"""Progress lines for long work: stage, percent, time spent and left, plain when not a terminal."""
from __future__ import annotations

import io

from authoring.progress import StageProgress


def test_time_left_at_a_constant_rate():
    assert StageProgress.left(25.0, 60.0) == 180.0
    assert StageProgress.left(0.0, 60.0) is None and StageProgress.left(50.0, 0.0) is None


def test_plain_lines_every_ten_percent_and_at_each_stage_change(monkeypatch):
    clock = iter(float(t) for t in range(1000))
    monkeypatch.setattr("authoring.progress.time.monotonic", lambda: next(clock))
    out = io.StringIO()
    report = StageProgress("demo", stream=out, tty=False, every_s=1e9)
    for pct in range(0, 101, 2):
        report("training yolov8n", pct)
    report("clean-frame detection rate", 0)
    lines = out.getvalue().splitlines()
    assert lines[0] == "[demo] training yolov8n:   0% (0s spent, time left unknown)"
    assert [line.split(":")[1].split("%")[0].strip() for line in lines[:-1]] == [str(p) for p in range(0, 101, 10)]
    assert lines[5] == "[demo] training yolov8n:  50% (25s spent, about 25s left)"
    assert lines[-2].endswith("(50s spent, done)")
    assert lines[-1].startswith("[demo] clean-frame detection rate:   0%")


def test_a_terminal_gets_a_bar():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    out = Tty()
    report = StageProgress("demo", stream=out)
    report("scenes", 50)
    report("scenes", 100)
    assert "[demo] scenes" in out.getvalue() and "100%" in out.getvalue()
