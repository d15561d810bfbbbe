"""A public/private split of the scenes scored in the same run as the whole: a generated bundle
of two truck and two mannequin scenes, the real YOLOX-nano detector at two confidence
thresholds (two models that disagree)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from authoring.driving.baselines import write_rgba
from evaluators.common.errors import BundleError
from evaluators.common.parts import PRIVATE, PUBLIC, hash_split, parts_of
from evaluators.driving.submission import PATCH_H, PATCH_W
from evaluators.driving.track import TRACK

MIX = {"truck": 0.8, "mannequin": 0.2}
PLAN = [("truck_01", "truck", 1000, 4), ("truck_02", "truck", 1001, 4),
        ("mannequin_01", "mannequin", 1050, 4), ("mannequin_02", "mannequin", 1051, 4)]


@pytest.fixture(scope="module")
def split_bundle(tmp_path_factory):
    from authoring.driving.scenegen.build import build_scene_bundle

    return build_scene_bundle(tmp_path_factory.mktemp("split") / "hidden", PLAN, public=False, name="split")


@pytest.fixture(scope="module")
def two_models(yolox_model_set, tmp_path_factory):
    spec = json.loads(yolox_model_set.read_text())
    (m,) = spec["models"]
    spec["models"] = [dict(m, name="loose", conf=0.25), dict(m, name="strict", conf=0.6)]
    p = tmp_path_factory.mktemp("ms") / "model_set.json"
    p.write_text(json.dumps(spec))
    return str(p)


def _patch(path, regions=1):
    m = np.zeros((PATCH_H, PATCH_W), bool)
    for k in range(regions):
        m[100:700, 250 * k: 250 * k + 200] = True
    return write_rgba(path, np.full((PATCH_H, PATCH_W, 3), 90, np.uint8), m)


def _split(bundle, seed=5):
    strata = TRACK.sample_strata(bundle)
    return parts_of(list(strata), hash_split(strata, seed=seed, private_fraction=0.5))


def test_sample_strata_are_the_scenes_and_their_kinds(split_bundle):
    assert TRACK.sample_strata(split_bundle) == {name: kind for name, kind, _, _ in PLAN}


def _comparable(res) -> dict:
    d = res.to_dict()
    d["timings"] = sorted(d["timings"])  # measured seconds; the stages must be the same
    d.pop("parts")
    return d


def test_parts_from_the_same_run(split_bundle, two_models, tmp_path):
    settings = {"model_set": two_models, "final_mix": MIX}
    patch = _patch(tmp_path / "patch.png")
    parts = _split(split_bundle)
    plain = TRACK.run(patch, split_bundle, settings, workdir=tmp_path / "plain")
    split = TRACK.run(patch, split_bundle, settings, workdir=tmp_path / "split", parts=parts)
    assert plain.parts == {} and split.valid
    assert json.dumps(_comparable(split), sort_keys=True) == json.dumps(_comparable(plain), sort_keys=True)
    for name in split.artifacts.values():  # the pictures name scenes, never a part, and are the same
        assert (tmp_path / "split" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()

    pub, priv = split.parts[PUBLIC], split.parts[PRIVATE]
    kinds = dict(TRACK.sample_strata(split_bundle))
    assert (pub["n"], priv["n"]) == (2, 2) and pub["n"] + priv["n"] == len(split.details["scenes"])
    # aggregate columns only, the same on both parts: the whole's without the scene columns
    assert list(pub["columns"]) == list(priv["columns"]) == [k for k in split.columns if not k.startswith("scene:")]
    assert {"kind:truck", "kind:mannequin", "area"} <= set(pub["columns"])
    counts = split.details["counts"]
    undetected = {m: {s: float(np.mean(np.asarray(c) == 0)) for s, c in per.items()} for m, per in counts.items()}
    for m, per in undetected.items():
        # each part's model column recounted from the per-frame counts of its scenes
        for part, ids in ((pub, parts[PUBLIC]), (priv, parts[PRIVATE])):
            assert part["columns"][f"model:{m}"] == pytest.approx(np.mean([per[s] for s in ids]), abs=1e-12)
        # the model columns weigh scenes equally: the whole is the scene-count-weighted mean of the parts
        assert split.columns[f"model:{m}"] == pytest.approx(
            (pub["n"] * pub["columns"][f"model:{m}"] + priv["n"] * priv["columns"][f"model:{m}"]) / 4, abs=1e-12)
    area_term = 0.2 * split.columns["area"]
    for kind in MIX:  # within a kind, the attack term weighs that kind's scenes equally
        n_pub = sum(kinds[s] == kind for s in parts[PUBLIC])
        n_priv = sum(kinds[s] == kind for s in parts[PRIVATE])
        whole = (split.columns[f"kind:{kind}"] - area_term) * (n_pub + n_priv)
        assert whole == pytest.approx(n_pub * (pub["columns"][f"kind:{kind}"] - area_term)
                                      + n_priv * (priv["columns"][f"kind:{kind}"] - area_term), abs=1e-12)
    for part in (pub, priv):
        assert part["columns"]["area"] == split.columns["area"]
        assert part["score"] == pytest.approx(sum(w * part["columns"][f"kind:{k}"] for k, w in MIX.items()))


def test_unknown_scene_in_parts_is_refused(split_bundle, two_models, tmp_path):
    parts = _split(split_bundle)
    parts[PRIVATE].append("truck_99")
    for regions in (1, 6):  # scored and void alike
        with pytest.raises(BundleError, match=r"not samples of the bundle, e\.g\. \['truck_99'\]"):
            TRACK.run(_patch(tmp_path / f"p{regions}.png", regions), split_bundle, {"model_set": two_models},
                      parts=parts)


def test_void_submission_scores_zero_on_each_part_of_the_phase_kinds(split_bundle, two_models, tmp_path):
    parts = _split(split_bundle)
    res = TRACK.run(_patch(tmp_path / "p.png", 6), split_bundle, {"model_set": two_models, "kinds": ["truck"]},
                    parts=parts)
    assert not res.valid and res.score == 0.0
    trucks = {s for s, k in TRACK.sample_strata(split_bundle).items() if k == "truck"}
    for name in (PUBLIC, PRIVATE):  # a truck-only phase counts only the trucks of each part
        assert res.parts[name] == {"score": 0.0, "columns": {"area": res.columns["area"]},
                                   "n": len(trucks & set(parts[name]))}
