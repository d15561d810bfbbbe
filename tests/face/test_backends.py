"""Each real backend loads offline and separates same-person from different-person photos."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from evaluators.face.backends import cosine, load_backend
from evaluators.face.models import load_face_model_specs

MODELS = ["dlib_resnet", "facenet_casia", "mobilefacenet"]


@pytest.fixture(scope="module")
def specs(face_demo):
    model_set = face_demo["phases"]["preliminary"]["settings"]["model_set"]
    return {s["name"]: s for s in load_face_model_specs(model_set)}


@pytest.mark.parametrize("name", MODELS)
def test_backend_separates_obama_from_other_people(name, specs, aligned_faces):
    model = load_backend(specs[name])
    faces = [(who, f) for who, fs in aligned_faces.items() for f in fs]
    emb = model.embed(np.stack([f for _, f in faces]))
    assert emb.dtype == np.float32 and np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    genuine, impostor = [], []
    for (i, (a, _)), (j, (b, _)) in itertools.combinations(enumerate(faces), 2):
        s = float(cosine(emb[i:i + 1], emb[j:j + 1])[0])  # the scorer's similarity function
        (genuine if a == b else impostor).append(s)
    assert len(aligned_faces["Barack_Obama"]) == 3 and len(genuine) == 3
    # every Obama-Obama pair is more similar than any pair of different people
    assert min(genuine) > max(impostor), (name, min(genuine), max(impostor))
    # and the calibrated threshold accepts the genuine pairs and rejects all impostors
    assert min(genuine) >= model.threshold > max(impostor)


@pytest.mark.parametrize("name", MODELS)
def test_backend_is_deterministic_and_batch_independent(name, specs, aligned_faces):
    model = load_backend(specs[name])
    faces = np.stack([f for fs in aligned_faces.values() for f in fs][:5])
    a = model.embed(faces)
    b = np.concatenate([model.embed(faces[:1]), model.embed(faces[1:])])
    assert np.array_equal(a, model.embed(faces))
    assert np.allclose(a, b, atol=1e-5)


def test_onnx_backend_feeds_insightface_preprocessing(tmp_path, aligned_faces):
    """Export a small real ONNX network and check the backend feeds it N x 3 x 112 x 112 RGB,
    (x - 127.5) / 127.5, exactly like torch fed the same way."""
    import torch

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 5, stride=4), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(8 * 27 * 27, 512)).eval()
    path = tmp_path / "arcface_like.onnx"
    torch.onnx.export(net, torch.zeros(1, 3, 112, 112), str(path), dynamo=False, input_names=["input.1"],
                      dynamic_axes={"input.1": {0: "n"}})
    faces = np.stack([f for fs in aligned_faces.values() for f in fs][:3])
    model = load_backend({"name": "arc", "backend": "onnx", "file": str(path), "threshold": 0.3})
    got = model.embed(faces)
    with torch.no_grad():
        x = torch.from_numpy((faces.astype(np.float32) - 127.5) / 127.5).permute(0, 3, 1, 2)
        want = torch.nn.functional.normalize(net(x), dim=1).numpy()
    assert got.shape == (3, 512)
    assert np.allclose(got, want, atol=1e-4)
    bgr = load_backend({"name": "arc", "backend": "onnx", "file": str(path), "channel_order": "BGR"})
    assert not np.allclose(bgr.embed(faces), want, atol=1e-3)  # channel order matters and is applied
    assert cosine(got, got).round(6).tolist() == [1.0, 1.0, 1.0]


def test_onnx_backend_runs_insightfaces_arcface_on_its_own_session(tmp_path, aligned_faces):
    """insightface's ArcFaceONNX runs the model on the session the backend made (the project's
    providers and threads), with the model set's mean/std, and gives bit-identical embeddings to
    onnxruntime fed (x - mean) / std directly; a fixed batch is padded; two outputs are refused."""
    import onnxruntime as ort
    import torch
    from insightface.model_zoo.arcface_onnx import ArcFaceONNX

    from evaluators.common.errors import BundleError
    from evaluators.face.backends.base import l2_normalize

    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 8, stride=8), torch.nn.Flatten(),
                              torch.nn.Linear(4 * 14 * 14, 128)).eval()
    fixed = tmp_path / "fixed_batch4.onnx"
    torch.onnx.export(net, torch.zeros(4, 3, 112, 112), str(fixed), dynamo=False, input_names=["data"])
    faces = np.stack([f for fs in aligned_faces.values() for f in fs][:5])
    model = load_backend({"name": "fixed", "backend": "onnx", "file": str(fixed), "mean": 100.0, "std": 50.0})
    assert isinstance(model._model, ArcFaceONNX) and model.batch == 4
    assert model._model.session.get_providers() == ["CPUExecutionProvider"]
    assert (model._model.input_mean, model._model.input_std) == (100.0, 50.0)
    got = model.embed(faces)  # 5 faces: one full batch of 4, then 1 padded to 4
    sess = ort.InferenceSession(str(fixed), providers=["CPUExecutionProvider"])
    x = ((faces.astype(np.float32) - 100.0) / 50.0).transpose(0, 3, 1, 2)
    pad = np.concatenate([x[4:], np.repeat(x[4:], 3, axis=0)])
    want = l2_normalize(np.concatenate([sess.run(None, {"data": np.ascontiguousarray(x[:4])})[0],
                                        sess.run(None, {"data": np.ascontiguousarray(pad)})[0][:1]]))
    assert got.shape == (5, 128) and np.array_equal(got, want)

    class TwoHeads(torch.nn.Module):
        def forward(self, x):
            return x.mean((2, 3)), x.amax((2, 3))

    two = tmp_path / "two_outputs.onnx"
    torch.onnx.export(TwoHeads(), torch.zeros(1, 3, 112, 112), str(two), dynamo=False)
    with pytest.raises(BundleError, match="one output"):
        load_backend({"name": "two", "backend": "onnx", "file": str(two)})
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not an onnx model")
    with pytest.raises(BundleError, match="not a loadable ONNX model"):
        load_backend({"name": "junk", "backend": "onnx", "file": str(junk)})
