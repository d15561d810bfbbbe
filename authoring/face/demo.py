"""The offline face demo, built only from face photos shipped in packages (DESIGN.md section 7).

Steps (each reused when already built in ``out_dir``):
1. an LFW-style folder ``lfw/<Name>/<Name>_0001.jpg`` of the packaged photos (multi-face photos
   are cut into one crop per face) and a ``pairs.txt`` of every different-identity pair;
2. ``build-face-bundle`` on it (MTCNN + ArcFace alignment);
3. a model set of the three offline models, calibrated at FAR 0.1% on impostor pairs of jittered
   copies of the aligned faces (``calib/<Name>/*.png``);
4. two baselines per phase: unchanged originals and the naive eye/mouth patch.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np

from evaluators.face.bundle import load_face_bundle
from evaluators.face.models import assets_dir, default_model_entries, write_model_set
from evaluators.face.settings import REPO_ROOT

from .align import detect_faces, load_rgb
from .baselines import write_baseline
from .builder import Aligner, build_face_bundle
from .calibrate import calibrate_model_set

FAR = 0.001


def packaged_photos() -> list[tuple[str, Path, int]]:
    """(identity, photo, face index by size) for the faces in packaged photos."""
    import matplotlib.cbook
    import skimage
    import ultralytics

    photos = assets_dir() / "photos"
    if not (photos / "obama.jpg").is_file():
        subprocess.run(["bash", str(REPO_ROOT / "scripts" / "setup.d" / "face.sh")], check=True)
    ua = Path(ultralytics.__file__).parent / "assets"
    return [
        ("Barack_Obama", photos / "obama.jpg", 0), ("Barack_Obama", photos / "obama2.jpg", 0),
        ("Barack_Obama", photos / "obama3.jpg", 0), ("Joe_Biden", photos / "biden.jpg", 0),
        ("Eileen_Collins", Path(skimage.data.__file__).parent / "astronaut.png", 0),
        ("Grace_Hopper", Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)), 0),
        ("Carlo_Ancelotti", ua / "zidane.jpg", 0), ("Zinedine_Zidane", ua / "zidane.jpg", 1),
        ("Bus_Passenger_A", ua / "bus.jpg", 0), ("Bus_Passenger_B", ua / "bus.jpg", 1),
    ]


def packaged_photo_files() -> list[Path]:
    """The distinct photo files of ``packaged_photos`` (a photo with two faces is listed once), sorted."""
    return sorted({photo for _, photo, _ in packaged_photos()})


def write_lfw_folder(root: Path) -> list[tuple[str, int]]:
    """Crop each packaged face (with a wide margin) into LFW layout. Returns [(name, number)]."""
    from PIL import Image

    entries, counts = [], {}
    for name, photo, idx in packaged_photos():
        counts[name] = counts.get(name, 0) + 1
        num = counts[name]
        dst = root / name / f"{name}_{num:04d}.jpg"
        if not dst.is_file():
            img = load_rgb(photo)
            faces = detect_faces(img)
            x1, y1, x2, y2 = faces[idx].box
            m = max(x2 - x1, y2 - y1)
            box = [int(max(0, x1 - m)), int(max(0, y1 - m)), int(min(img.shape[1], x2 + m)),
                   int(min(img.shape[0], y2 + m))]
            dst.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(img[box[1]:box[3], box[0]:box[2]]).save(dst, quality=95)
        entries.append((name, num))
    return entries


def mismatched_pairs(entries: list[tuple[str, int]]) -> list[str]:
    return [f"{a}\t{i}\t{b}\t{j}" for a, i in entries for b, j in entries if a != b]


def jitter(face: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    import cv2

    ang, sc = rng.uniform(-6, 6), rng.uniform(0.94, 1.06)
    m = cv2.getRotationMatrix2D((56 + rng.uniform(-2, 2), 56 + rng.uniform(-2, 2)), ang, sc)
    out = cv2.warpAffine(face, m, (112, 112), borderMode=cv2.BORDER_REFLECT)
    if rng.random() < 0.5:
        out = out[:, ::-1]
    return np.clip(out.astype(np.float32) * rng.uniform(0.85, 1.15), 0, 255).astype(np.uint8)


def write_calibration_faces(lfw: Path, entries: list[tuple[str, int]], out: Path, per_face: int) -> Path:
    from PIL import Image

    if (out / ".done").is_file():
        return out
    align = Aligner()
    rng = np.random.default_rng(2022)
    for name, num in entries:
        face = align(lfw / name / f"{name}_{num:04d}.jpg")
        if face is None:
            continue
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(face).save(d / f"{num:04d}_00.png")
        for k in range(1, per_face):
            Image.fromarray(np.ascontiguousarray(jitter(face, rng))).save(d / f"{num:04d}_{k:02d}.png")
    (out / ".done").write_text("ok")
    return out


def build_demo(out_dir: Path, *, quick: bool = False) -> dict:
    out = Path(out_dir).resolve() / ("quick" if quick else "full")
    lfw = out / "lfw"
    entries = write_lfw_folder(lfw)
    lines = mismatched_pairs(entries)
    if quick:
        lines = lines[::14][:6]
    (out / "pairs.txt").write_text(f"1\t{len(lines)}\n" + "\n".join(lines) + "\n")
    calib = write_calibration_faces(lfw, entries, out / "calib", 3 if quick else 8)
    model_set = out / "model_set.json"
    if not model_set.is_file() or any(m.get("threshold") is None for m in json.loads(model_set.read_text())["models"]):
        write_model_set(model_set, default_model_entries(), "offline demo models; thresholds at FAR 0.1% on "
                        "jittered packaged faces (few identities: a demo calibration)")
        calibrate_model_set(model_set, calib, FAR)
    bundle_dir = out / "bundle"
    if not (bundle_dir / "manifest.json").is_file():
        build_face_bundle(lfw, out / "pairs.txt", bundle_dir)
    bundle = load_face_bundle(bundle_dir, verify=False)
    baselines = {}
    for kind in ("unchanged", "naive_patch"):
        z = out / "baselines" / f"{kind}.zip"
        if not z.is_file():
            write_baseline(bundle, kind, z)
        baselines[kind] = str(z)
    settings = {"model_set": str(model_set), "connectivity": 8, "max_components": 5, "max_pixels": 1254,
                "n_pairs": bundle.n_pairs}
    phases = {"preliminary": {"bundle": str(bundle_dir), "settings": settings},
              "final": {"bundle": str(bundle_dir), "settings": dict(settings, connectivity=4)}}
    return {"phases": phases, "baselines": baselines}
