"""The "Deep Dream" face attack (AISC 2022 face track, top team), on differentiable surrogates.

For each pair (original x, compare image x2) the attack makes x verify as x2:

- an ensemble of surrogate face-recognition models; each step, model i gets the weight
  w_i = (1 - cos_i) / sum_j (1 - cos_j), where cos_i is its current cosine similarity
  between the adversarial image and x2, so the model that is least fooled gets most weight;
- MI-FGSM (momentum on the L1-normalised gradient, sign steps) with the DI, TI and SI
  transforms applied in a randomly changing order each step, plus TI gradient smoothing;
- only inside a facial-region mask chosen from the ensemble's saliency so that the
  changed pixels form at most 5 components of at most 1254 pixels in all.

Deterministic from ``seed`` on one device. Pairs are attacked in batches for speed, but every
pair draws its randomness (transform order, DI size and padding, TI shift, meta-attack's train
model) from a generator of its own, seeded from ``seed`` and the pair's index in the bundle
(``pair_generators``): a pair gets the same draws whatever the batch size, so batching changes
only float rounding, as the original one-pair-at-a-time method would have had. The batch runs
where the surrogates' weights are (``models_device``: move them with ``.to(device)``); the random
draws stay on CPU generators, so the transforms are the same on every device.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from . import transforms as T
from .budget import MAX_COMPONENTS, MAX_PIXELS
from .region_mask import select_mask
from .surrogates import FaceSurrogate

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class DeepDreamConfig:
    iterations: int = 150
    step_max: float = 12.0  # sign-step size in 0..255 units, cosine-decayed to step_min
    step_min: float = 1.0
    momentum: float = 1.0
    si_copies: int = 2
    di_ratio: float = 0.1
    di_prob: float = 0.7
    ti_shift: int = 3
    ti_kernel: int = 5
    ti_sigma: float = 1.0
    saliency_samples: int = 4
    mask_sigma: float = 2.0
    max_pixels: int = MAX_PIXELS
    max_components: int = MAX_COMPONENTS
    connectivity: int = 4  # a mask fitting the 4-connectivity rule also fits the 8-connectivity one
    batch_size: int = 8
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def to_tensor(faces: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
    """N x H x W x 3 uint8 -> N x 3 x H x W float 0..255 on ``device``."""
    return torch.from_numpy(np.ascontiguousarray(faces)).to(device).permute(0, 3, 1, 2).float()


def to_uint8(x: torch.Tensor) -> np.ndarray:
    return x.detach().round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()


def models_device(models: Sequence[FaceSurrogate]) -> torch.device:
    """The device the surrogates' weights live on (all must share one); the CPU for a weightless model."""
    devices = {t.device for m in models for t in (*m.parameters(), *m.buffers())}
    if len(devices) > 1:
        raise ValueError(f"the surrogates live on several devices ({sorted(map(str, devices))}); move them to one")
    return devices.pop() if devices else torch.device("cpu")


Generators = Sequence[torch.Generator]


def pair_generators(seed: int, first: int, count: int) -> list[torch.Generator]:
    """One CPU generator per pair, for the pairs ``first .. first + count - 1`` of the bundle,
    seeded from (``seed``, pair index) through numpy's SeedSequence (torch's CPU generator keeps
    32 bits of a seed): the same draws for a pair in any batch."""
    return [torch.Generator().manual_seed(int(np.random.SeedSequence([seed, first + j]).generate_state(1)[0]))
            for j in range(count)]


def _one_chain(x: torch.Tensor, cfg: DeepDreamConfig, gen: torch.Generator) -> torch.Tensor:
    """DI, TI and SI in the order ``gen`` draws, on one pair's 1 x 3 x H x W image; SI's copies
    come back stacked along the batch (copies x 3 x H x W)."""
    for idx in torch.randperm(3, generator=gen).tolist():
        if idx == 0:
            x = T.diverse_input(x, gen, cfg.di_ratio, cfg.di_prob)
        elif idx == 1:
            x = T.translate(x, gen, cfg.ti_shift)
        elif cfg.si_copies > 1:
            x = T.scale_copies(x, cfg.si_copies)
    return x


def transform_chain(x: torch.Tensor, cfg: DeepDreamConfig, gens: Generators) -> tuple[torch.Tensor, int]:
    """Apply DI, TI and SI in a random order, drawn per pair from ``gens`` (one generator per row
    of the N x 3 x H x W batch ``x``). Returns the (copies * N) x 3 x H x W batch, copy-major as
    ``ensemble_cosines`` reads it, and its SI multiplicity ``copies``."""
    if len(gens) != x.shape[0]:
        raise ValueError(f"{len(gens)} generators for a batch of {x.shape[0]} pairs")
    copies = cfg.si_copies if cfg.si_copies > 1 else 1
    rows = [_one_chain(x[j:j + 1], cfg, g) for j, g in enumerate(gens)]  # each copies x 3 x H x W
    return torch.stack(rows, 1).flatten(0, 1), copies


def ensemble_cosines(models: Sequence[FaceSurrogate], x: torch.Tensor, targets: Sequence[torch.Tensor],
                     copies: int = 1) -> torch.Tensor:
    """M x N cosine similarities (averaged over SI copies) between f_i(x) and the targets."""
    n = targets[0].shape[0]
    rows = []
    for model, tgt in zip(models, targets):
        emb = model(x).view(copies, n, -1)
        rows.append((emb * tgt.unsqueeze(0)).sum(-1).mean(0))
    return torch.stack(rows)


def dynamic_weights(cos: torch.Tensor) -> torch.Tensor:
    """Per pair, w_i = (1 - cos_i) / sum_j (1 - cos_j) over the M models (M x N)."""
    gap = (1.0 - cos.detach()).clamp_min(1e-6)
    return gap / gap.sum(0, keepdim=True)


def _saliency(models, x, targets, cfg, gens: Generators) -> np.ndarray:
    grads = torch.zeros_like(x)
    for _ in range(cfg.saliency_samples):
        xv = x.clone().requires_grad_(True)
        xt, copies = transform_chain(xv, cfg, gens)
        cos = ensemble_cosines(models, xt, targets, copies)
        loss = (dynamic_weights(cos) * (1 - cos)).sum()
        grads += torch.autograd.grad(loss, xv)[0].abs()
    return grads.sum(1).cpu().numpy()


def force_exact_support(original: np.ndarray, adv: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Make the changed pixels exactly ``mask``: restore outside, nudge unchanged pixels inside
    (an unchanged pixel inside a blob could split it into more components)."""
    out = np.where(mask[..., None], adv, original)
    same = mask & np.all(out == original, axis=-1)
    ys, xs = np.nonzero(same)
    ch = out[ys, xs, 0].astype(np.int16)
    out[ys, xs, 0] = np.where(ch < 255, ch + 1, ch - 1).astype(np.uint8)
    return out


def _step_size(cfg: DeepDreamConfig, it: int) -> float:
    frac = it / max(cfg.iterations - 1, 1)
    return cfg.step_min + 0.5 * (cfg.step_max - cfg.step_min) * (1 + math.cos(math.pi * frac))


def ensemble_gradient(models: Sequence[FaceSurrogate], x: torch.Tensor, targets: Sequence[torch.Tensor],
                      mask: torch.Tensor, cfg: DeepDreamConfig, gens: Generators) -> torch.Tensor:
    """Gradient of the dynamically weighted ensemble loss sum_i w_i (1 - cos_i) at x, through
    DI/TI/SI in a random order per pair. (``mask`` is unused here; other gradient rules need it.)"""
    xv = x.clone().requires_grad_(True)
    xt, copies = transform_chain(xv, cfg, gens)
    cos = ensemble_cosines(models, xt, targets, copies)
    loss = (dynamic_weights(cos) * (1 - cos)).sum()
    return torch.autograd.grad(loss, xv)[0]


GradientRule = Callable[..., torch.Tensor]


def attack_batch(models: Sequence[FaceSurrogate], originals: np.ndarray, compares: np.ndarray,
                 cfg: DeepDreamConfig, gens: Generators,
                 on_step: Optional[Callable[[int], None]] = None,
                 gradient: GradientRule = ensemble_gradient) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Attack one batch of pairs, ``gens`` holding one generator per pair. Returns (adversarial
    uint8 N x H x W x 3, masks N x H x W, logs)."""
    dev = models_device(models)
    x0, x2 = to_tensor(originals, dev), to_tensor(compares, dev)
    with torch.no_grad():
        targets = [m(x2) for m in models]
        start_cos = ensemble_cosines(models, x0, targets)
    saliency = _saliency(models, x0, targets, cfg, gens)
    masks = np.stack([select_mask(s, max_pixels=cfg.max_pixels, max_components=cfg.max_components,
                                  connectivity=cfg.connectivity, sigma=cfg.mask_sigma) for s in saliency])
    m = torch.from_numpy(masks).float().unsqueeze(1).to(dev)
    kernel = T.gaussian_kernel(cfg.ti_kernel, cfg.ti_sigma).to(dev)
    x = x0.clone()
    g = torch.zeros_like(x)
    for it in range(cfg.iterations):
        grad = T.smooth_gradient(gradient(models, x, targets, m, cfg, gens), kernel) * m
        g = cfg.momentum * g + grad / grad.abs().flatten(1).mean(1).clamp_min(1e-12).view(-1, 1, 1, 1)
        x = (x - _step_size(cfg, it) * g.sign() * m).clamp(0, 255)
        if on_step:
            on_step(it)
    adv = np.stack([force_exact_support(o, a, k) for o, a, k in zip(originals, to_uint8(x), masks)])
    with torch.no_grad():
        end_cos = ensemble_cosines(models, to_tensor(adv, dev), targets)
    logs = [{"start_cos": dict(zip([md.name for md in models], start_cos[:, j].tolist())),
             "end_cos": dict(zip([md.name for md in models], end_cos[:, j].tolist())),
             "mask_pixels": int(masks[j].sum())} for j in range(len(originals))]
    return adv, masks, logs


def run_deep_dream(models: Sequence[FaceSurrogate], originals: np.ndarray, compares: np.ndarray,
                   cfg: DeepDreamConfig = DeepDreamConfig(), progress: Optional[Progress] = None,
                   gradient: GradientRule = ensemble_gradient) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """Attack all pairs (N x 112 x 112 x 3 uint8 each), ``cfg.batch_size`` at a time; a pair's
    random draws do not depend on the batch size (``pair_generators``)."""
    if originals.shape != compares.shape or originals.ndim != 4 or originals.shape[-1] != 3:
        raise ValueError(f"originals {originals.shape} and compares {compares.shape} must both be N x H x W x 3")
    if not models:
        raise ValueError("the ensemble needs at least one surrogate model")
    torch.manual_seed(cfg.seed)
    n = len(originals)
    advs, masks, logs = [], [], []
    t0 = time.time()
    for start in range(0, n, cfg.batch_size):
        sl = slice(start, start + cfg.batch_size)
        done = start

        def on_step(it: int, done=done, size=len(originals[sl])) -> None:
            if progress:
                progress("attack", 100.0 * (done + size * (it + 1) / cfg.iterations) / n)

        gens = pair_generators(cfg.seed, start, len(originals[sl]))
        a, k, lg = attack_batch(models, originals[sl], compares[sl], cfg, gens, on_step, gradient)
        advs.append(a)
        masks.append(k)
        logs.extend(lg)
    for entry in logs:
        entry["seconds_per_pair"] = (time.time() - t0) / n
    return np.concatenate(advs), np.concatenate(masks), logs
