"""checked_parts: the one check of a track's ``run(parts=...)`` argument against its bundle's ids."""
from __future__ import annotations

import pytest

from evaluators.common.errors import BundleError
from evaluators.common.parts import PRIVATE, PUBLIC, checked_parts, hash_split, parts_of

IDS = [f"s{i:02d}" for i in range(10)]


def test_a_split_of_the_bundle_passes_in_order():
    parts = parts_of(IDS, hash_split({i: "" for i in IDS}, seed=3, private_fraction=0.3))
    out = checked_parts({PUBLIC: tuple(parts[PUBLIC]), PRIVATE: parts[PRIVATE]}, IDS)
    assert out == parts and sorted(out[PUBLIC] + out[PRIVATE]) == IDS


@pytest.mark.parametrize("parts, message", [
    ({PUBLIC: ["s00", "nope"], PRIVATE: ["s01"]}, r"public part names 1 id\(s\) that are not samples .*\['nope'\]"),
    ({PUBLIC: ["s00"], PRIVATE: ["s00", "s01"]}, r"listed twice in the parts: \['s00'\]"),
    ({PUBLIC: ["s00", "s00"], PRIVATE: ["s01"]}, r"listed twice in the parts: \['s00'\]"),
    ({PUBLIC: ["s00"], PRIVATE: []}, "the private part is empty"),
    ({PUBLIC: ["s00"]}, r"exactly \['public', 'private'\]"),
    ({PUBLIC: "s00", PRIVATE: ["s01"]}, "must be a list of sample ids, got str"),
])
def test_bad_parts_say_what_is_wrong(parts, message):
    with pytest.raises(BundleError, match=message):
        checked_parts(parts, IDS)
