"""A CI-sized driving demo whose detectors really find their targets, with *fixed* detectors.

``authoring.driving.demo``'s QUICK demo trains each detector for one epoch, so it detects
almost nothing on clean frames and any patch looks perfect. This builds the same shape of demo
with the evaluators' own ``build_demo`` and another config: few scenes, and the two detectors
that ship with the repository in ``ci_models/`` (trained once by the project's own training
code; recipe, versions and sha256 in ``ci_models/ci_models.json``). CI and regression runs on
any machine therefore score against the same model files: only scenes and patches are built
here, and a detector retrained on another CPU would differ (and did, flipping the regression).

- ``python -m reference_solutions.driving.ci_demo DIR`` builds the demo (reusing what exists).
- ``python -m reference_solutions.driving.ci_demo --retrain WORKDIR`` trains both detectors
  again from the CI recipe (about 6 CPU-minutes on 2 cores) in a fresh demo under WORKDIR and
  replaces the files in ``ci_models/`` (then re-record ``expected.json``: README, Regression).

Granularity: the hidden bundle has one truck and one mannequin scene of ``hidden[1]`` frames;
one frame of one model moves an attack term by 1 / (2 x frames).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from authoring.driving.demo import build_demo, fixed_detectors, freeze_detectors

MODELS_DIR = Path(__file__).resolve().parent / "ci_models"
RECORD = MODELS_DIR / "ci_models.json"

# detection at 320 px on 640x360 frames = half scale, training crops (256 native) at 128 = half scale.
CI = {"name": "driving-ci", "hidden": (1, 48), "train": (12, 32), "val": 8, "examples": 1,
      "epochs": {"yolov3-tiny": (40, 0), "yolov8n": (35, 0)}, "train_imgsz": 128, "imgsz": 320}


def _log(msg: str) -> None:
    print(f"[driving ci demo] {msg}", file=sys.stderr, flush=True)


BUILT = ("hidden", "public_train", "public_val", "yolo", "models", "ultralytics_config", "baselines",
         "model_set.json", "clean_rates.json")
STAMP = "ci_config.json"


def fixed_models() -> dict[str, dict]:
    """{arch: {"file", "sha256"}} of the shipped CI detectors (from ci_models.json)."""
    models = fixed_detectors(RECORD)
    if models is None:
        raise FileNotFoundError(f"{RECORD} is missing: run `python -m reference_solutions.driving.ci_demo --retrain DIR`")
    return models


def _reuse_or_clear(out_dir: Path, stamp_cfg: dict) -> None:
    """Reuse a build only if it was made with this config; otherwise clear what this module
    builds (never anything else in out_dir) so stale scenes or detectors are not reused."""
    stamp = out_dir / STAMP
    if stamp.is_file() and json.loads(stamp.read_text()) == stamp_cfg:
        return
    if any((out_dir / name).exists() for name in BUILT):
        _log(f"{out_dir} holds a build of another config: rebuilding")
    for name in BUILT:
        path = out_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    stamp.write_text(json.dumps(stamp_cfg, sort_keys=True))


def build_ci_demo(out_dir: Path, cfg: dict | None = None, *, train: bool = False) -> dict:
    """Build (or reuse) the CI demo under out_dir with the shipped detectors (``train=True``:
    train them here instead); same return shape as evaluators' build_demo."""
    cfg = json.loads(json.dumps(dict(CI, **(cfg or {}))))  # tuples -> lists, as the stamp stores it
    if not train:
        cfg["models"] = fixed_models()
    # the stamp names the detectors by sha256, not by where this checkout keeps them
    stamp_cfg = {k: v for k, v in cfg.items() if k != "models"}
    stamp_cfg["model_sha256"] = {a: m["sha256"] for a, m in cfg.get("models", {}).items()} or "trained here"
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    _reuse_or_clear(out_dir, stamp_cfg)
    return build_demo(out_dir, config=cfg)


def retrain(workdir: Path) -> dict:
    """Train both CI detectors from the recipe in a fresh demo under workdir, freeze them into
    ci_models/ and write ci_models.json (recipe, versions, sha256, training seconds, clean rates)."""
    workdir = Path(workdir).resolve()
    if workdir.exists():
        shutil.rmtree(workdir)
    demo = build_ci_demo(workdir, train=True)
    return freeze_detectors(workdir, MODELS_DIR, RECORD, "ci", CI, demo["clean_detection_rate"],
                            "Fixed detectors of the driving CI demo (reference_solutions/driving/ci_demo.py). "
                            "Tests and regression runs score against these files. Re-create with "
                            "`python -m reference_solutions.driving.ci_demo --retrain DIR`.")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m reference_solutions.driving.ci_demo",
                                description="Build the driving CI demo (fixed detectors), or retrain them.")
    p.add_argument("dir", type=Path, help="the demo directory (with --retrain: a scratch directory, emptied first)")
    p.add_argument("--retrain", action="store_true", help="train the CI detectors again and replace ci_models/")
    a = p.parse_args(argv)
    out = retrain(a.dir) if a.retrain else build_ci_demo(a.dir)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
