"""The Deep Dream attack on a few real pairs with a small iteration budget."""
from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from io import BytesIO

import numpy as np
import pytest
import torch
from PIL import Image

from evaluators.common.manifest import write_manifest
from reference_solutions.face.budget import check_budget
from reference_solutions.face.deep_dream import DeepDreamConfig, dynamic_weights, ensemble_cosines, run_deep_dream, to_tensor
from reference_solutions.face.generate import generate_submission
from reference_solutions.face.surrogates import load_surrogate

SMALL = DeepDreamConfig(iterations=8, saliency_samples=2, si_copies=1, batch_size=3, seed=7)


def _pairs(faces):
    # impersonation: three faces of different people, each to look like the next one
    idx = [0, 1, 2]
    return faces[idx], faces[[1, 2, 3]]


def test_dynamic_weights_favour_the_least_fooled_model():
    cos = torch.tensor([[0.9, 0.2], [0.1, 0.2]])
    w = dynamic_weights(cos)
    assert torch.allclose(w.sum(0), torch.ones(2))
    assert w[1, 0] > w[0, 0] and torch.isclose(w[0, 1], w[1, 1])


@pytest.fixture(scope="module")
def attacked(faces):
    models = [load_surrogate("mobilefacenet"), load_surrogate("facenet")]
    originals, compares = _pairs(faces)
    adv, masks, logs = run_deep_dream(models, originals, compares, SMALL)
    return models, originals, compares, adv, masks, logs


def test_attack_raises_surrogate_similarity(attacked):
    models, originals, compares, adv, _, _ = attacked
    with torch.no_grad():
        targets = [m(to_tensor(compares)) for m in models]
        before = ensemble_cosines(models, to_tensor(originals), targets)
        after = ensemble_cosines(models, to_tensor(adv), targets)
    gain = after - before
    assert (gain > 0.1).all(), f"cosine gain per model x pair:\n{gain}"


def test_every_sample_within_budget(attacked):
    _, originals, _, adv, masks, _ = attacked
    assert adv.dtype == np.uint8 and adv.shape == originals.shape
    for o, a, m in zip(originals, adv, masks):
        check = check_budget(o, a)
        assert check.ok, check
        assert np.array_equal(np.any(o != a, axis=-1), m)


def test_attack_is_deterministic(faces):
    models = [load_surrogate("mobilefacenet")]
    cfg = DeepDreamConfig(iterations=3, saliency_samples=1, seed=3)
    a1 = run_deep_dream(models, faces[:1], faces[1:2], cfg)[0]
    a2 = run_deep_dream(models, faces[:1], faces[1:2], cfg)[0]
    assert np.array_equal(a1, a2)


def test_generate_writes_a_scorer_format_submission(faces, tmp_path):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    originals, compares = _pairs(faces)
    names = []
    for j, (o, c) in enumerate(zip(originals[:2], compares[:2]), 1):
        Image.fromarray(o).save(bundle / f"{j:04d}.png")
        Image.fromarray(c).save(bundle / f"{j:04d}_compare.png")
        names += [f"{j:04d}.png", f"{j:04d}_compare.png"]
    write_manifest(bundle, "face", names, labels={"hidden": True})
    out = tmp_path / "sub.zip"
    report = generate_submission(bundle, out, config=DeepDreamConfig(iterations=2, saliency_samples=1),
                                 models=["mobilefacenet"])
    assert report["surrogates_seen"] == ["mobilefacenet"] and report["pairs"] == 2 and report["device"] == "cpu"
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["0001.png", "0002.png"]
        for j, name in enumerate(zf.namelist()):
            with Image.open(BytesIO(zf.read(name))) as im:
                assert im.mode == "RGB" and im.size == (112, 112)
                assert check_budget(originals[j], np.asarray(im)).ok
    assert json.loads(out.with_suffix(".json").read_text())["samples"][0]["pixels"] <= 1254
    assert out.with_suffix(".png").is_file()


def test_meta_attack_raises_similarity_within_budget(faces):
    from reference_solutions.face.meta_attack import run_meta_attack

    models = [load_surrogate("mobilefacenet"), load_surrogate("facenet")]
    originals, compares = faces[:2], faces[[2, 3]]
    cfg = DeepDreamConfig(iterations=6, saliency_samples=1, si_copies=1, seed=5)
    adv, _, logs = run_meta_attack(models, originals, compares, cfg)
    for o, a, log in zip(originals, adv, logs):
        assert check_budget(o, a, connectivity=4).ok
        gains = [log["end_cos"][k] - log["start_cos"][k] for k in log["start_cos"]]
        assert min(gains) > 0.05, log


class _RowWise(torch.nn.Module):
    """A surrogate whose embedding of a row depends on that row alone, computed row by row: its
    outputs cannot depend on the batch size, so any batch dependence left is in the random draws."""

    def __init__(self, seed: int):
        super().__init__()
        self.name = f"rowwise{seed}"
        g = torch.Generator().manual_seed(seed)
        self.spatial = torch.nn.Parameter(torch.randn(3, 112, 112, generator=g))  # position-sensitive, so
        self.w = torch.nn.Parameter(torch.randn(3, 8, generator=g))  # the shifts and resizes matter

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = [torch.nn.functional.normalize(((xi / 255.0) * self.spatial).sum((1, 2)) @ self.w, dim=0) for xi in x]
        return torch.stack(rows)


@pytest.mark.parametrize("method", ["deep_dream", "meta_attack"])
def test_batch_size_does_not_change_a_pairs_random_draws(faces, method):
    """Each pair draws from a generator of its own (seed, pair index): batches of 1 and of 3 run
    the same attack, to the byte, when the surrogates are row-wise."""
    from reference_solutions.face.generate import METHODS

    models = [_RowWise(1), _RowWise(2)]
    originals, compares = faces[:3], faces[[1, 2, 3]]
    cfg = DeepDreamConfig(iterations=4, saliency_samples=2, si_copies=2, seed=11)
    one = METHODS[method](models, originals, compares, replace(cfg, batch_size=1))
    three = METHODS[method](models, originals, compares, replace(cfg, batch_size=3))
    assert np.array_equal(one[0], three[0]) and np.array_equal(one[1], three[1])
    # and the draws do depend on the pair: another seed moves the result
    other = METHODS[method](models, originals, compares, replace(cfg, batch_size=3, seed=12))
    assert not np.array_equal(other[0], three[0])


def test_transform_chain_draws_per_pair():
    from reference_solutions.face.deep_dream import pair_generators, transform_chain

    x = torch.rand(4, 3, 112, 112, generator=torch.Generator().manual_seed(0)) * 255
    cfg = DeepDreamConfig(si_copies=2, di_prob=1.0)
    batched, copies = transform_chain(x, cfg, pair_generators(5, 0, 4))
    assert copies == 2 and batched.shape == (8, 3, 112, 112)
    for j in range(4):
        alone, _ = transform_chain(x[j:j + 1], cfg, pair_generators(5, j, 1))
        assert torch.equal(batched[j], alone[0]) and torch.equal(batched[4 + j], alone[1])  # copy-major
    with pytest.raises(ValueError, match="3 generators for a batch of 4"):
        transform_chain(x, cfg, pair_generators(5, 0, 3))
