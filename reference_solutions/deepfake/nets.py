"""The embedding network (torch, trained on the host) and its export for the numpy forward pass.

Backbone: standardised features -> Linear -> BatchNorm -> ReLU -> Linear = feature f.
With ``neck=True`` (AreYouFake) a BNNeck follows: f -> BatchNorm (bias frozen at zero) ->
bias-free classifier; the triplet loss sees f, the cross-entropy sees the neck's output, and
retrieval uses the neck's output. Without the neck ("hello world") the classifier reads f.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn


class EmbeddingNet(nn.Module):
    def __init__(self, d_in: int, n_classes: int, *, hidden: int = 256, dim: int = 64, neck: bool = True):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.neck = nn.BatchNorm1d(dim) if neck else None
        if self.neck is not None:
            self.neck.bias.requires_grad_(False)  # BNNeck: no shift, so the feature stays centred
        self.cls = nn.Linear(dim, n_classes, bias=not neck)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """-> (feature f, retrieval embedding, logits)"""
        f = self.fc2(torch.relu(self.bn1(self.fc1(x))))
        emb = self.neck(f) if self.neck is not None else f
        return f, emb, self.cls(emb)


def _bn(prefix: str, bn: nn.BatchNorm1d) -> dict[str, np.ndarray]:
    return {f"{prefix}_m": bn.running_mean, f"{prefix}_v": bn.running_var,
            f"{prefix}_g": bn.weight, f"{prefix}_b": bn.bias}


def export(net: EmbeddingNet, in_mean: np.ndarray, in_std: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays ``app/forward.py`` reads (float32 weights, as trained)."""
    t = {"w1": net.fc1.weight, "b1": net.fc1.bias, "w2": net.fc2.weight, "b2": net.fc2.bias,
         "cls_w": net.cls.weight, **_bn("bn1", net.bn1)}
    if net.neck is not None:
        t.update(_bn("neck", net.neck))
    if net.cls.bias is not None:
        t["cls_b"] = net.cls.bias
    out = {k: v.detach().cpu().numpy().copy() for k, v in t.items()}
    out.update(in_mean=np.asarray(in_mean, np.float32), in_std=np.asarray(in_std, np.float32),
               bn_eps=np.asarray(net.bn1.eps, np.float64))
    return out


def batch_hard_triplet(f: torch.Tensor, y: torch.Tensor, margin: float) -> torch.Tensor:
    """Batch-hard triplet loss on cosine distance (hardest positive, hardest negative per anchor)."""
    z = nn.functional.normalize(f, dim=1)
    d = 1.0 - z @ z.T
    same = y[:, None] == y[None, :]
    eye = torch.eye(len(y), dtype=torch.bool)
    pos = torch.where(same & ~eye, d, torch.full_like(d, -1.0)).max(dim=1).values
    neg = torch.where(~same, d, torch.full_like(d, 4.0)).min(dim=1).values
    valid = (pos >= 0) & (neg < 4.0)
    if not valid.any():
        return d.sum() * 0.0
    return torch.relu(pos - neg + margin)[valid].mean()
