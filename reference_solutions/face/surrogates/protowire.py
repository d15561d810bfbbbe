"""A minimal protobuf wire-format reader, enough to walk a TensorFlow GraphDef.

Reading the wire format directly avoids needing TensorFlow or compiled ``.proto`` files:
every message is a sequence of (field number, wire type, value) triples.
"""
from __future__ import annotations

import struct
from typing import Iterator

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5


def read_varint(buf: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def iter_fields(buf: bytes | memoryview) -> Iterator[tuple[int, int, object]]:
    """Yield (field_number, wire_type, value): ints for varints, memoryviews otherwise."""
    buf = memoryview(buf)
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == FIXED64:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == LENGTH:
            size, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == FIXED32:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire} for field {number}")
        if pos > end:
            raise ValueError(f"field {number} runs past the end of its message")
        yield number, wire, value


def packed_varints(value: object) -> list[int]:
    """A repeated int field: either packed (LENGTH) bytes or a single varint."""
    if isinstance(value, int):
        return [value]
    buf, pos, out = memoryview(value), 0, []
    while pos < len(buf):
        v, pos = read_varint(buf, pos)
        out.append(v - (1 << 64) if v >= 1 << 63 else v)
    return out


def as_float32(value: object) -> float:
    return struct.unpack("<f", bytes(value))[0]
