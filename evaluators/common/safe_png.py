"""Decode untrusted PNG files safely.

The header (IHDR) is parsed from the raw bytes before any pixel data is inflated, so a
decompression bomb, a wrong size or a wrong bit depth is refused without decoding.
Errors are ``ValueError`` with a message meant for the submitting team.
"""
from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOR_TYPES = {0: "grayscale", 2: "RGB", 3: "palette", 4: "grayscale+alpha", 6: "RGBA"}
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


@dataclass(frozen=True)
class PngHeader:
    width: int
    height: int
    bit_depth: int
    color_type: int

    @property
    def mode(self) -> str:
        return COLOR_TYPES.get(self.color_type, f"unknown color type {self.color_type}")

    def describe(self) -> str:
        return f"{self.width}x{self.height} {self.bit_depth}-bit {self.mode}"


def read_header(data: bytes) -> PngHeader:
    """Parse the PNG signature and IHDR chunk; raise ValueError if it is not a PNG."""
    if len(data) < 33 or not data.startswith(PNG_SIGNATURE):
        raise ValueError("is not a PNG file (the PNG signature is missing)")
    length, ctype = struct.unpack(">I4s", data[8:16])
    if ctype != b"IHDR" or length != 13:
        raise ValueError("is not a valid PNG (the first chunk is not IHDR)")
    width, height, bit_depth, color_type, _c, _f, interlace = struct.unpack(">IIBBBBB", data[16:29])
    crc = struct.unpack(">I", data[29:33])[0]
    if zlib.crc32(data[12:29]) & 0xFFFFFFFF != crc:
        raise ValueError("is a corrupt PNG (IHDR checksum mismatch)")
    if width == 0 or height == 0:
        raise ValueError("is a PNG with zero width or height")
    if color_type not in COLOR_TYPES:
        raise ValueError(f"is a PNG with an invalid color type {color_type}")
    if interlace not in (0, 1):
        raise ValueError("is a PNG with an invalid interlace method")
    return PngHeader(width, height, bit_depth, color_type)


def decode_png(
    data: bytes,
    *,
    max_pixels: int,
    expect_size: tuple[int, int] | None = None,
    allowed_modes: tuple[str, ...] = ("RGB",),
    bit_depth: int = 8,
) -> tuple[np.ndarray, PngHeader]:
    """Check the header, then decode. Returns (array HxWxC uint8, header).

    ``expect_size`` is (width, height). ``allowed_modes`` are names from COLOR_TYPES.
    """
    from PIL import Image

    hdr = read_header(data)
    if hdr.width * hdr.height > max_pixels:
        raise ValueError(
            f"declares {hdr.width}x{hdr.height} pixels, more than the limit of {max_pixels} "
            "(possible decompression bomb)"
        )
    if expect_size is not None and (hdr.width, hdr.height) != tuple(expect_size):
        raise ValueError(
            f"is {hdr.width}x{hdr.height}; it must be {expect_size[0]}x{expect_size[1]} pixels"
        )
    if hdr.bit_depth != bit_depth:
        raise ValueError(f"is {hdr.bit_depth}-bit per channel; it must be {bit_depth}-bit")
    if hdr.mode not in allowed_modes:
        raise ValueError(f"is {hdr.mode}; it must be {' or '.join(allowed_modes)}")
    old = Image.MAX_IMAGE_PIXELS
    try:
        Image.MAX_IMAGE_PIXELS = max_pixels
        with Image.open(io.BytesIO(data), formats=["PNG"]) as im:
            im.load()
            arr = np.asarray(im)
    except Image.DecompressionBombError as e:  # pragma: no cover - header check comes first
        raise ValueError(f"is too large to decode ({e})") from e
    except (OSError, SyntaxError, struct.error, zlib.error) as e:
        raise ValueError(f"could not be decoded as PNG ({e})") from e
    finally:
        Image.MAX_IMAGE_PIXELS = old
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.shape[:2] != (hdr.height, hdr.width) or arr.shape[2] != CHANNELS[hdr.color_type]:
        raise ValueError(f"decoded to shape {arr.shape}, inconsistent with its header {hdr.describe()}")
    return arr.astype(np.uint8, copy=False), hdr
