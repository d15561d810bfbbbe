"""Units of the deepfake reference methods: the pseudo-label loop, LOF / fusion / entropy on
hand-made numbers, the numpy forward pass against torch, the deterministic model file."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from reference_solutions.deepfake.app.forward import forward, normalise
from reference_solutions.deepfake.app.novelty import (entropy_novelty, fuse, knn_distance, knn_reference, lof,
                                                      lof_reference, robust_z)
from reference_solutions.deepfake.image import npz_bytes
from reference_solutions.deepfake.nets import EmbeddingNet, export
from reference_solutions.deepfake.pseudo_labels import (choose_extra, label_change, pseudo_label_loop,
                                                        semi_supervised_kmeans)


def _loop(label_sequence, max_rounds):
    trained_on = []

    def train_round(labels, r):
        trained_on.append(None if labels is None else labels.copy())
        return r

    def relabel(model, r):
        return np.array(label_sequence[min(r, len(label_sequence) - 1)]), {}

    _model, res = pseudo_label_loop(train_round, relabel, max_rounds)
    return res, trained_on


def test_loop_stops_when_labels_are_stable():
    seq = [[0, 0, 1, 2], [0, 1, 1, 2], [1, 0, 0, 2], [9, 9, 9, 9]]  # round 2 = round 1 up to renaming
    res, trained_on = _loop(seq, max_rounds=10)
    assert res.stable
    assert [r["change"] for r in res.rounds] == [1.0, 0.25, 0.0]
    assert len(trained_on) == 3 and trained_on[0] is None
    np.testing.assert_array_equal(res.labels, seq[1])  # the labels the last model was trained on


def test_loop_gives_up_after_max_rounds_when_labels_keep_changing():
    seq = [[0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1]]
    res, trained_on = _loop(seq, max_rounds=4)
    assert not res.stable and len(res.rounds) == 4 and len(trained_on) == 4
    np.testing.assert_array_equal(res.labels, seq[2])


def test_label_change_ignores_renaming():
    assert label_change(np.array([0, 0, 1, 1, 2]), np.array([5, 5, 3, 3, 4])) == 0.0
    assert label_change(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])) == pytest.approx(0.25)


def _blobs(centres, n, rng, spread=0.05):
    pts = np.concatenate([c + spread * rng.standard_normal((n, len(c))) for c in centres])
    return pts, np.repeat(np.arange(len(centres)), n)


def test_semi_supervised_kmeans_finds_the_unlabelled_cluster():
    rng = np.random.default_rng(0)
    eye = np.eye(4)
    z_lab, y_lab = _blobs(eye[:2], 10, rng)                    # two known methods
    z_unl, truth = _blobs(eye[[0, 1, 2, 3]], 6, rng)           # plus two hidden ones, unlabelled
    k, labels, info = choose_extra(z_lab, y_lab, 2, z_unl, seed=0, k_max=4)
    assert k == 2 and info["mad_outliers"] == 12, info
    assert label_change(truth, labels) == 0.0
    np.testing.assert_array_equal(labels[truth < 2], truth[truth < 2])  # known ones keep their class
    forced = semi_supervised_kmeans(z_lab, y_lab, 2, z_unl, 0, seed=0)
    assert set(forced) <= {0, 1}
    k, labels, info = choose_extra(z_lab, y_lab, 2, z_unl[truth < 2], seed=0)  # nothing new
    assert k == 0 and info["mad_outliers"] < 4
    np.testing.assert_array_equal(labels, truth[truth < 2])


def test_lof_by_hand_on_a_line():
    ref = np.array([0.0, 1.0, 2.0, 3.0])
    d_rr = np.abs(ref[:, None] - ref[None, :])
    q = np.array([10.0, 1.5])
    d_qr = np.abs(q[:, None] - ref[None, :])
    # every reference point has lrd 2/3; the query at 10 has reach distances 7 and 8 -> lrd 1/7.5
    np.testing.assert_allclose(lof(d_qr, d_rr, 2), [(2 / 3) * 7.5, 2 / 3], rtol=1e-9)
    np.testing.assert_allclose(lof_reference(d_rr, 2), [1.0, 1.0, 1.0, 1.0], rtol=1e-9)


def test_lof_matches_sklearn():
    from sklearn.neighbors import LocalOutlierFactor

    rng = np.random.default_rng(3)
    ref = rng.standard_normal((40, 3))
    q = np.concatenate([rng.standard_normal((5, 3)), rng.standard_normal((3, 3)) + 6.0])
    dist = lambda a, b: np.linalg.norm(a[:, None] - b[None], axis=2)  # noqa: E731
    sk = LocalOutlierFactor(n_neighbors=7, novelty=True).fit(ref)
    np.testing.assert_allclose(lof(dist(q, ref), dist(ref, ref), 7), -sk.score_samples(q), rtol=1e-6)
    np.testing.assert_allclose(lof_reference(dist(ref, ref), 7), -sk.negative_outlier_factor_, rtol=1e-6)


def test_knn_distance_and_fusion_numbers():
    d = np.array([[0.1, 0.5, 0.2, 0.9], [0.3, 0.3, 0.3, 0.3]])
    np.testing.assert_allclose(knn_distance(d, 2), [0.15, 0.3])
    ref = np.array([1.0, 2.0, 3.0, 4.0, 5.0])  # median 3, MAD 1 -> scale 1.4826
    np.testing.assert_allclose(robust_z([3.0, 3.0 + 2 * 1.4826], ref), [0.0, 2.0], atol=1e-6)
    z3 = 3.0 + 3 * 1.4826
    # mean z = 3 -> sigmoid(3 - 3) = 0.5; mean z = (0 + 6) / 2 = 3 too
    np.testing.assert_allclose(fuse([([z3], ref), ([z3], ref)]), [0.5], atol=1e-6)
    np.testing.assert_allclose(fuse([([3.0], ref), ([3.0 + 6 * 1.4826], ref)]), [0.5], atol=1e-6)
    assert fuse([([20.0], ref)])[0] > 0.99  # z = 11.5
    np.testing.assert_allclose(fuse([([3.0], ref)]), [1 / (1 + np.exp(3.0))], atol=1e-9)  # z = 0


def test_small_gallery_gives_finite_scores():
    d_rr = np.array([[0.0, 0.2, 0.4], [0.2, 0.0, 0.3], [0.4, 0.3, 0.0]])
    np.testing.assert_allclose(knn_reference(d_rr, 5), [0.3, 0.25, 0.35])
    assert np.isfinite(lof_reference(d_rr, 10)).all()
    assert np.isfinite(lof(np.array([[0.5, 0.6, 0.7]]), d_rr, 10)).all()


def test_entropy_novelty_extremes():
    sims = np.array([[0.3, 0.3, 0.3, 0.3], [0.95, 0.1, 0.0, -0.2]])
    h = entropy_novelty(sims, temperature=0.05)
    assert h[0] == pytest.approx(1.0)
    assert h[1] < 1e-6


@pytest.mark.parametrize("neck", [True, False])
def test_numpy_forward_matches_torch(neck):
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    d_in = 30
    net = EmbeddingNet(d_in, 7, hidden=48, dim=16, neck=neck)
    net.train()
    with torch.no_grad():  # give the batch norms real running statistics
        for _ in range(20):
            net(torch.randn(32, d_in) * 2 + 0.5)
    net.eval()
    x = rng.normal(3.0, 2.0, (25, d_in))
    mean, std = x.mean(0).astype(np.float32), (x.std(0) + 0.1).astype(np.float32)
    with torch.no_grad():
        _f, emb_t, logits_t = net(torch.as_tensor((x - mean.astype(np.float64)) / std.astype(np.float64),
                                                  dtype=torch.float32))
    params = export(net, mean, std)
    emb, logits = forward(params, x)
    np.testing.assert_allclose(emb, emb_t.numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(logits, logits_t.numpy(), atol=1e-5, rtol=0)
    np.testing.assert_allclose(normalise(emb), torch.nn.functional.normalize(emb_t, dim=1).numpy(), atol=1e-5)
    # the file shipped in the image round-trips
    blob = npz_bytes(params)
    with np.load(io.BytesIO(blob)) as f:
        loaded = {k: f[k] for k in f.files}
    np.testing.assert_array_equal(forward(loaded, x)[0], emb)
    assert npz_bytes(dict(reversed(list(params.items())))) == blob  # bytes depend on the arrays only
