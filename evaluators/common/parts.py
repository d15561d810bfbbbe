"""Public/private split of a phase's hidden samples (the Kaggle scheme).

A phase may split its bundle's samples (face pairs, driving scenes, deepfake probes) into a
``public`` part, shown on the leaderboard while the phase runs, and a ``private`` part, shown
only when the organizers reveal it. Every submission is scored on both parts in one run: the
track scores all samples once (evaluate) and then sums up each part's samples (accumulate), so
nothing in the run's timing, logs or pictures depends on which samples are private.

The split is fixed when the competition YAML loads (``core.competition``) and stored with the
phase as the list of private ids:

- ``hash_split``: per stratum (a track's grouping that both parts must cover, e.g. the kind of a
  driving scene or whether a deepfake probe is of a new method), the ids sorted by
  SHA-256 of ``"<seed>:<id>"``; the first ``round(private_fraction * n)`` are private. The
  same seed, fraction and ids give the same split on any machine.
- explicit id lists (``private_ids`` or ``public_ids``): checked against the bundle's ids.

A part's result (``Part``) holds only aggregate columns: a column that names one sample (a
driving ``scene:`` column) would tell a team which samples are in which part.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .errors import BundleError

PUBLIC, PRIVATE = "public", "private"
PART_NAMES = (PUBLIC, PRIVATE)


class SplitError(ValueError):
    """The split cannot be made on this bundle; the message says why and what to change."""


@dataclass
class Part:
    """One part's result: ``score`` ranks like ``Result.score``; ``columns`` are aggregate
    leaderboard columns only; ``n`` is the number of samples in the part."""
    score: float
    columns: dict[str, float] = field(default_factory=dict)
    n: int = 0

    def __post_init__(self) -> None:
        if not math.isfinite(self.score):
            raise ValueError(f"part score must be finite, got {self.score!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _key(seed: int, sample_id: str) -> str:
    return hashlib.sha256(f"{seed}:{sample_id}".encode()).hexdigest()


def hash_split(strata: Mapping[str, str], *, seed: int, private_fraction: float) -> frozenset[str]:
    """The private ids: per stratum, ``round(private_fraction * n)`` ids with the smallest
    SHA-256 of ``"<seed>:<id>"``. ``strata`` maps every sample id to its stratum ("" for one
    stratum). Raises SplitError when a part would miss a stratum or be empty."""
    if not 0.0 < private_fraction < 1.0:
        raise SplitError(f"private_fraction must be between 0 and 1 (exclusive), got {private_fraction}")
    by_stratum: dict[str, list[str]] = {}
    for sid, stratum in strata.items():
        by_stratum.setdefault(stratum, []).append(sid)
    private: set[str] = set()
    for stratum, ids in sorted(by_stratum.items()):
        k = round(private_fraction * len(ids))
        private.update(sorted(ids, key=lambda s: (_key(seed, s), s))[:k])
    check(strata, private)
    return frozenset(private)


def _unknown(ids: Iterable[str], known: Iterable[str] | Mapping[str, Any]) -> list[str]:
    """The ids that are not in ``known``, sorted."""
    return sorted({str(s) for s in ids if s not in known})


def _repeated(ids: Iterable[str]) -> list[str]:
    """The ids listed more than once, sorted."""
    return sorted(s for s, n in Counter(ids).items() if n > 1)


def id_split(strata: Mapping[str, str], *, private_ids: Iterable[str] | None = None,
             public_ids: Iterable[str] | None = None) -> frozenset[str]:
    """The private ids from an explicit list (exactly one of ``private_ids`` / ``public_ids``;
    the other part is the rest). Raises SplitError naming unknown or repeated ids."""
    if (private_ids is None) == (public_ids is None):
        raise SplitError("give exactly one of private_ids and public_ids")
    given = list(private_ids if private_ids is not None else public_ids)
    unknown = _unknown(given, strata)
    if unknown:
        raise SplitError(f"{len(unknown)} id(s) are not samples of the bundle, e.g. {unknown[:5]}")
    repeated = _repeated(given)
    if repeated:
        raise SplitError(f"id(s) listed twice: {repeated[:5]}")
    private = set(given) if private_ids is not None else set(strata) - set(given)
    check(strata, private)
    return frozenset(private)


def check(strata: Mapping[str, str], private: Iterable[str]) -> None:
    """Both parts non-empty, and each covering every stratum. Raises SplitError."""
    private = set(private)
    public = set(strata) - private
    if not private or not public:
        raise SplitError(f"the split leaves the {'private' if not private else 'public'} part empty "
                         f"({len(strata)} samples in all); change the fraction or the id list")
    for stratum in sorted(set(strata.values())):
        members = {s for s, st in strata.items() if st == stratum}
        for name, part in ((PRIVATE, private), (PUBLIC, public)):
            if not members & part:
                label = f"stratum {stratum!r}" if stratum else "the bundle"
                raise SplitError(f"the {name} part has no sample of {label} ({len(members)} samples); "
                                 "both parts need at least one of each, so that the same columns are scored "
                                 "on both")


def parts_of(ids: Sequence[str], private: Iterable[str]) -> dict[str, list[str]]:
    """``{"public": [...], "private": [...]}`` in the order of ``ids``."""
    private = set(private)
    return {PUBLIC: [s for s in ids if s not in private], PRIVATE: [s for s in ids if s in private]}


def checked_parts(parts: Mapping[str, Sequence[str]], known: Iterable[str]) -> dict[str, list[str]]:
    """A track's ``run(parts=...)`` argument checked against the ids of the samples the track
    knows in its bundle (``known``): exactly the keys ``public`` and ``private``, each a
    non-empty list, every id a known sample, no id listed twice. Returns
    ``{"public": [ids], "private": [ids]}`` in the given order. Raises BundleError (the phase's
    stored split does not fit its bundle: re-split the phase against this bundle)."""
    if not isinstance(parts, Mapping) or set(parts) != set(PART_NAMES):
        got = sorted(parts) if isinstance(parts, Mapping) else type(parts).__name__
        raise BundleError(f"parts must map exactly {list(PART_NAMES)} to lists of sample ids, got {got}")
    known = set(known)
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for name in PART_NAMES:
        ids = parts[name]
        if isinstance(ids, (str, bytes)) or not isinstance(ids, Sequence):
            raise BundleError(f"parts[{name!r}] must be a list of sample ids, got {type(ids).__name__}")
        ids = list(ids)
        if not ids:
            raise BundleError(f"the {name} part is empty; a split needs samples in both parts")
        unknown = _unknown(ids, known)
        if unknown:
            raise BundleError(f"the {name} part names {len(unknown)} id(s) that are not samples of the bundle, "
                              f"e.g. {unknown[:5]}; the split was made for another bundle: split the phase again")
        twice = sorted({*_repeated(ids), *(seen & set(ids))})
        if twice:
            raise BundleError(f"sample id(s) listed twice in the parts: {twice[:5]}; each sample belongs to one part")
        seen.update(ids)
        out[name] = ids
    return out
