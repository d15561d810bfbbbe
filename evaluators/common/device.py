"""Where scorers run: one device setting, ``auto | cpu | cuda | cuda:N``.

``auto`` is the first CUDA GPU when torch sees one, else the CPU. Asking for ``cuda`` on a
worker without one is an error that says so (``DeviceUnavailable``, an infra failure: the
submission is retried, never charged), not a silent run on the CPU. Backends with no GPU path
(dlib, OpenCV DNN, LiteRT) run on the CPU whatever the setting and say so in the result.
"""
from __future__ import annotations

import re

from .errors import BundleError

DEVICE_RE = re.compile(r"^(auto|cpu|cuda(:[0-9]+)?)$")


class DeviceUnavailable(BundleError):
    """The device a phase or worker asks for is not on this worker."""


def check_device(value: object) -> str:
    """The setting's value if well formed (raises BundleError naming the accepted forms)."""
    if not isinstance(value, str) or not DEVICE_RE.match(value):
        raise BundleError(f"device {value!r}: use auto, cpu, cuda or cuda:N")
    return value


def cuda_count() -> int:
    try:
        import torch
    except ImportError:
        return 0
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def resolve_device(requested: str = "auto") -> str:
    """``cpu`` or ``cuda:N`` for a setting (see the module docstring)."""
    requested = check_device(requested)
    if requested == "cpu":
        return "cpu"
    n = cuda_count()
    if requested == "auto":
        return "cuda:0" if n else "cpu"
    index = int(requested.split(":")[1]) if ":" in requested else 0
    if n == 0:
        raise DeviceUnavailable(f"device {requested!r} was asked for, but this worker has no CUDA GPU that torch can "
                                "use (torch.cuda.is_available() is False); run the phase on a GPU worker (queue "
                                "gpu) or set AISC_DEVICE=cpu")
    if index >= n:
        raise DeviceUnavailable(f"device {requested!r} was asked for, but this worker has {n} CUDA GPU(s) "
                                f"(cuda:0..cuda:{n - 1})")
    return f"cuda:{index}"


def onnx_providers(device: str) -> list:
    """onnxruntime execution providers for a resolved device."""
    if device == "cpu":
        return ["CPUExecutionProvider"]
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        raise DeviceUnavailable(f"device {device!r}: onnxruntime on this worker has no CUDAExecutionProvider; "
                                "install onnxruntime-gpu instead of onnxruntime")
    return [("CUDAExecutionProvider", {"device_id": int(device.split(":")[1])}), "CPUExecutionProvider"]
