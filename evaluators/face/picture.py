"""A picture of a few scored samples: original | adversarial | perturbation mask | target, with
one verified (green) / not verified (red) mark per model and the rejection reason if any."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .bundle import FaceBundle, compare_rel, original_rel
from .perturbation import perturbation_mask

CELL, PAD, TEXT_H, HEAD = 112, 4, 30, 16


def _pick(records: list[dict], k: int) -> list[dict]:
    """Verified samples first, then unverified valid ones, then rejected ones."""
    def rank(r):
        hits = sum(v["verified"] for v in r.get("models", {}).values())
        return (not r["valid"], -hits, r["id"])
    return sorted(records, key=rank)[:k]


def save_grid(path: Path, bundle: FaceBundle, records: list[dict], images: dict, model_names: list[str],
              k: int = 6) -> Path:
    from PIL import Image, ImageDraw

    rows = _pick(records, k)
    w = 4 * CELL + 5 * PAD
    h = HEAD + len(rows) * (CELL + TEXT_H + PAD) + PAD
    canvas = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for c, title in enumerate(("original", "submitted", "changed pixels", "target")):
        draw.text((PAD + c * (CELL + PAD), 4), title, fill=(0, 0, 0))
    for r, rec in enumerate(rows):
        y = HEAD + PAD + r * (CELL + TEXT_H + PAD)
        orig = bundle.read(original_rel(rec["id"]))
        adv = images.get(rec["id"])
        mask = perturbation_mask(adv, orig) if adv is not None else np.zeros((112, 112), bool)
        cells = [orig, adv if adv is not None else np.full_like(orig, 128),
                 np.repeat((mask * 255).astype(np.uint8)[..., None], 3, axis=2), bundle.read(compare_rel(rec["id"]))]
        for c, arr in enumerate(cells):
            canvas.paste(Image.fromarray(arr), (PAD + c * (CELL + PAD), y))
        x = PAD
        for name in model_names:
            m = rec.get("models", {}).get(name)
            color = (0, 150, 0) if m and m["verified"] else (200, 0, 0)
            label = f"{name[:9]}: {'yes' if m and m['verified'] else 'no'}"
            draw.text((x, y + CELL + 2), label, fill=color)
            x += 100
        info = f"{rec['id']}: " + (f"{rec.get('components', 0)} regions, {rec.get('pixels', 0)} px" if rec["valid"]
                                   else rec.get("reason", "")[:70])
        draw.text((PAD, y + CELL + 15), info, fill=(0, 0, 0))
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)
    return path
