"""Differentiable face-recognition surrogates with their original preprocessing.

Every surrogate takes aligned 112x112 RGB faces as a float tensor N x 3 x 112 x 112 in
0..255 and returns L2-normalised embeddings, so cosine similarity is a dot product.
Preprocessing mirrors how the original runtime is fed (see ``original.py``).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from . import assets

FACE_SIZE = 112


def prewhiten(x: torch.Tensor) -> torch.Tensor:
    """FaceNet's per-image standardisation (std floored at 1/sqrt(#values))."""
    flat = x.flatten(1)
    mean = flat.mean(1).view(-1, 1, 1, 1)
    std = flat.std(1, unbiased=False).clamp_min(1.0 / flat.shape[1] ** 0.5).view(-1, 1, 1, 1)
    return (x - mean) / std


class FaceSurrogate(nn.Module):
    def __init__(self, name: str, net: nn.Module, preprocess: Callable[[torch.Tensor], torch.Tensor]):
        super().__init__()
        self.name = name
        self.net = net
        self.preprocess = preprocess
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, faces: torch.Tensor) -> torch.Tensor:
        if faces.dim() != 4 or faces.shape[1] != 3:
            raise ValueError(f"expected N x 3 x H x W RGB faces, got shape {tuple(faces.shape)}")
        emb = self.net(self.preprocess(faces)).flatten(1)
        return F.normalize(emb, dim=1)


def _mobilefacenet() -> FaceSurrogate:
    from .tflite_graph import TFLiteGraph

    return FaceSurrogate("mobilefacenet", TFLiteGraph.from_file(assets.mobilefacenet_tflite()),
                         lambda x: (x - 127.5) / 128.0)


FACENET_SIZE = 160


def _facenet_preprocess(x: torch.Tensor) -> torch.Tensor:
    x = F.interpolate(x, size=(FACENET_SIZE, FACENET_SIZE), mode="bilinear", align_corners=False)
    return prewhiten(x)


def _facenet() -> FaceSurrogate:
    from .tf_graph import TFGraph

    return FaceSurrogate("facenet", TFGraph.from_file(assets.facenet_graph_pb(), "embeddings"), _facenet_preprocess)


BUILDERS: dict[str, Callable[[], FaceSurrogate]] = {
    "mobilefacenet": _mobilefacenet,
    "facenet": _facenet,
}


SOURCE_FILES: dict[str, Callable[[], "object"]] = {
    "mobilefacenet": assets.mobilefacenet_tflite,
    "facenet": assets.facenet_graph_pb,
}


def source_file(name: str):
    """The original model file a surrogate's weights are read from (to match model-set entries)."""
    return SOURCE_FILES[name]()


@lru_cache(maxsize=None)
def load_surrogate(name: str) -> FaceSurrogate:
    if name not in BUILDERS:
        raise KeyError(f"unknown surrogate {name!r}; available: {', '.join(sorted(BUILDERS))}")
    return BUILDERS[name]().eval()


def available() -> list[str]:
    return sorted(BUILDERS)
