"""Unit tests of the accounts' parts that need no server: names, CSV cells, password hashes,
the rate limiter's stores."""
from __future__ import annotations

import re

import pytest

from core import rate_limits
from core.accounts import _hasher
from core.names import Rejected, clean_name, csv_cell, file_part, for_log
from core.settings import get_settings


@pytest.mark.parametrize("value, reason", [
    ("", "is empty"), ("   ", "is empty"), ("x" * 101, "use at most 100"),
    ("abc\u202Eexe", "U+202E"), ("a\u200Bb", "U+200B"), ("tab\there", "U+0009"), ("nul\x00", "U+0000")])
def test_names_refused_with_the_reason(value, reason):
    with pytest.raises(Rejected, match=re.escape(reason)):
        clean_name(value, "the team name")


def test_names_with_markup_and_formulas_are_kept_as_typed():
    for value in ("<b>x</b>", "=cmd|' /C calc'!A0", "Zoë 团队", "x" * 100):
        assert clean_name(f"  {value} ", "name") == value


def test_outputs_neutralise_user_strings():
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "ok", 3)] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)",
                                                                                 "ok", 3]
    assert for_log("a\nb\u202e") == "'a\\nb\\u202e'" and for_log("x" * 200).endswith("...")
    assert file_part('../../etc/"passwd"\r\n') == "etc_passwd" and file_part("...") == "x"


def test_passwords_are_argon2id():
    h = _hasher().hash("correct horse battery")
    assert h.startswith("$argon2id$") and _hasher().verify("correct horse battery", h)
    assert not _hasher().verify("wrong", h)


@pytest.fixture
def limits_env(monkeypatch):
    def use(**env):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        get_settings.cache_clear()
        rate_limits.reset_cache()
    yield use
    get_settings.cache_clear()
    rate_limits.reset_cache()


def test_memory_store_when_embedded(limits_env):
    limits_env(AISC_BROKER_URL="", AISC_RATE_LIMIT_SIGNIN="2/minute", AISC_RATE_LIMIT_REGISTER="")
    rate_limits.check("signin", "1.2.3.4")
    rate_limits.check("signin", "1.2.3.4")
    with pytest.raises(rate_limits.RateLimited, match=r"try again in \d+ s"):
        rate_limits.check("signin", "1.2.3.4")
    rate_limits.check("signin", "5.6.7.8")  # per address
    for _ in range(50):
        rate_limits.check("register", "1.2.3.4")  # "" = no limit


def test_requests_pass_when_redis_is_down(limits_env, caplog):
    limits_env(AISC_BROKER_URL="redis://127.0.0.1:1/0", AISC_RATE_LIMIT_SIGNIN="1/minute")
    rate_limits.check("signin", "x")
    rate_limits.check("signin", "x")
    assert "counter store is unavailable" in caplog.text
