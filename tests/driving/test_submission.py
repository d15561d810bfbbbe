"""Patch + mask validation: both upload forms, hostile and malformed files, regions, area."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from authoring.driving.baselines import write_rgba, write_zip
from evaluators.common.errors import SubmissionRejected
from evaluators.driving.submission import (
    PATCH_H,
    PATCH_W,
    area_term,
    count_regions,
    load_patch,
)


def _png(arr: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr, **kw).save(buf, format="PNG")
    return buf.getvalue()


def _texture():
    return np.random.default_rng(0).integers(0, 256, (PATCH_H, PATCH_W, 3), dtype=np.uint8)


def _mask():
    m = np.zeros((PATCH_H, PATCH_W), bool)
    m[100:400, 200:900] = True
    return m


def test_rgba_and_zip_forms_give_the_same_patch(tmp_path):
    tex, m = _texture(), _mask()
    a = load_patch(write_rgba(tmp_path / "p.png", tex, m))
    b = load_patch(write_zip(tmp_path / "p.zip", tex, m))
    assert np.array_equal(a.texture, tex) and np.array_equal(b.texture, tex)
    assert np.array_equal(a.mask, m) and np.array_equal(b.mask, m)


def _bomb_png(w: int, h: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    body = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _case(name: str) -> bytes:
    tex, m = _texture(), _mask()
    alpha = m.astype(np.uint8) * 255
    if name == "bomb":
        return _bomb_png(100_000, 100_000)
    if name == "size":
        return _png(np.zeros((100, 200, 4), np.uint8))
    if name == "bitdepth":
        import cv2

        return cv2.imencode(".png", np.full((PATCH_H, PATCH_W, 4), 65535, np.uint16))[1].tobytes()
    if name == "rgb_no_alpha":
        return _png(tex)
    if name == "nonbinary":
        a = alpha.copy()
        a[0, :10] = 128
        return _png(np.dstack([tex, a]))
    if name == "empty":
        return _png(np.dstack([tex, np.zeros_like(alpha)]))
    if name == "truncated":
        return _png(np.dstack([tex, alpha]))[:5000]
    if name == "garbage":
        return b"this is not an image at all" * 10
    raise KeyError(name)


@pytest.mark.parametrize("name, expected", [
    ("bomb", "decompression bomb"),
    ("size", "must be 2790x1260"),
    ("bitdepth", "16-bit"),
    ("rgb_no_alpha", "must be RGBA"),
    ("nonbinary", "only 0 and 255"),
    ("empty", "is empty"),
    ("truncated", "could not be decoded"),
    ("garbage", "neither a PNG nor a valid zip"),
])
def test_hostile_png_gives_its_specific_message(tmp_path, name, expected):
    p = tmp_path / f"{name}.png"
    p.write_bytes(_case(name))
    with pytest.raises(SubmissionRejected) as e:
        load_patch(p)
    assert expected in str(e.value)


def test_zip_without_mask_and_zip_bomb_are_rejected(tmp_path):
    p = tmp_path / "nomask.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("patch.png", _png(_texture()))
    with pytest.raises(SubmissionRejected, match="no mask.png"):
        load_patch(p)
    p = tmp_path / "bomb.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("patch.png", b"\0" * (2 << 20))
        zf.writestr("mask.png", b"\0" * 10)
    with pytest.raises(SubmissionRejected, match="zip bomb"):
        load_patch(p, max_bytes=1 << 20)


def test_oversized_upload_is_rejected_before_reading(tmp_path):
    p = tmp_path / "big.png"
    p.write_bytes(b"\0" * 2048)
    with pytest.raises(SubmissionRejected, match="more than the limit"):
        load_patch(p, max_bytes=1024)


def test_region_count_and_connectivity():
    m = np.zeros((PATCH_H, PATCH_W), bool)
    for k in range(5):
        m[10:20, 100 * k : 100 * k + 10] = True
    assert count_regions(m) == 5
    m[500:510, 500:510] = True
    assert count_regions(m) == 6
    d = np.zeros((PATCH_H, PATCH_W), bool)
    d[0, 0] = d[1, 1] = True  # diagonal neighbours
    assert count_regions(d, 8) == 1 and count_regions(d, 4) == 2


def test_area_term_against_a_hand_computed_mask():
    m = np.zeros((PATCH_H, PATCH_W), bool)
    m[0:100, 0:279] = True  # 27_900 pixels
    assert area_term(m) == pytest.approx(1 - 27_900 / (2790 * 1260), abs=1e-12)
    assert area_term(np.ones_like(m)) == 0.0
