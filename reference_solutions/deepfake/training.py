"""Train the embedding network on (pseudo-)labelled features, deterministically from a seed."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from .nets import EmbeddingNet, batch_hard_triplet


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 60
    batch: int = 64
    lr: float = 2e-3
    weight_decay: float = 5e-4
    hidden: int = 256
    dim: int = 64
    neck: bool = True              # BNNeck (AreYouFake); False: plain classifier ("hello world")
    triplet_weight: float = 1.0    # 0 disables the triplet loss
    margin: float = 0.3
    label_smoothing: float = 0.1
    input_noise: float = 0.05      # Gaussian noise on the standardised features (augmentation)

    def to_dict(self) -> dict:
        return asdict(self)


def standardiser(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0) + 1e-6


def train_net(x: np.ndarray, y: np.ndarray, n_classes: int, cfg: TrainConfig, seed: int, *,
              in_mean: np.ndarray, in_std: np.ndarray,
              on_epoch: Optional[Callable[[int, float], None]] = None) -> tuple[EmbeddingNet, list[float]]:
    """x: raw features (N, d), y: class ids in [0, n_classes). Returns the net (eval mode) and the
    mean loss per epoch."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    xs = torch.as_tensor((x - in_mean) / in_std, dtype=torch.float32)
    ys = torch.as_tensor(y, dtype=torch.long)
    net = EmbeddingNet(x.shape[1], n_classes, hidden=cfg.hidden, dim=cfg.dim, neck=cfg.neck)
    opt = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=cfg.lr,
                            weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, cfg.epochs))
    ce = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    curve: list[float] = []
    net.train()
    for epoch in range(cfg.epochs):
        order = torch.randperm(len(xs), generator=gen)
        total, batches = 0.0, 0
        for start in range(0, len(order), cfg.batch):
            idx = order[start:start + cfg.batch]
            if len(idx) < 2:
                continue
            xb = xs[idx] + cfg.input_noise * torch.randn(len(idx), xs.shape[1], generator=gen)
            f, _emb, logits = net(xb)
            loss = ce(logits, ys[idx])
            if cfg.triplet_weight > 0:
                loss = loss + cfg.triplet_weight * batch_hard_triplet(f, ys[idx], cfg.margin)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
            batches += 1
        sched.step()
        curve.append(round(total / max(1, batches), 5))
        if on_epoch is not None:
            on_epoch(epoch, curve[-1])
    net.eval()
    return net, curve


@torch.no_grad()
def embed(net: EmbeddingNet, x: np.ndarray, in_mean: np.ndarray, in_std: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """-> (unit retrieval embeddings, logits) as float64 numpy arrays."""
    xs = torch.as_tensor((x - in_mean) / in_std, dtype=torch.float32)
    _f, emb, logits = net(xs)
    emb = nn.functional.normalize(emb, dim=1)
    return emb.double().numpy(), logits.double().numpy()
