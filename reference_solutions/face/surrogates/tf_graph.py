"""Run a frozen TensorFlow GraphDef (``.pb``) in torch, with gradients.

The graph is read with the protobuf wire reader (no TensorFlow needed); constants become
buffers, and each node is executed by a torch op with TensorFlow semantics. Activations
are kept in NCHW; NHWC-specific attributes (axes, reshapes) are translated on the fly.
Only the ops used by inference graphs of common CNNs are supported; an unknown op raises
with its name, so a new graph fails loudly rather than silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import tf_ops
from .protowire import as_float32, iter_fields, packed_varints

DTYPES = {1: np.float32, 3: np.int32, 9: np.int64}


@dataclass
class Node:
    name: str
    op: str
    inputs: list[str]
    attrs: dict[str, object] = field(default_factory=dict)


def _decode_tensor(buf) -> np.ndarray:
    dtype, shape, content, floats, ints = 1, [], None, [], []
    for num, wire, val in iter_fields(buf):
        if num == 1:
            dtype = val
        elif num == 2:
            for n2, _, dim in iter_fields(val):
                if n2 == 2:
                    size = [v for n3, _, v in iter_fields(dim) if n3 == 1]
                    shape.append(size[0] if size else 0)
        elif num == 4:
            content = bytes(val)
        elif num == 5:
            floats.extend(np.frombuffer(bytes(val), "<f4") if wire == 2 else [as_float32(val)])
        elif num in (7, 10):
            ints.extend(packed_varints(val))
    if dtype not in DTYPES:
        raise ValueError(f"unsupported tensor dtype {dtype}")
    np_dtype = DTYPES[dtype]
    count = int(np.prod(shape)) if shape else 1
    if content is not None:
        arr = np.frombuffer(content, np.dtype(np_dtype).newbyteorder("<")).astype(np_dtype)
    else:
        vals = floats if dtype == 1 else ints
        arr = np.array(vals, np_dtype)
        if arr.size == 1 and count > 1:
            arr = np.full(count, arr[0], np_dtype)
    return arr.reshape(shape)


def _decode_attr(buf) -> object:
    for num, wire, val in iter_fields(buf):
        if num == 1:  # list
            items: list = []
            for n2, w2, v2 in iter_fields(val):
                if n2 == 2:
                    items.append(bytes(v2).decode())
                elif n2 in (3, 6):
                    items.extend(packed_varints(v2))
                elif n2 == 4:
                    items.extend(np.frombuffer(bytes(v2), "<f4").tolist() if w2 == 2 else [as_float32(v2)])
            return items
        if num == 2:
            return bytes(val).decode(errors="replace")
        if num in (3, 6):
            return val
        if num == 4:
            return as_float32(val)
        if num == 5:
            return bool(val)
        if num == 8:
            return _decode_tensor(val)
    return None


def parse_graphdef(data: bytes) -> list[Node]:
    nodes = []
    for num, _, val in iter_fields(data):
        if num != 1:
            continue
        name, op, inputs, attrs = "", "", [], {}
        for n2, _, v2 in iter_fields(val):
            if n2 == 1:
                name = bytes(v2).decode()
            elif n2 == 2:
                op = bytes(v2).decode()
            elif n2 == 3:
                inputs.append(bytes(v2).decode())
            elif n2 == 5:
                key, value = None, None
                for n3, _, v3 in iter_fields(v2):
                    if n3 == 1:
                        key = bytes(v3).decode()
                    elif n3 == 2:
                        value = v3
                if key is not None and value is not None:
                    attrs[key] = _decode_attr(value)
        nodes.append(Node(name, op, [i.split(":")[0] for i in inputs if not i.startswith("^")], attrs))
    if not nodes:
        raise ValueError("no nodes found: not a TensorFlow GraphDef")
    return nodes


def _hw(attr: list[int]) -> tuple[int, int]:
    return int(attr[1]), int(attr[2])  # NHWC strides / ksize / dilations


class TFGraph(nn.Module):
    """``forward(x)`` takes the input placeholder in NCHW and returns the output node."""

    def __init__(self, nodes: list[Node], output: str):
        super().__init__()
        by_name = {n.name: n for n in nodes}
        if output not in by_name:
            raise ValueError(f"output node {output!r} is not in the graph")
        order, seen = [], set()

        def visit(name: str) -> None:  # iterative DFS keeps deep graphs off the recursion limit
            stack = [(name, False)]
            while stack:
                cur, done = stack.pop()
                if done:
                    order.append(by_name[cur])
                    continue
                if cur in seen:
                    continue
                seen.add(cur)
                stack.append((cur, True))
                stack.extend((i, False) for i in by_name[cur].inputs if i not in seen)

        visit(output)
        self.order = [n for n in order if n.op != "Const"]
        self.output = output
        self._const_names = {}
        for n in order:
            if n.op == "Const":
                arr = n.attrs["value"]
                if n.attrs.get("dtype") == 1 and arr.ndim == 4:
                    consumers = [m for m in order if n.name in m.inputs]
                    if consumers and consumers[0].op == "Conv2D":
                        arr = arr.transpose(3, 2, 0, 1)  # HWIO -> OIHW
                key = f"c{len(self._const_names)}"
                self._const_names[n.name] = key
                self.register_buffer(key, torch.from_numpy(np.array(arr, copy=True)), persistent=False)
        placeholders = [n for n in self.order if n.op == "Placeholder"]
        if len(placeholders) != 1:
            raise ValueError(f"expected one input placeholder, found {len(placeholders)}")

    def _const(self, name: str) -> torch.Tensor:
        return getattr(self, self._const_names[name])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        vals = {name: self._const(name) for name in self._const_names}
        for n in self.order:
            args = [vals[i] for i in n.inputs]
            vals[n.name] = x if n.op == "Placeholder" else _run(n, args)
        return vals[self.output]

    @classmethod
    def from_file(cls, path: str | Path, output: str) -> "TFGraph":
        return cls(parse_graphdef(Path(path).read_bytes()), output)


def _channel(v: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    """Broadcast a per-channel vector against an NCHW activation."""
    if ref.dim() == 4 and v.dim() == 1 and v.numel() > 1:
        return v.view(1, -1, 1, 1)
    return v


def _binary(a: torch.Tensor, b: torch.Tensor, fn) -> torch.Tensor:
    return fn(_channel(a, b), _channel(b, a))


def _run(n: Node, a: list[torch.Tensor]) -> torch.Tensor:
    op, at = n.op, n.attrs
    if op in ("Identity", "StopGradient"):
        return a[0]
    if op == "Conv2D":
        return tf_ops.conv2d(a[0], a[1], None, _hw(at["strides"]), at["padding"], _hw(at.get("dilations", [1, 1, 1, 1])))
    if op == "BiasAdd":
        return a[0] + _channel(a[1], a[0])
    if op == "Relu":
        return F.relu(a[0])
    if op == "Relu6":
        return F.relu6(a[0])
    if op in ("MaxPool", "AvgPool"):
        return tf_ops.pool2d(a[0], op[:3].lower(), _hw(at["ksize"]), _hw(at["strides"]), at["padding"])
    if op == "ConcatV2":
        axis = int(a[-1])
        tensors = a[:-1]
        return torch.cat(tensors, tf_ops.nhwc_axis_to_nchw(axis) if tensors[0].dim() == 4 else axis)
    if op in ("Add", "AddV2"):
        return _binary(a[0], a[1], torch.add)
    if op == "Mul":
        return _binary(a[0], a[1], torch.mul)
    if op == "Sub":
        return _binary(a[0], a[1], torch.sub)
    if op == "Maximum":
        return _binary(a[0], a[1], torch.maximum)
    if op == "Reshape":
        shape = [int(s) for s in a[1].tolist()]
        if shape and shape[0] != -1:  # frozen graphs often bake in batch size 1
            shape[0] = a[0].shape[0]
        return tf_ops.to_nchw(tf_ops.to_nhwc(a[0]).reshape(shape))
    if op == "MatMul":
        x, w = a
        x = x.t() if at.get("transpose_a") else x
        w = w.t() if at.get("transpose_b") else w
        return x @ w
    if op == "FusedBatchNorm" or op.startswith("FusedBatchNormV"):
        x, scale, offset, mean, var = a[:5]
        inv = scale * torch.rsqrt(var + float(at.get("epsilon", 1e-3)))
        return x * _channel(inv, x) + _channel(offset - mean * inv, x)
    if op == "Square":
        return a[0] * a[0]
    if op == "Rsqrt":
        return torch.rsqrt(a[0])
    if op == "Sum":
        axes = [int(v) for v in a[1].reshape(-1).tolist()]
        if a[0].dim() == 4:
            axes = [tf_ops.nhwc_axis_to_nchw(v) for v in axes]
        return a[0].sum(dim=axes, keepdim=bool(at.get("keep_dims")))
    raise NotImplementedError(f"TensorFlow op {op!r} (node {n.name}) is not supported by the torch port")
