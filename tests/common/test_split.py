"""The public/private split (evaluators.common.parts, core.phase_split): exact per-stratum
fractions, independence from input order, seeds, explicit lists and their errors, and the
stored parts' totals."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.phase_split import SplitSpec, stored_parts
from evaluators.common.parts import SplitError, check, hash_split, id_split, parts_of

ids_strata = st.dictionaries(st.text("abcdef0123456789", min_size=1, max_size=8),
                             st.sampled_from(["", "x"]), min_size=4, max_size=60)


@settings(max_examples=150, deadline=None)
@given(strata=ids_strata, fraction=st.floats(0.05, 0.95), seed=st.integers(0, 2**31))
def test_hash_split_takes_the_fraction_of_each_stratum_whatever_the_order(strata, fraction, seed):
    try:
        private = hash_split(strata, seed=seed, private_fraction=fraction)
    except SplitError as e:  # only when a part would miss a stratum or be empty
        counts = {s: sum(1 for v in strata.values() if v == s) for s in set(strata.values())}
        assert any(round(fraction * n) in (0, n) for n in counts.values()), (counts, str(e))
        return
    for stratum in set(strata.values()):
        members = [i for i, s in strata.items() if s == stratum]
        assert sum(1 for i in members if i in private) == round(fraction * len(members))
    reordered = dict(reversed(list(strata.items())))
    assert hash_split(reordered, seed=seed, private_fraction=fraction) == private


def test_seeds_change_the_split_and_a_seed_reproduces_it():
    strata = {f"{i:04d}": "" for i in range(200)}
    a = hash_split(strata, seed=1, private_fraction=0.5)
    assert hash_split(strata, seed=1, private_fraction=0.5) == a
    assert hash_split(strata, seed=2, private_fraction=0.5) != a
    assert len(a) == 100


def test_explicit_lists_and_their_errors():
    strata = {"p1": "k", "p2": "k", "p3": "n", "p4": "n"}
    assert id_split(strata, private_ids=["p1", "p3"]) == {"p1", "p3"}
    assert id_split(strata, public_ids=["p1", "p3"]) == {"p2", "p4"}
    with pytest.raises(SplitError, match="not samples of the bundle"):
        id_split(strata, private_ids=["p1", "zz"])
    with pytest.raises(SplitError, match="listed twice"):
        id_split(strata, private_ids=["p1", "p1", "p3"])
    with pytest.raises(SplitError, match="no sample of stratum 'n'"):
        id_split(strata, private_ids=["p1"])
    with pytest.raises(SplitError, match="exactly one"):
        id_split(strata)
    with pytest.raises(SplitError, match="public part empty"):
        check(strata, strata)


def test_parts_keep_the_bundle_order():
    assert parts_of(["c", "a", "b", "d"], {"b", "c"}) == {"public": ["a", "d"], "private": ["c", "b"]}


def test_the_yaml_form_takes_exactly_one_way():
    assert SplitSpec(private_fraction=0.3).seed == 0
    for bad in ({}, {"private_fraction": 0.3, "public_ids": ["a"]}, {"private_ids": ["a"], "public_ids": ["b"]}):
        with pytest.raises(ValueError, match="exactly one"):
            SplitSpec(**bad)


def test_stored_parts_add_the_subjective_score_like_the_whole():
    parts = {"public": {"score": 0.5, "columns": {"auc": 0.7}, "n": 3},
             "private": {"score": 0.25, "columns": {"auc": 0.6}, "n": 2}}
    out = stored_parts(parts, 0.5, 0.1)
    assert out["public"]["total"] == pytest.approx(0.55) and out["private"]["total"] == pytest.approx(0.3)
    assert stored_parts(parts, None, 0.1)["private"]["total"] == pytest.approx(0.25)
    from core.tracks import BundleError

    with pytest.raises(BundleError, match="no private part"):
        stored_parts({"public": parts["public"]}, None, 0.0)
