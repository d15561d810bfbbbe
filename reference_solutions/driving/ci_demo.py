"""A CI-sized driving demo whose detectors really find their targets.

``evaluators.driving.demo``'s QUICK demo trains each detector for one epoch, so it detects
almost nothing on clean frames and any patch looks perfect. This builds the same
shape of demo with the evaluators' own ``build_demo`` and another config: few scenes but enough
epochs that the white-box detector finds the target on most clean hidden frames (the rate
is printed and stored in ``clean_rates.json``). About 5-6 CPU-minutes on 2 cores.

``python -m reference_solutions.driving.ci_demo DIR`` builds it (reusing what exists).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from evaluators.driving.demo import build_demo

# detection at 320 px on 640x360 frames = half scale, training crops (256 native) at 128 = half scale.
CI = {"name": "driving-ci", "hidden": (1, 16), "train": (12, 32), "val": 8, "examples": 1,
      "epochs": {"yolov3-tiny": (40, 0), "yolov8n": (35, 0)}, "train_imgsz": 128, "imgsz": 320}


def _log(msg: str) -> None:
    print(f"[driving ci demo] {msg}", file=sys.stderr, flush=True)


BUILT = ("hidden", "public_train", "public_val", "yolo", "models", "ultralytics_config", "baselines",
         "model_set.json", "clean_rates.json")
STAMP = "ci_config.json"


def _reuse_or_clear(out_dir: Path, cfg: dict) -> None:
    """Reuse a build only if it was made with this config; otherwise clear what this module
    builds (never anything else in out_dir) so stale scenes or detectors are not reused."""
    stamp = out_dir / STAMP
    if stamp.is_file() and json.loads(stamp.read_text()) == cfg:
        return
    if any((out_dir / name).exists() for name in BUILT):
        _log(f"{out_dir} holds a build of another config: rebuilding")
    for name in BUILT:
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    stamp.write_text(json.dumps(cfg, sort_keys=True))


def build_ci_demo(out_dir: Path, cfg: dict | None = None) -> dict:
    """Build (or reuse) the CI demo under out_dir; same return shape as evaluators' build_demo."""
    cfg = json.loads(json.dumps(dict(CI, **(cfg or {}))))  # tuples -> lists, as the stamp stores it
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    _reuse_or_clear(out_dir, cfg)
    return build_demo(out_dir, config=cfg)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m reference_solutions.driving.ci_demo OUT_DIR")
    print(json.dumps(build_ci_demo(Path(sys.argv[1])), indent=1))
