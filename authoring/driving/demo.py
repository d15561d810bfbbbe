"""The offline demo competition for the driving track (``build_demo``).

Builds, under out_dir and reusing whatever is already there:
public_train/ and public_val/ (public scenes; half of the validation scenes carry an example
patch), hidden/ (5 truck + 5 mannequin scenes of 240 frames), the two demo detectors trained
on public_train with fixed seeds (white-box YOLOv3-tiny, black-box YOLOv8n; ordinary
Ultralytics checkpoints), model_set.json with their sha256, the baselines, and
clean_rates.json (clean-frame detection rate per detector on the hidden scenes).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from authoring.driving.scenegen.build import (
    build_scene_bundle,
    example_patcher,
    hidden_plan,
    train_plan,
    val_plan,
)
from evaluators.common.manifest import sha256_file

from .baselines import noise_texture, write_baselines

# Training runs on native-resolution 256 px crops around the targets; detection on whole
# frames at imgsz 640 (the same pixel scale).
# hidden: (scenes per kind, frames); train: (scenes, frames); val: scenes, of which ``examples``
# carry an example patch; epochs: (first run, second run from its weights) per detector;
# name: the bundles' name prefix; models (optional): {arch: {"file", "sha256"}} fixed checkpoints
# to install instead of training (the detectors that gate CI and regression runs).
FULL = {"name": "driving", "hidden": (5, 240), "train": (24, 40), "val": 60, "examples": 5,
        "epochs": {"yolov3-tiny": (12, 0), "yolov8n": (5, 10)}, "train_imgsz": 256, "imgsz": 640}
QUICK = {"name": "driving", "hidden": (1, 8), "train": (4, 8), "val": 6, "examples": 1,
         "epochs": {"yolov3-tiny": (1, 0), "yolov8n": (1, 0)}, "train_imgsz": 128, "imgsz": 320}
DETECTORS = (("whitebox_yolov3tiny", "yolov3-tiny", "white-box"), ("blackbox_yolov8n", "yolov8n", "black-box"))
# The full demo's detectors, trained once with FULL by this module's own training code and shipped
# (README, "Reproducibility"); `python -m authoring build-driving-demo --freeze` re-creates them.
DEMO_MODELS = Path(__file__).resolve().parent / "demo_models"
DEMO_RECORD = DEMO_MODELS / "demo_models.json"


def _log(msg: str) -> None:
    print(f"[driving demo] {msg}", file=sys.stderr, flush=True)


def write_model_set(out_dir: Path, checkpoints: dict[str, Path], imgsz: int) -> Path:
    models = []
    for name, arch, role in DETECTORS:
        ckpt = checkpoints[arch]
        models.append({"name": name, "backend": "ultralytics", "role": role, "arch": arch,
                       "file": str(ckpt.relative_to(out_dir)), "sha256": sha256_file(ckpt),
                       "conf": 0.25, "iou": 0.45, "imgsz": imgsz, "batch": 16})
    path = out_dir / "model_set.json"
    path.write_text(json.dumps({"track": "driving", "models": models}, indent=1))
    return path


def fixed_detectors(record: Path) -> dict[str, dict] | None:
    """{arch: {"file", "sha256"}} from a fixed-detector record (``freeze_detectors``), or None
    when there is no record."""
    if not record.is_file():
        return None
    data = json.loads(record.read_text())
    return {arch: {"file": str(record.parent / m["file"]), "sha256": m["sha256"]} for arch, m in data["models"].items()}


def freeze_detectors(trained_demo: Path, models_dir: Path, record: Path, suffix: str, recipe: dict,
                     clean_rates: dict, about: str) -> dict:
    """Freeze the two detectors trained in ``trained_demo`` into ``models_dir/<arch>-<suffix>.pt``
    (``scenegen.train.freeze_checkpoint``: no optimizer state, no machine paths) and write the
    record: recipe, package versions, sha256, training seconds, clean-frame detection rates."""
    import platform

    import torch
    import ultralytics

    from authoring.driving.scenegen.train import freeze_checkpoint

    models_dir.mkdir(parents=True, exist_ok=True)
    models = {}
    for _, arch, _ in DETECTORS:
        trained = Path(trained_demo) / "models" / f"{arch}-demo.pt"
        name = f"{arch}-{suffix}.pt"
        freeze_checkpoint(trained, models_dir / name, Path(trained_demo))
        models[arch] = {"file": name, "sha256": sha256_file(models_dir / name),
                        "training": json.loads(trained.with_suffix(".json").read_text())}
    data = {"about": about, "recipe": json.loads(json.dumps({k: v for k, v in recipe.items() if k != "models"})),
            "versions": {"torch": torch.__version__, "ultralytics": ultralytics.__version__,
                         "python": platform.python_version(), "machine": platform.machine()},
            "models": models, "clean_detection_rate_when_trained": clean_rates}
    record.write_text(json.dumps(data, indent=1) + "\n")
    return data


def install_checkpoint(arch: str, frozen: dict, models_dir: Path) -> Path:
    """Copy a fixed checkpoint ({"file", "sha256"}) to models_dir/<arch>-demo.pt, verifying its
    sha256 (BundleError when the shipped file is missing or not the recorded one)."""
    import shutil

    from evaluators.common.errors import BundleError

    src, want = Path(frozen["file"]), frozen["sha256"]
    if not src.is_file():
        raise BundleError(f"fixed {arch} checkpoint {src} is missing")
    if sha256_file(src) != want:
        raise BundleError(f"fixed {arch} checkpoint {src} does not match its recorded sha256 {want[:12]}...")
    dst = models_dir / f"{arch}-demo.pt"
    if not dst.is_file() or sha256_file(dst) != want:
        models_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return dst


def train_detectors(cfg: dict, train_bundle: Path, out_dir: Path, progress=None) -> dict[str, Path]:
    """Train both demo detectors on the public training scenes (reused when already trained);
    returns {arch: checkpoint}."""
    from authoring.driving.scenegen.train import export_yolo_dataset, train_detector

    data = export_yolo_dataset(train_bundle, out_dir / "yolo")
    checkpoints = {}
    for _, arch, _ in DETECTORS:
        _log(f"training {arch} (cached when already trained)")
        epochs, extra = cfg["epochs"][arch]
        checkpoints[arch] = train_detector(arch, data, out_dir / "models", epochs=epochs, extra_epochs=extra,
                                           imgsz=cfg["train_imgsz"], batch=8, seed=0, progress=progress)
        record = checkpoints[arch].with_suffix(".json")
        if record.is_file():
            rec = json.loads(record.read_text())
            _log(f"{arch}: {rec['epochs']}+{rec['extra_epochs']} epochs, {rec['cpu_seconds'] / 60:.1f} CPU-minutes, "
                 f"{rec['wall_seconds'] / 60:.1f} min wall")
    return checkpoints


def build_demo(out_dir: Path, *, quick: bool = False, config: dict | None = None, progress=None,
               train: bool = False) -> dict:
    """``config`` (same keys as FULL) replaces the QUICK/FULL choice, e.g. the reference
    solutions' CI-sized demo. With ``config["models"]`` the detectors are those fixed files
    (sha256 checked), not trained here. ``progress(stage, percent)``: default, stage lines with the
    time left on stderr (``authoring.progress``)."""
    from ..progress import StageProgress

    report = progress or StageProgress("driving demo")
    cfg = dict(config or (QUICK if quick else FULL))
    shipped = None if config is not None or quick or train else fixed_detectors(DEMO_RECORD)
    if shipped:
        cfg["models"] = shipped  # the shipped full-demo detectors, not trained here
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    n_kind, n_frames = cfg["hidden"]
    hidden = build_scene_bundle(out_dir / "hidden", hidden_plan(n_kind, n_frames), public=False,
                                name=f"{cfg['name']}-hidden", progress=lambda p: report("hidden scenes", p))
    train = build_scene_bundle(out_dir / "public_train", train_plan(*cfg["train"]), public=True,
                               name=f"{cfg['name']}-public-train", progress=lambda p: report("public training scenes", p))
    from .baselines import full_mask

    example = example_patcher(noise_texture(1)[:, :, ::-1].copy(), full_mask())
    val = build_scene_bundle(out_dir / "public_val", val_plan(cfg["val"], cfg["examples"]), public=True,
                             name=f"{cfg['name']}-public-val", example_patch=example,
                             progress=lambda p: report("public validation scenes", p))
    if cfg.get("models"):
        checkpoints = {}
        for _, arch, _ in DETECTORS:
            _log(f"{arch}: the fixed checkpoint {Path(cfg['models'][arch]['file']).name} (not trained here)")
            checkpoints[arch] = install_checkpoint(arch, cfg["models"][arch], out_dir / "models")
    else:
        checkpoints = train_detectors(cfg, train, out_dir, progress=report)
    model_set = write_model_set(out_dir, checkpoints, cfg["imgsz"])
    from .clean_rate import cached_clean_rates

    rates = cached_clean_rates(out_dir, hidden, model_set, log=_log, progress=report)
    for name, per in rates.items():
        flag = "ok" if per["all"] >= 0.95 else "BELOW 95%"
        _log(f"clean hidden frames with the target detected by {name}: {100 * per['all']:.1f}% ({flag})")
    baselines = write_baselines(out_dir / "baselines")
    ms = str(model_set)
    return {
        "phases": {
            "public": {"bundle": str(val), "settings": {"model_set": ms, "area_weight": 0.2, "max_regions": 5}},
            "preliminary": {"bundle": str(hidden),
                            "settings": {"model_set": ms, "area_weight": 0.2, "max_regions": 5, "kinds": ["truck"]}},
            "final": {"bundle": str(hidden),
                      "settings": {"model_set": ms, "area_weight": 0.2, "max_regions": 5,
                                   "final_mix": {"truck": 0.8, "mannequin": 0.2}}},
        },
        "baselines": baselines,
        "clean_detection_rate": {name: per["all"] for name, per in rates.items()},
    }
