"""Train the demo's detectors with Ultralytics on the public training scenes (CPU, offline).

White-box: YOLOv3-tiny (the packaged Ultralytics yaml at half width). Black-box: YOLOv8n.
Fixed seeds, ``deterministic=True``; nothing is downloaded (no pretrained weights, no
fonts, no AMP check). The results are ordinary Ultralytics checkpoints.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import yaml

from evaluators.driving.bundle import load_bundle

NAMES = ["person", "car", "truck", "bus"]


def offline_ultralytics(config_dir: Path) -> None:
    """Keep Ultralytics from touching the network or the home directory."""
    config_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("YOLO_CONFIG_DIR", str(config_dir))
    os.environ["YOLO_OFFLINE"] = "1"
    from ultralytics import settings

    off = {k: False for k in ("sync", "hub", "tensorboard", "mlflow", "wandb", "clearml", "comet", "dvc",
                              "neptune", "raytune") if k in settings}
    settings.update(off)


def export_yolo_dataset(public_bundle: Path, out_dir: Path, val_every: int = 10, every: int = 2,
                        crop: int = 256, seed: int = 0) -> Path:
    """Crops (crop x crop, native resolution) around the target of every ``every``-th public
    training frame, with YOLO labels; returns data.yaml. Native-resolution crops keep distant
    targets large in the network input, so small CPU training runs learn them; the detectors
    then run on whole frames at imgsz 640 (the same pixel scale)."""
    import cv2
    import numpy as np

    data_yaml = out_dir / "data.yaml"
    if data_yaml.is_file():
        return data_yaml
    rng = np.random.default_rng(seed)
    bundle = load_bundle(public_bundle)
    for split in ("train", "val"):
        (out_dir / "images" / split).mkdir(parents=True, exist_ok=True)
        (out_dir / "labels" / split).mkdir(parents=True, exist_ok=True)
    n = 0
    for scene in bundle.scenes:
        label = NAMES.index(_scene_label(scene))
        for i, box in enumerate(scene.boxes or []):
            if i % every or box is None:
                continue
            split = "val" if n % val_every == 0 else "train"
            n += 1
            img = scene.frame(i)
            x0, y0, x1, y1 = box
            s = min(1.0, 0.9 * crop / max(x1 - x0, y1 - y0))
            if s < 1.0:
                img = cv2.resize(img, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
                x0, y0, x1, y1 = x0 * s, y0 * s, x1 * s, y1 * s
            h, w = img.shape[:2]
            cx0 = int(np.clip(rng.uniform(x1 - crop, x0), 0, max(0, w - crop)))
            cy0 = int(np.clip(rng.uniform(y1 - crop, y0), 0, max(0, h - crop)))
            patch = img[cy0 : cy0 + crop, cx0 : cx0 + crop]
            bx0, by0 = max(x0 - cx0, 0), max(y0 - cy0, 0)
            bx1, by1 = min(x1 - cx0, patch.shape[1]), min(y1 - cy0, patch.shape[0])
            stem = f"{scene.name}_{i:04d}"
            cv2.imwrite(str(out_dir / "images" / split / f"{stem}.jpg"), patch, [cv2.IMWRITE_JPEG_QUALITY, 95])
            ph, pw = patch.shape[:2]
            line = f"{label} {(bx0 + bx1) / 2 / pw:.6f} {(by0 + by1) / 2 / ph:.6f} {(bx1 - bx0) / pw:.6f} {(by1 - by0) / ph:.6f}"
            (out_dir / "labels" / split / f"{stem}.txt").write_text(line + "\n")
    data_yaml.write_text(yaml.safe_dump({"path": str(out_dir.resolve()), "train": "images/train", "val": "images/val",
                                         "names": dict(enumerate(NAMES))}))
    return data_yaml


def _scene_label(scene) -> str:
    return (scene.root / "label.txt").read_text().strip()


def model_yaml(arch: str, out_dir: Path) -> Path:
    """The packaged Ultralytics model yaml, with nc=4 (and half width for yolov3-tiny)."""
    import ultralytics

    cfg = Path(ultralytics.__file__).parent / "cfg" / "models"
    src = {"yolov3-tiny": cfg / "v3" / "yolov3-tiny.yaml", "yolov8n": cfg / "v8" / "yolov8.yaml"}[arch]
    spec = yaml.safe_load(src.read_text())
    spec["nc"] = len(NAMES)
    if arch == "yolov3-tiny":
        spec["width_multiple"] = 0.5
    else:
        spec.pop("scales", None)
        spec["depth_multiple"], spec["width_multiple"], spec["max_channels"] = 0.33, 0.25, 1024
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{arch}-demo.yaml"
    out.write_text(yaml.safe_dump(spec, sort_keys=False))
    return out


def _fit(model, data_yaml: Path, out_dir: Path, name: str, *, epochs: int, imgsz: int, batch: int, seed: int,
         fraction: float, init: Path | None = None, on_epoch=None) -> Path:
    """One Ultralytics training run; ``init``: start from these weights (no warm-up, lower lr);
    ``on_epoch(done, total)`` after every epoch."""
    stage = {"pretrained": str(init), "warmup_epochs": 0, "lr0": 0.001} if init else {}
    if on_epoch is not None:
        model.add_callback("on_train_epoch_end", lambda trainer: on_epoch(trainer.epoch + 1, trainer.epochs))
    model.train(
        data=str(data_yaml), epochs=epochs, imgsz=imgsz, batch=batch, seed=seed, deterministic=True,
        device="cpu", workers=0, plots=False, amp=False, val=False, verbose=False,
        project=str((out_dir / "runs").resolve()), name=name, exist_ok=True, fraction=fraction,
        **{"pretrained": False, "optimizer": "AdamW", "lr0": 0.002, "warmup_epochs": 1, "mosaic": 0.0, "close_mosaic": 0, "scale": 0.3,
           "cache": True, "patience": 0, **stage},
    )
    ckpt = out_dir / "runs" / name / "weights" / "last.pt"
    if not ckpt.is_file():
        raise RuntimeError(f"training {name} produced no checkpoint at {ckpt}")
    return ckpt


def train_detector(arch: str, data_yaml: Path, out_dir: Path, *, epochs: int, imgsz: int = 256,
                   batch: int = 8, seed: int = 0, fraction: float = 1.0, extra_epochs: int = 0,
                   progress=None) -> Path:
    """Train one detector from its yaml for ``epochs``, then (``extra_epochs`` > 0) a second
    run starting from those weights; returns the checkpoint (reused when it already exists).
    ``<arch>-demo.json`` beside it records the recipe and the training's CPU and wall seconds."""
    final = out_dir / f"{arch}-demo.pt"  # not an official asset name: Ultralytics never fetches it
    if final.is_file():
        return final
    cpu0, wall0 = time.process_time(), time.monotonic()
    offline_ultralytics(out_dir.parent / "ultralytics_config")
    import torch
    from ultralytics import YOLO

    torch.set_num_threads(2)
    kw = dict(imgsz=imgsz, batch=batch, seed=seed, fraction=fraction)
    total = epochs + extra_epochs

    def epoch_done(offset: int):
        return None if progress is None else (lambda done, _n: progress(f"training {arch}", 100.0 * (offset + done) / total))

    ckpt = _fit(YOLO(str(model_yaml(arch, out_dir)), task="detect"), data_yaml, out_dir, arch, epochs=epochs,
                on_epoch=epoch_done(0), **kw)
    if extra_epochs:
        ckpt = _fit(YOLO(str(model_yaml(arch, out_dir)), task="detect"), data_yaml, out_dir, f"{arch}-stage2",
                    epochs=extra_epochs, init=ckpt, on_epoch=epoch_done(epochs), **kw)
    shutil.copyfile(ckpt, final)
    record = {"arch": arch, "epochs": epochs, "extra_epochs": extra_epochs, "imgsz": imgsz, "batch": batch,
              "seed": seed, "fraction": fraction, "cpu_seconds": round(time.process_time() - cpu0, 1),
              "wall_seconds": round(time.monotonic() - wall0, 1), "torch_threads": torch.get_num_threads()}
    final.with_suffix(".json").write_text(json.dumps(record, indent=1))
    return final


def _scrub_paths(value):
    """Machine paths (training folders, yaml files) reduced to file names, in nested dicts,
    lists and namespaces."""
    if isinstance(value, str) and ("/" in value or "\\" in value):
        return Path(value).name
    if isinstance(value, dict):
        return {k: _scrub_paths(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub_paths(v) for v in value)
    if hasattr(value, "__dict__") and type(value).__name__ == "IterableSimpleNamespace":
        for k, v in vars(value).items():
            setattr(value, k, _scrub_paths(v))
    return value


def freeze_checkpoint(src: Path, dst: Path, workdir: Path) -> None:
    """Write an Ultralytics checkpoint with only what inference needs: the (EMA) model in half
    precision and its training arguments with machine paths reduced to file names; no optimizer
    state, no date. Refuses to write a file that still names ``workdir``."""
    import io
    import zipfile

    import torch

    ckpt = torch.load(src, map_location="cpu", weights_only=False)
    model = ckpt["ema"] if ckpt.get("ema") is not None else ckpt["model"]
    for attr in ("args", "yaml", "yaml_file", "pt_path"):
        if hasattr(model, attr):
            setattr(model, attr, _scrub_paths(getattr(model, attr)))
    buf = io.BytesIO()
    torch.save({"model": model.half(), "train_args": _scrub_paths(dict(ckpt.get("train_args") or {})),
                "version": ckpt.get("version"), "date": None}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        leaked = [n for n in z.namelist() if str(workdir).encode() in z.read(n)]
    if leaked:
        raise RuntimeError(f"the frozen checkpoint still names {workdir} in {leaked}")
    dst.write_bytes(buf.getvalue())
