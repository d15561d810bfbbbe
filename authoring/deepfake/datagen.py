"""Generate the offline deepfake-attribution data set (mirrors AISC's structure).

Layout under ``out_dir``::

    train_labelled/<method>/<n>.png   known methods, labelled (for the teams' training)
    train_unlabelled/<n>.png          known and hidden ("undefined") methods, no labels
    public_sample/                    a small bundle of known methods (labels public; selfcheck)
    phases/preliminary/               bundle: known methods
    phases/evaluation/                bundle: known + hidden methods
    phases/final/                     bundle: known + hidden in the gallery, probes also of new
                                      methods (labels.new_methods), novelty scored
    dataset.json                      parameters; a second call with the same ones does nothing

Every image is a fresh augmented face crop forged by one method; each set has its own seed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

from evaluators.common.manifest import write_manifest

from ..deepfake import forgeries
from .faces import random_face

IMAGE_SIZE = 64
FULL = {"train": 60, "unlabelled": 20, "sample_probe": 3, "sample_gallery": 6, "probe": 30, "gallery": 60}
QUICK = {"train": 16, "unlabelled": 4, "sample_probe": 2, "sample_gallery": 5, "probe": 4, "gallery": 8}
PHASES = {
    "preliminary": (list(forgeries.KNOWN), list(forgeries.KNOWN), []),
    "evaluation": (list(forgeries.KNOWN) + list(forgeries.HIDDEN),) * 2 + ([],),
    "final": (list(forgeries.ALL), list(forgeries.KNOWN) + list(forgeries.HIDDEN), list(forgeries.NEW)),
}
Progress = Callable[[str, float], None]


def forge(method: str, rng: np.random.Generator) -> np.ndarray:
    return forgeries.ALL[method](random_face(rng, IMAGE_SIZE), rng)


def save_png(img: np.ndarray, path: Path) -> None:
    Image.fromarray(img).save(path, format="PNG", optimize=False)


def write_bundle(root: Path, probes: list[tuple[str, np.ndarray]], gallery: list[tuple[str, np.ndarray]],
                 rng: np.random.Generator, *, new_methods=(), meta=None) -> None:
    """Shuffle, name by neutral ids, save, write manifest.json with the labels."""
    labels: dict = {"probe": {}, "gallery": {}, "new_methods": sorted(new_methods)}
    files = []
    for part, prefix, items in (("probe", "p", probes), ("gallery", "g", gallery)):
        (root / part).mkdir(parents=True, exist_ok=True)
        for n, k in enumerate(rng.permutation(len(items))):
            method, img = items[k]
            ident = f"{prefix}{n:06d}"
            save_png(img, root / part / f"{ident}.png")
            labels[part][ident] = method
            files.append(f"{part}/{ident}.png")
    write_manifest(root, "deepfake", files, name=root.name, labels=labels, meta=meta or {})


def build_dataset(out_dir: Path, *, quick: bool = False, seed: int = 2022, progress: Progress | None = None) -> Path:
    out_dir = Path(out_dir)
    sizes = QUICK if quick else FULL
    params = {"seed": seed, "sizes": sizes, "image_size": IMAGE_SIZE, "methods": list(forgeries.ALL)}
    stamp = out_dir / "dataset.json"
    if stamp.is_file() and json.loads(stamp.read_text()) == params:
        return out_dir
    say = progress or (lambda stage, pct: None)
    seeds = iter(np.random.SeedSequence(seed).spawn(16))
    rng = np.random.default_rng(next(seeds))
    for m in forgeries.KNOWN:
        d = out_dir / "train_labelled" / m
        d.mkdir(parents=True, exist_ok=True)
        for n in range(sizes["train"]):
            save_png(forge(m, rng), d / f"{n:05d}.png")
    say("train", 30)
    rng = np.random.default_rng(next(seeds))
    pool = [m for m in (*forgeries.KNOWN, *forgeries.HIDDEN) for _ in range(sizes["unlabelled"])]
    d = out_dir / "train_unlabelled"
    d.mkdir(parents=True, exist_ok=True)
    for n, k in enumerate(rng.permutation(len(pool))):
        save_png(forge(pool[k], rng), d / f"{n:05d}.png")
    say("unlabelled", 45)
    rng = np.random.default_rng(next(seeds))
    write_bundle(out_dir / "public_sample",
                 [(m, forge(m, rng)) for m in forgeries.KNOWN for _ in range(sizes["sample_probe"])],
                 [(m, forge(m, rng)) for m in forgeries.KNOWN for _ in range(sizes["sample_gallery"])],
                 rng, meta={"phase_kind": "preliminary", "image_size": IMAGE_SIZE, "public": True})
    for i, (phase, (probe_m, gallery_m, new)) in enumerate(PHASES.items()):
        rng = np.random.default_rng(next(seeds))
        write_bundle(out_dir / "phases" / phase,
                     [(m, forge(m, rng)) for m in probe_m for _ in range(sizes["probe"])],
                     [(m, forge(m, rng)) for m in gallery_m for _ in range(sizes["gallery"])],
                     rng, new_methods=new, meta={"phase_kind": phase, "image_size": IMAGE_SIZE})
        say(phase, 50 + 15 * (i + 1))
    stamp.write_text(json.dumps(params, indent=1))
    return out_dir
