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
    tail = TailHandler(max_bytes=200)
    logger = logging.getLogger("tail-test")
    logger.setLevel(logging.INFO)
    with tail:
        for i in range(100):
            logger.info("line %03d", i)
    text = tail.text()
    assert len(text) <= 200 and "line 099" in text and "line 000" not in text


def test_non_finite_columns_are_dropped():
    from workers.execution import _finite

    assert _finite({"model:a": np.float32(0.25), "model:b": float("nan"), 3: 1}) == {"model:a": 0.25, "3": 1.0}
