"""A public/private split of the probes scored from the same predictions as the whole, on the
generated quick bundles (the pure scorer: what ``run_and_score`` calls after the container)."""
from __future__ import annotations

import hashlib
import json

import pytest
from sklearn.metrics import roc_auc_score

import evaluators.deepfake
from evaluators.common.errors import BundleError
from evaluators.common.parts import PRIVATE, PUBLIC, hash_split, parts_of
from evaluators.deepfake.bundle import load_bundle
from evaluators.deepfake.track import TRACK


def _unit(text: str) -> float:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def imperfect_predictions(bundle, path):
    """Per probe 0..5 same-method gallery images among its top 5 and a noisy novel_prob, both
    from a hash of the probe id: scores strictly between 0 and 1 that differ between probes."""
    by_method: dict[str, list[str]] = {}
    for g, m in sorted(bundle.gallery_labels.items()):
        by_method.setdefault(m, []).append(g)
    gallery = sorted(bundle.gallery_labels)
    lines = []
    for p, m in sorted(bundle.probe_labels.items()):
        k = int(_unit("hits:" + p) * 6) if m in by_method else 0
        same = by_method.get(m, [])[:k]
        ids = same + [g for g in gallery if bundle.gallery_labels[g] != m][:5 - len(same)]
        novel = 0.3 * (m in bundle.new_methods) + 0.7 * _unit("novel:" + p)
        lines.append(json.dumps({"probe": p, "top5": [{"gallery": g, "similarity": 1 - 0.1 * j}
                                                      for j, g in enumerate(ids)], "novel_prob": novel}))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_sample_strata_say_new_or_known(dataset):
    final = load_bundle(dataset / "phases" / "final")
    strata = TRACK.sample_strata(dataset / "phases" / "final")
    assert set(strata) == set(final.probe_labels)
    assert {p for p, s in strata.items() if s == "new"} == {
        p for p, m in final.probe_labels.items() if m in final.new_methods} != set()
    assert set(strata.values()) == {"new", "known"}
    # no new method in the bundle: every probe is known
    assert set(TRACK.sample_strata(dataset / "phases" / "preliminary").values()) == {"known"}


def _comparable(res) -> dict:
    d = res.to_dict()
    d["timings"] = sorted(d["timings"])
    d.pop("parts")
    return d


@pytest.mark.parametrize("kind, settings", [("final", {"phase_kind": "final", "subjective_score": 0.4}),
                                            ("evaluation", {"phase_kind": "evaluation"})])
def test_parts_from_the_same_predictions(dataset, tmp_path, kind, settings):
    bundle_dir = dataset / "phases" / kind
    bundle = load_bundle(bundle_dir)
    preds = imperfect_predictions(bundle, tmp_path / "p.jsonl")
    strata = TRACK.sample_strata(bundle_dir)
    parts = parts_of(sorted(strata), hash_split(strata, seed=2022, private_fraction=0.5))
    plain = evaluators.deepfake.score(preds, bundle_dir, settings, workdir=tmp_path / "plain")
    split = evaluators.deepfake.score(preds, bundle_dir, settings, workdir=tmp_path / "split", parts=parts)
    assert plain.parts == {}
    assert json.dumps(_comparable(split), sort_keys=True, default=str).replace("/split/", "/plain/") == \
        json.dumps(_comparable(plain), sort_keys=True, default=str)
    assert 0 < split.columns["precision@5"] < 1 and 0.5 < split.columns.get("auc", 0.9) < 1

    pub, priv = split.parts[PUBLIC], split.parts[PRIVATE]
    assert pub["n"] + priv["n"] == len(bundle.probe_labels) == split.details["probes"]
    assert list(pub["columns"]) == list(priv["columns"]) == list(split.columns)
    known = {p for p, s in strata.items() if s == "known"}
    k_pub, k_priv = len(known & set(parts[PUBLIC])), len(known & set(parts[PRIVATE]))
    # precision@5 is a mean over known probes: the whole is the known-count-weighted mean of the parts
    assert split.columns["precision@5"] == pytest.approx(
        (k_pub * pub["columns"]["precision@5"] + k_priv * priv["columns"]["precision@5"]) / (k_pub + k_priv),
        abs=1e-12)
    rows = {json.loads(line)["probe"]: json.loads(line) for line in preds.read_text().splitlines()}
    for part, ids in ((pub, parts[PUBLIC]), (priv, parts[PRIVATE])):
        hits = [sum(bundle.gallery_labels[t["gallery"]] == bundle.probe_labels[p] for t in rows[p]["top5"])
                for p in ids if p in known]
        assert part["columns"]["precision@5"] == pytest.approx(sum(hits) / (5 * len(hits)), abs=1e-12)
        if kind == "final":  # AUC of the part's probes, S_final as the whole has it
            auc = roc_auc_score([strata[p] == "new" for p in ids], [rows[p]["novel_prob"] for p in ids])
            assert part["columns"]["auc"] == pytest.approx(auc, abs=1e-12)
            assert part["columns"]["subjective"] == 0.4
            assert part["score"] == pytest.approx(0.6 * part["columns"]["precision@5"] + 0.3 * auc + 0.1 * 0.4)
        else:
            assert part["score"] == part["columns"]["precision@5"]


def test_bad_parts_are_refused(dataset, tmp_path):
    bundle_dir = dataset / "phases" / "final"
    bundle = load_bundle(bundle_dir)
    preds = imperfect_predictions(bundle, tmp_path / "p.jsonl")
    strata = TRACK.sample_strata(bundle_dir)
    known, new = sorted(p for p, s in strata.items() if s == "known"), sorted(p for p, s in strata.items() if s == "new")
    with pytest.raises(BundleError, match=r"not samples of the bundle, e\.g\. \['nope'\]"):
        evaluators.deepfake.score(preds, bundle_dir, {"phase_kind": "final"}, parts={PUBLIC: ["nope"], PRIVATE: known})
    # a split that ignores the strata: AUC is undefined on a part with no new-method probe
    with pytest.raises(BundleError, match="public part has no probe of a new method"):
        evaluators.deepfake.score(preds, bundle_dir, {"phase_kind": "final"},
                                  parts={PUBLIC: known[:3], PRIVATE: known[3:] + new})
    # the worker's run checks the split before it loads the image (no Docker needed to refuse it)
    from evaluators.deepfake.run import run_and_score

    with pytest.raises(BundleError, match="not samples of the bundle"):
        run_and_score(tmp_path / "never-read.tar", bundle_dir, {"phase_kind": "final"},
                      parts={PUBLIC: ["nope"], PRIVATE: known})
