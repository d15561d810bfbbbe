"""Produce a face-track submission from a bundle's public pairs, with a report and a preview."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import torch
from PIL import Image

from .budget import check_budget
from .deep_dream import DeepDreamConfig, Progress, run_deep_dream
from .meta_attack import run_meta_attack
from .public_bundle import load_public_pairs, write_submission
from .surrogates import load_surrogate

DEFAULT_MODELS = ("mobilefacenet", "facenet")
METHODS = {"deep_dream": run_deep_dream, "meta_attack": run_meta_attack}


def preview(originals: np.ndarray, advs: np.ndarray, masks: np.ndarray, path: Path, rows: int = 6) -> Path:
    """Rows of (original, adversarial, mask) for the first pairs, 2x nearest upscaled."""
    tiles = []
    for o, a, m in list(zip(originals, advs, masks))[:rows]:
        mask_rgb = np.repeat((m * 255).astype(np.uint8)[..., None], 3, axis=2)
        tiles.append(np.concatenate([o, a, mask_rgb], axis=1))
    img = Image.fromarray(np.concatenate(tiles, axis=0))
    img = img.resize((img.width * 2, img.height * 2), Image.NEAREST)
    img.save(path)
    return path


def generate_submission(bundle_dir: str | Path, out_zip: str | Path, *, config: DeepDreamConfig = DeepDreamConfig(),
                        models: Sequence[str] = DEFAULT_MODELS, threads: int = 2,
                        progress: Optional[Progress] = None, method: str = "deep_dream",
                        device: str = "cpu") -> dict:
    """Attack every public pair of ``bundle_dir`` with ``method`` (see METHODS); write
    ``out_zip``, ``<out>.json`` (report) and ``<out>.png`` (preview).

    ``device``: ``auto | cpu | cuda | cuda:N`` (``evaluators.common.device``); asking for CUDA
    where torch sees no GPU raises ``DeviceUnavailable``. The regression runs use the CPU: the
    recorded scores are CPU figures (the README's reproducibility section says what differs)."""
    from evaluators.common.device import resolve_device

    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    resolved = resolve_device(device)
    torch.set_num_threads(threads)
    out_zip = Path(out_zip)
    pairs = load_public_pairs(bundle_dir)
    surrogates = [load_surrogate(name).to(resolved) for name in models]
    t0 = time.time()
    advs, masks, logs = METHODS[method](surrogates, pairs.originals, pairs.compares, config, progress)
    seconds = time.time() - t0
    checks = [check_budget(o, a, connectivity=config.connectivity, max_pixels=config.max_pixels,
                           max_components=config.max_components) for o, a in zip(pairs.originals, advs)]
    if not all(c.ok for c in checks):
        bad = [pid for pid, c in zip(pairs.ids, checks) if not c.ok]
        raise RuntimeError(f"internal error: samples {bad} break the perturbation budget")
    write_submission(out_zip, pairs.ids, advs)
    report = {
        "method": method,
        "surrogates_seen": list(models),
        "config": config.to_dict(),
        "threads": torch.get_num_threads(),
        "device": resolved,
        "pairs": len(pairs.ids),
        "seconds": round(seconds, 2),
        "seconds_per_pair": round(seconds / len(pairs.ids), 3),
        "samples": [{"id": pid, "pixels": c.pixels, "components": c.components, **lg}
                    for pid, c, lg in zip(pairs.ids, checks, logs)],
    }
    out_zip.with_suffix(".json").write_text(json.dumps(report, indent=1))
    preview(pairs.originals, advs, masks, out_zip.with_suffix(".png"))
    return report
