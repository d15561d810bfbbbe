"""A CI-sized driving demo whose detectors really find their targets.

``evaluators.driving.demo``'s QUICK demo trains each detector for one epoch, so it detects
almost nothing on clean frames and any patch looks perfect. This builds a demo of the same
shape (phases ``public`` / ``preliminary`` / ``final``, the same baselines, the same
model-set format) from the evaluators' own building blocks, with few scenes but enough
epochs that the white-box detector finds the target on most clean hidden frames (the rate
is printed and stored in ``clean_rates.json``). About 5-6 CPU-minutes on 2 cores.

``python -m reference_solutions.driving.ci_demo DIR`` builds it (reusing what exists).
"""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from evaluators.driving.baselines import full_mask, noise_texture, write_baselines
from evaluators.driving.demo import DETECTORS, write_model_set
from evaluators.driving.scenegen.build import build_scene_bundle, example_patcher, hidden_plan, train_plan, val_plan

# hidden: (scenes per kind, frames); train: (scenes, frames); epochs per detector;
# detection at 320 px on 640x360 frames = half scale, training crops (256 native) at 128 = half scale.
CI = {"hidden": (1, 16), "train": (12, 32), "val": 8, "epochs": {"yolov3-tiny": 40, "yolov8n": 35},
      "train_imgsz": 128, "imgsz": 320}


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
    from evaluators.driving.scenegen.train import export_yolo_dataset, train_detector

    cfg = dict(CI, **(cfg or {}))
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    _reuse_or_clear(out_dir, json.loads(json.dumps(cfg)))
    _log("hidden scenes")
    hidden = build_scene_bundle(out_dir / "hidden", hidden_plan(*cfg["hidden"]), public=False, name="driving-ci-hidden")
    _log("public training scenes")
    train = build_scene_bundle(out_dir / "public_train", train_plan(*cfg["train"]), public=True,
                               name="driving-ci-public-train")
    example = example_patcher(noise_texture(1)[:, :, ::-1].copy(), full_mask())
    _log("public validation scenes")
    val = build_scene_bundle(out_dir / "public_val", val_plan(cfg["val"], 1), public=True,
                             name="driving-ci-public-val", example_patch=example)
    data = export_yolo_dataset(train, out_dir / "yolo")
    checkpoints = {}
    for _, arch, _ in DETECTORS:
        _log(f"training {arch} for {cfg['epochs'][arch]} epochs (cached when already trained)")
        checkpoints[arch] = train_detector(arch, data, out_dir / "models", epochs=cfg["epochs"][arch],
                                           imgsz=cfg["train_imgsz"], batch=8, seed=0)
    model_set = write_model_set(out_dir, checkpoints, cfg["imgsz"])
    from evaluators.driving.clean_rate import cached_clean_rates

    rates = cached_clean_rates(out_dir, hidden, model_set, log=_log)
    for name, per in rates.items():
        _log(f"clean hidden frames with the target detected by {name}: {100 * per['all']:.1f}%")
    baselines = write_baselines(out_dir / "baselines")
    ms = str(model_set)
    base = {"model_set": ms, "area_weight": 0.2, "max_regions": 5}
    return {
        "phases": {
            "public": {"bundle": str(val), "settings": dict(base)},
            "preliminary": {"bundle": str(hidden), "settings": dict(base, kinds=["truck"])},
            "final": {"bundle": str(hidden), "settings": dict(base, final_mix={"truck": 0.8, "mannequin": 0.2})},
        },
        "baselines": baselines,
        "clean_detection_rate": {name: per["all"] for name, per in rates.items()},
    }


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m reference_solutions.driving.ci_demo OUT_DIR")
    print(json.dumps(build_ci_demo(Path(sys.argv[1])), indent=1))
