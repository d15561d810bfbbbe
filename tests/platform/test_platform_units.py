"""Small pure functions of the platform."""
from __future__ import annotations

import logging

import numpy as np

from core.submissions import safe_filename
from workers.execution import _jsonable
from workers.logtail import TailHandler


def test_result_details_become_plain_json():
    out = _jsonable({"a": np.float32(0.5), "b": np.int64(3), "c": np.arange(3), 4: float("nan"),
                     "d": (1.0, float("inf")), "e": object})
    assert out == {"a": 0.5, "b": 3, "c": [0, 1, 2], "4": None, "d": [1.0, None], "e": "<class 'object'>"}


def test_safe_filename():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("my sub (1).zip") == "my_sub_1_.zip"
    assert safe_filename("...") == "upload" and safe_filename("") == "upload"
    assert len(safe_filename("a" * 500 + ".zip")) == 100


def test_log_tail_keeps_the_last_bytes():
    tail = TailHandler(max_bytes=400)
    logger = logging.getLogger("tail-test")
    logger.setLevel(logging.INFO)
    with tail:
        for i in range(100):
            logger.info("line %03d", i)
    text = tail.text()
    body = text.split("==\n", 1)[1]
    assert len(body.encode()) <= 200 and "line 099" in text and "line 000" not in text
    assert text.startswith("== platform log (last 200 bytes kept; ") and "earlier bytes left out) ==" in text


def test_a_long_container_output_keeps_its_end_after_a_short_line():
    """The container's output arrives as one big record; a short platform line after it must not
    evict it: the container section keeps its last bytes (cut inside the record) with a marker."""
    from workers.logtail import CONTAINER_LOGGER

    tail = TailHandler(max_bytes=32 * 1024)
    output = "".join(f"step {i:05d} ok\n" for i in range(2700)) + "Traceback (most recent call last):\nValueError: boom\n"
    assert len(output) > 36_000
    platform_log = logging.getLogger("tail-test.execution")
    platform_log.setLevel(logging.INFO)
    with tail:
        logging.getLogger(CONTAINER_LOGGER).info("%s", output)
        platform_log.info("run finished: user")
    text = tail.text()
    assert "run finished: user" in text and "ValueError: boom" in text and "step 02699 ok" in text
    container = text.split("== container output", 1)[1]
    kept = container.split("==\n", 1)[1]
    assert len(kept.encode()) == 16 * 1024
    dropped = len(output.encode()) - 16 * 1024  # the record ends with a newline: stored as it is
    assert f"{dropped} earlier bytes left out" in container
    assert text.index("== platform log") < text.index("== container output")


def test_non_finite_columns_are_dropped():
    from workers.execution import _finite

    assert _finite({"model:a": np.float32(0.25), "model:b": float("nan"), 3: 1}) == {"model:a": 0.25, "3": 1.0}
