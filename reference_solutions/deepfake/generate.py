"""Generate one reference submission: fit on the demo's public data, build the image, write
``<method>.tar`` (the ``docker save`` tarball), ``<method>.json`` (report) and ``<method>.png``."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Callable, Optional

from .fit import fit
from .image import build_submission, npz_bytes
from .report import write_png


def generate(method: str, demo_dir: Path, out_dir: Path, *, seed: int = 0, budget: str = "quick",
             threads: int = 1, progress: Optional[Callable[[str, float], None]] = None) -> Path:
    say = progress or (lambda stage, pct: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    f = fit(method, Path(demo_dir), seed=seed, budget=budget, threads=threads, progress=say)
    model = npz_bytes(f.params)
    say("build image", 94)
    t = time.perf_counter()
    tar = out_dir / f"{method}.tar"
    image = build_submission(model, f"aisc-ref/deepfake-{method.replace('_', '-')}:seed{seed}", tar)
    f.report["image"] = image
    f.report["seconds"]["build_image"] = round(time.perf_counter() - t, 2)
    say("report", 98)
    write_png(f, tar.with_suffix(".png"))
    tar.with_suffix(".json").write_text(json.dumps(f.report, indent=1))
    say("done", 100)
    return tar
