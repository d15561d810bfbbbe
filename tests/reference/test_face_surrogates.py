"""The torch ports agree with the original runtimes (LiteRT, OpenCV DNN) on real faces."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from reference_solutions.face.surrogates import load_surrogate
from reference_solutions.face.surrogates import tf_ops
from reference_solutions.face.surrogates.original import RUNTIMES
from reference_solutions.face.surrogates.tf_graph import Node, TFGraph, parse_graphdef


@pytest.mark.parametrize("name", sorted(RUNTIMES))
def test_port_matches_original_runtime(name, faces):
    x = torch.from_numpy(faces).permute(0, 3, 1, 2).float()
    with torch.no_grad():
        ours = load_surrogate(name)(x).numpy()
    ref = RUNTIMES[name](faces)
    agreement = (ours * ref).sum(1)
    assert agreement.min() >= 0.999, f"{name}: cosine(port, original) per face {agreement}"
    # and the model tells people apart (the comparison is not between constant outputs)
    sims = ref @ ref.T
    assert sims[~np.eye(len(ref), dtype=bool)].min() < 0.8


@pytest.mark.parametrize("name", sorted(RUNTIMES))
def test_port_is_differentiable(name, faces):
    x = torch.from_numpy(faces[:2]).permute(0, 3, 1, 2).float().requires_grad_(True)
    model = load_surrogate(name)
    emb = model(x)
    (emb[0] * emb[1]).sum().backward()
    assert torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_tf_same_padding_puts_the_extra_pixel_last():
    assert tf_ops.same_padding(112, 3, 2) == (0, 1)
    assert tf_ops.same_padding(7, 3, 1) == (1, 1)
    assert tf_ops.same_padding(8, 1, 2) == (0, 0)


def test_tf_same_avg_pool_excludes_padding():
    x = torch.ones(1, 1, 3, 3)
    y = tf_ops.pool2d(x, "avg", (3, 3), (1, 1), "SAME")
    assert torch.allclose(y, torch.ones_like(y))


def test_graph_reader_rejects_garbage_and_unknown_ops():
    with pytest.raises(ValueError):
        parse_graphdef(b"\x0a\x05abc")  # a truncated message
    nodes = [Node("input", "Placeholder", []), Node("weird", "FancyOp", ["input"])]
    graph = TFGraph(nodes, "weird")
    with pytest.raises(NotImplementedError, match="FancyOp"):
        graph(torch.zeros(1, 3, 4, 4))
