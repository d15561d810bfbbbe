"""Run a float TensorFlow Lite model in torch, with gradients.

The flatbuffer is read with LiteRT's own generated schema (``ai_edge_litert``), weights
become buffers and each operator runs as a torch op with TFLite semantics (NCHW inside).
Quantized models and unknown operators raise with a message naming what is missing.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import tf_ops

_NP_TYPES = {"FLOAT32": np.float32, "INT32": np.int32, "INT64": np.int64}


def _schema():
    from ai_edge_litert import schema_py_generated as schema

    return schema


def _names(enum_cls) -> dict[int, str]:
    return {v: k for k, v in vars(enum_cls).items() if not k.startswith("_")}


class TFLiteGraph(nn.Module):
    """``forward(x)`` takes the model's (single) input as NCHW and returns its first output."""

    def __init__(self, data: bytes):
        super().__init__()
        s = _schema()
        model = s.Model.GetRootAsModel(data, 0)
        if model.SubgraphsLength() != 1:
            raise ValueError(f"expected one subgraph, found {model.SubgraphsLength()}")
        graph = model.Subgraphs(0)
        op_names = _names(s.BuiltinOperator)
        type_names = _names(s.TensorType)
        self.padding_names = _names(s.Padding)
        self.activation_names = _names(s.ActivationFunctionType)
        codes = []
        for i in range(model.OperatorCodesLength()):
            oc = model.OperatorCodes(i)
            codes.append(op_names.get(max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode()), "CUSTOM"))
        self.ops = []
        self._keys: dict[int, str] = {}
        consumers: dict[int, str] = {}
        for i in range(graph.OperatorsLength()):
            op = graph.Operators(i)
            ins = [int(t) for t in op.InputsAsNumpy()]
            outs = [int(t) for t in op.OutputsAsNumpy()]
            self.ops.append((codes[op.OpcodeIndex()], ins, outs, self._options(s, codes[op.OpcodeIndex()], op)))
            for t in ins:
                consumers.setdefault(t, codes[op.OpcodeIndex()])
        for t in range(graph.TensorsLength()):
            tensor = graph.Tensors(t)
            raw = model.Buffers(tensor.Buffer()).DataAsNumpy()
            if isinstance(raw, int) or raw is None or len(raw) == 0:
                continue
            tname = type_names[tensor.Type()]
            if tname not in _NP_TYPES or tensor.Quantization() and tensor.Quantization().ScaleLength():
                raise ValueError(f"tensor {tensor.Name()!r} is {tname}/quantized; only float models are supported")
            arr = np.frombuffer(raw.tobytes(), _NP_TYPES[tname]).reshape(tensor.ShapeAsNumpy())
            kind = consumers.get(t)
            if kind == "CONV_2D" and arr.ndim == 4:
                arr = arr.transpose(0, 3, 1, 2)  # OHWI -> OIHW
            elif kind == "DEPTHWISE_CONV_2D" and arr.ndim == 4:
                arr = arr.transpose(3, 0, 1, 2)  # 1HWC -> C1HW
            self._keys[t] = f"t{t}"
            self.register_buffer(f"t{t}", torch.from_numpy(np.array(arr, copy=True)), persistent=False)
        inputs, outputs = graph.InputsAsNumpy(), graph.OutputsAsNumpy()
        if len(inputs) != 1:
            raise ValueError(f"expected one model input, found {len(inputs)}")
        self.input, self.output = int(inputs[0]), int(outputs[0])
        for name, *_ in self.ops:
            if name not in _RUNNERS:
                raise NotImplementedError(f"TFLite operator {name} is not supported by the torch port")

    def _options(self, s, name: str, op) -> dict:
        table = op.BuiltinOptions()
        if table is None:
            return {}
        cls = {"CONV_2D": s.Conv2DOptions, "DEPTHWISE_CONV_2D": s.DepthwiseConv2DOptions,
               "ADD": s.AddOptions, "MUL": s.MulOptions, "SUB": s.SubOptions}.get(name)
        if cls is None:
            return {}
        o = cls()
        o.Init(table.Bytes, table.Pos)
        out = {"act": self.activation_names[o.FusedActivationFunction()]}
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            out.update(stride=(o.StrideH(), o.StrideW()), dilation=(o.DilationHFactor(), o.DilationWFactor()),
                       padding=self.padding_names[o.Padding()])
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        vals = {t: getattr(self, k) for t, k in self._keys.items()}
        vals[self.input] = x
        for name, ins, outs, opts in self.ops:
            y = _RUNNERS[name]([vals[t] if t >= 0 else None for t in ins], opts)
            vals[outs[0]] = _activation(y, opts.get("act", "NONE"))
        return vals[self.output]

    @classmethod
    def from_file(cls, path: str | Path) -> "TFLiteGraph":
        return cls(Path(path).read_bytes())


def _activation(x: torch.Tensor, act: str) -> torch.Tensor:
    if act == "NONE":
        return x
    if act == "RELU":
        return F.relu(x)
    if act == "RELU6":
        return F.relu6(x)
    raise NotImplementedError(f"fused activation {act} is not supported")


def _ch(v: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    if ref.dim() == 4 and v.dim() == 1 and v.numel() > 1:
        return v.view(1, -1, 1, 1)
    return v


def _conv(a, o):
    return tf_ops.conv2d(a[0], a[1], a[2] if len(a) > 2 else None, o["stride"], o["padding"], o["dilation"])


def _depthwise(a, o):
    x, w = a[0], a[1]
    if w.shape[0] != x.shape[1]:
        raise NotImplementedError("depthwise multiplier != 1 is not supported")
    return tf_ops.conv2d(x, w, a[2] if len(a) > 2 else None, o["stride"], o["padding"], o["dilation"], groups=x.shape[1])


def _reshape(a, o):
    shape = [int(v) for v in a[1].tolist()]
    if shape and shape[0] != -1:
        shape[0] = a[0].shape[0]  # models are often converted with a fixed batch size
    return tf_ops.to_nchw(tf_ops.to_nhwc(a[0]).reshape(shape))


_RUNNERS = {
    "CONV_2D": _conv,
    "DEPTHWISE_CONV_2D": _depthwise,
    "ADD": lambda a, o: _ch(a[0], a[1]) + _ch(a[1], a[0]),
    "SUB": lambda a, o: _ch(a[0], a[1]) - _ch(a[1], a[0]),
    "MUL": lambda a, o: _ch(a[0], a[1]) * _ch(a[1], a[0]),
    "ABS": lambda a, o: a[0].abs(),
    "RELU": lambda a, o: F.relu(a[0]),
    "RELU6": lambda a, o: F.relu6(a[0]),
    "RESHAPE": _reshape,
}
