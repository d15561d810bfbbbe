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


def check_header(
    data: bytes,
    *,
    max_pixels: int,
    expect_size: tuple[int, int] | None = None,
    allowed_modes: tuple[str, ...] = ("RGB",),
    bit_depth: int = 8,
) -> PngHeader:
    """Everything that can be refused from the signature and IHDR alone, most specific first:
    not a PNG, wrong size (``expect_size`` is (width, height)), too many pixels (a
    decompression bomb), wrong bit depth, wrong colour type. Raises ValueError."""
    hdr = read_header(data)
    if expect_size is not None and (hdr.width, hdr.height) != tuple(expect_size):
        huge = hdr.width * hdr.height > 16 * max_pixels  # far beyond a near miss such as 112x113
        raise ValueError(
            f"is {hdr.width}x{hdr.height}; it must be {expect_size[0]}x{expect_size[1]} pixels"
            + (" (as declared it is also too large to decode: possible decompression bomb)" if huge else "")
        )
    if hdr.width * hdr.height > max_pixels:
        raise ValueError(
            f"declares {hdr.width}x{hdr.height} pixels, more than the limit of {max_pixels} "
            "(possible decompression bomb)"
        )
    if hdr.bit_depth != bit_depth:
        raise ValueError(f"is {hdr.bit_depth}-bit per channel; it must be {bit_depth}-bit")
    if hdr.mode not in allowed_modes:
        raise ValueError(f"is {hdr.mode}; it must be {' or '.join(allowed_modes)}")
    return hdr


def decode_png(
    data: bytes,
    *,
    max_pixels: int,
    expect_size: tuple[int, int] | None = None,
    allowed_modes: tuple[str, ...] = ("RGB",),
    bit_depth: int = 8,
) -> tuple[np.ndarray, PngHeader]:
    """Check the header (``check_header``), then decode. Returns (array HxWxC uint8, header).

    ``expect_size`` is (width, height). ``allowed_modes`` are names from COLOR_TYPES.
    """
    from PIL import PngImagePlugin

    hdr = check_header(data, max_pixels=max_pixels, expect_size=expect_size, allowed_modes=allowed_modes,
                       bit_depth=bit_depth)
    # The PNG decoder class itself, not ``Image.open``: the header check above already bounds the
    # pixel count (so no process-wide MAX_IMAGE_PIXELS is touched), and Ultralytics replaces
    # ``Image.open`` with a wrapper that tries to install a HEIF plugin on unknown input.
    try:
        with PngImagePlugin.PngImageFile(io.BytesIO(data)) as im:
            im.load()
            arr = np.asarray(im)
    except MemoryError as e:
        raise ValueError("is too large to decode") from e
    except Exception as e:  # noqa: BLE001 - any failure of the decoder on untrusted bytes is a bad file
        raise ValueError(f"could not be decoded as PNG ({type(e).__name__}: {e})") from e
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.shape[:2] != (hdr.height, hdr.width) or arr.shape[2] != CHANNELS[hdr.color_type]:
        raise ValueError(f"decoded to shape {arr.shape}, inconsistent with its header {hdr.describe()}")
    return arr.astype(np.uint8, copy=False), hdr
