"""TensorFlow-semantics ops in torch (NCHW): SAME padding is asymmetric in TF (the extra
pixel goes bottom/right), and TF's SAME average pooling does not count the padding."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def pad_same(x: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int],
             dilation: tuple[int, int] = (1, 1), value: float = 0.0) -> torch.Tensor:
    top, bottom = same_padding(x.shape[2], kernel[0], stride[0], dilation[0])
    left, right = same_padding(x.shape[3], kernel[1], stride[1], dilation[1])
    if top == bottom == left == right == 0:
        return x
    return F.pad(x, (left, right, top, bottom), value=value)


def conv2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, stride: tuple[int, int],
           padding: str, dilation: tuple[int, int] = (1, 1), groups: int = 1) -> torch.Tensor:
    """``weight`` is OIHW (torch layout); ``padding`` is "SAME" or "VALID"."""
    if padding == "SAME":
        x = pad_same(x, tuple(weight.shape[2:]), stride, dilation)
    elif padding != "VALID":
        raise ValueError(f"unsupported padding {padding!r}")
    return F.conv2d(x, weight, bias, stride=stride, dilation=dilation, groups=groups)


def pool2d(x: torch.Tensor, kind: str, kernel: tuple[int, int], stride: tuple[int, int],
           padding: str) -> torch.Tensor:
    if padding == "VALID":
        fn = F.max_pool2d if kind == "max" else F.avg_pool2d
        return fn(x, kernel, stride)
    if kind == "max":
        return F.max_pool2d(pad_same(x, kernel, stride, value=float("-inf")), kernel, stride)
    summed = F.avg_pool2d(pad_same(x, kernel, stride), kernel, stride, divisor_override=1)
    ones = pad_same(torch.ones_like(x[:1, :1]), kernel, stride)
    counts = F.avg_pool2d(ones, kernel, stride, divisor_override=1)
    return summed / counts


def nhwc_axis_to_nchw(axis: int) -> int:
    return {0: 0, 1: 2, 2: 3, 3: 1}[axis % 4]


def to_nhwc(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def to_nchw(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x
