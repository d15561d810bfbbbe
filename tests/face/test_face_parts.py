"""A public/private split scored in the same run as the whole (quick demo, real models)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluators.common.errors import BundleError
from evaluators.common.parts import PRIVATE, PUBLIC, hash_split, parts_of
from evaluators.face.bundle import load_face_bundle
from evaluators.face.track import TRACK


def test_sample_strata_are_the_bundle_pairs(phase):
    bundle_dir, _ = phase
    strata = TRACK.sample_strata(bundle_dir)
    bundle = load_face_bundle(bundle_dir)
    assert list(strata) == bundle.ids and len(strata) == bundle.n_pairs
    assert set(strata.values()) == {""}


def _comparable(res) -> dict:
    """The result without what is measured (seconds), warmed (embeddings the cache lacked) or
    placed (the workdir of the pictures)."""
    d = res.to_dict()
    d["timings"] = sorted(d["timings"])
    d["artifacts"] = {k: Path(v).name for k, v in d["artifacts"].items()}
    d["details"] = {k: v for k, v in d["details"].items() if k != "target_embeddings_computed"}
    d.pop("parts")
    return d


def test_parts_from_the_same_run(face_demo, phase, with_liveness, tmp_path):
    bundle_dir, _ = phase
    settings = dict(with_liveness, liveness_in_total=True)
    z = Path(face_demo["baselines"]["naive_patch"])
    strata = TRACK.sample_strata(bundle_dir)
    parts = parts_of(list(strata), hash_split(strata, seed=11, private_fraction=0.5))
    plain = TRACK.run(z, bundle_dir, settings, workdir=tmp_path / "plain")
    split = TRACK.run(z, bundle_dir, settings, workdir=tmp_path / "split", parts=parts)
    # the whole is what it is without parts, the picture included
    assert plain.parts == {}
    assert json.dumps(_comparable(split), sort_keys=True) == json.dumps(_comparable(plain), sort_keys=True)
    assert Path(split.artifacts["samples"]).read_bytes() == Path(plain.artifacts["samples"]).read_bytes()

    pub, priv = split.parts[PUBLIC], split.parts[PRIVATE]
    n = split.details["n_pairs"]
    assert (pub["n"], priv["n"]) == (len(parts[PUBLIC]), len(parts[PRIVATE])) and pub["n"] + priv["n"] == n
    # aggregate columns only, the same keys on both parts and the whole
    assert list(pub["columns"]) == list(priv["columns"]) == list(split.columns)
    assert any(k.startswith("live:") for k in pub["columns"])
    # each part's column recounted from the per-sample records of its pairs
    samples = {r["id"]: r for r in split.details["samples"]}
    models = list(split.details["thresholds"])
    for part, ids in ((pub, parts[PUBLIC]), (priv, parts[PRIVATE])):
        for m in models:
            won = [samples[i]["valid"] and samples[i]["models"][m]["verified"]
                   and all(v["live"] for v in samples[i]["liveness"].values()) for i in ids]
            assert part["columns"][f"model:{m}"] == sum(won) / len(ids)
        assert part["score"] == pytest.approx(sum(part["columns"][f"model:{m}"] for m in models) / len(models))
    # every column and the score are averages over pairs: the whole is the size-weighted mean of the parts
    for key, whole in [*split.columns.items(), ("score", split.score)]:
        p, q = (pub["columns"].get(key, pub["score"]), priv["columns"].get(key, priv["score"]))
        assert whole == pytest.approx((pub["n"] * p + priv["n"] * q) / n, abs=1e-12), key


def test_unknown_ids_in_parts_are_refused(face_demo, phase):
    bundle_dir, settings = phase
    z = Path(face_demo["baselines"]["unchanged"])
    ids = TRACK.sample_strata(bundle_dir)
    with pytest.raises(BundleError, match=r"not samples of the bundle, e\.g\. \['9999'\]"):
        TRACK.run(z, bundle_dir, settings, parts={PUBLIC: ["9999", *list(ids)[:2]], PRIVATE: list(ids)[2:]})
    with pytest.raises(BundleError, match="listed twice"):
        TRACK.run(z, bundle_dir, settings, parts={PUBLIC: list(ids)[:3], PRIVATE: list(ids)[2:]})
