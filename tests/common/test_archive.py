"""The one archive policy (evaluators/common/archive.py) as the face and driving tracks apply it:
the faults participants hit on other platforms, each with the message it must give."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evaluators.common.archive import is_os_metadata, read_zip
from evaluators.common.errors import SubmissionRejected
from evaluators.driving.submission import PATCH_H, PATCH_W, load_patch
from evaluators.face.upload import check_headers, read_upload

N = 3


def png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


FACE = png(np.full((112, 112, 3), 90, np.uint8))


def zip_bytes(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def finder_zip() -> list[tuple[str, bytes]]:
    """What macOS's Finder makes of a folder of three PNGs: the folder, AppleDouble files under
    __MACOSX/ and a .DS_Store."""
    out = []
    for i in range(1, N + 1):
        out.append((f"faces/{i:04d}.png", FACE))
        out.append((f"__MACOSX/faces/._{i:04d}.png", b"\x00\x05\x16\x07 AppleDouble"))
    out.append(("faces/.DS_Store", b"Bud1 junk"))
    return out


def read_face(tmp_path: Path, data: bytes):
    p = tmp_path / "sub.zip"
    p.write_bytes(data)
    return read_upload(p, N, max_upload_bytes=1 << 20, max_entry_bytes=64 << 10)


def corrupt_deflate(entries: list[tuple[str, bytes]], victim: str) -> bytes:
    """Garble the deflate stream of one member (its local header and sizes stay right)."""
    data = bytearray(zip_bytes(entries))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(victim)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 2, start + info.compress_size - 2):
        data[k] = 0xFF
    return bytes(data)


def wrong_crc(entries: list[tuple[str, bytes]], victim: str) -> bytes:
    data = bytearray(zip_bytes(entries, zipfile.ZIP_STORED))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(victim)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 40] ^= 0xFF  # one byte of the stored PNG; the CRC no longer matches
    return bytes(data)


def test_os_metadata_names():
    assert all(is_os_metadata(n) for n in ("__MACOSX/x/._a.png", "._0001.png", "a/.DS_Store", "Thumbs.db",
                                            "sub/desktop.ini", "THUMBS.DB"))
    assert not any(is_os_metadata(n) for n in ("0001.png", "faces/0001.png", "macosx.png"))


def test_a_finder_zip_is_accepted_and_the_result_says_what_was_ignored(tmp_path):
    up = read_face(tmp_path, zip_bytes(finder_zip()))
    assert sorted(up.files) == ["0001.png", "0002.png", "0003.png"] and up.missing == []
    assert any("ignored 4 operating-system metadata entries" in n and "__MACOSX/faces/._0001.png" in n
               for n in up.notes), up.notes
    assert any("top-level folder 'faces'" in n for n in up.notes)


@pytest.mark.parametrize("mangle, member", [(corrupt_deflate, "0002.png"), (wrong_crc, "0003.png")])
def test_corrupt_member_is_a_rejection_that_names_it(tmp_path, mangle, member):
    data = mangle([(f"{i:04d}.png", FACE) for i in range(1, N + 1)], member)
    with pytest.raises(SubmissionRejected, match=f"'{member}' could not be extracted: the zip is corrupt"):
        read_face(tmp_path, data)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("extra, message", [
    ([("0002.png", FACE)], "'0002.png' appears twice in the zip"),
    ([("faces/0001.png", FACE)], "or in one single folder"),
    ([("notes.txt", b"hello")], "'notes.txt' is not an expected file name"),
    ([("0004.png", b"\0" * (1 << 20))], "'0004.png' declares 1048576 bytes uncompressed"),
])
def test_the_most_specific_message_wins_over_the_entry_count(tmp_path, extra, message):
    """One entry too many, and what is wrong with it is what the message says."""
    entries = [(f"{i:04d}.png", FACE) for i in range(1, N + 1)] + extra
    with pytest.raises(SubmissionRejected) as e:
        read_face(tmp_path, zip_bytes(entries))
    assert message in str(e.value) and "entries" not in str(e.value)


def test_duplicates_are_found_across_folders(tmp_path):
    with pytest.raises(SubmissionRejected, match="appears twice"):
        read_zip(zip_bytes([("x/0001.png", FACE), ("x/0001.png", FACE)]), expected=None, max_member_bytes=1 << 20,
                 max_total_bytes=1 << 22, max_members=5, help_text="")


@pytest.mark.parametrize("bad, message", [
    (png(np.zeros((112, 112, 4), np.uint8)), "is RGBA; it must be RGB"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\0" * 64, "is not a PNG file"),
])
def test_a_zip_of_only_unusable_images_is_refused_at_upload(tmp_path, bad, message):
    up = read_face(tmp_path, zip_bytes([(f"{i:04d}.png", bad) for i in range(1, N + 1)]))
    with pytest.raises(SubmissionRejected) as e:
        check_headers(up)
    assert f"none of the {N} images can be scored" in str(e.value) and message in str(e.value)


def test_some_unusable_images_are_queued_with_their_reasons(tmp_path):
    rgba = png(np.zeros((112, 112, 4), np.uint8))
    up = read_face(tmp_path, zip_bytes([("0001.png", FACE), ("0002.png", rgba), ("0003.png", FACE)]))
    assert check_headers(up) == ["0002.png is RGBA; it must be RGB"]


def test_112x113_is_named_as_the_wrong_size_not_as_a_bomb(tmp_path):
    up = read_face(tmp_path, zip_bytes([("0001.png", png(np.zeros((113, 112, 3), np.uint8)))]))
    with pytest.raises(SubmissionRejected) as e:
        check_headers(up)
    assert "0001.png is 112x113; it must be 112x112 pixels" in str(e.value) and "bomb" not in str(e.value)


# ---- the driving track reads zips by the same policy
def _patch_png(mode: str) -> bytes:
    shape = (PATCH_H, PATCH_W) if mode == "L" else (PATCH_H, PATCH_W, 3)
    arr = np.full(shape, 255 if mode == "L" else 80, np.uint8)
    return png(arr)


@pytest.fixture(scope="module")
def patch_members():
    return [("patch.png", _patch_png("RGB")), ("mask.png", _patch_png("L"))]


def test_driving_accepts_a_finder_zip_and_says_what_it_ignored(tmp_path, patch_members):
    p = tmp_path / "d.zip"
    p.write_bytes(zip_bytes([(f"mine/{n}", d) for n, d in patch_members]
                            + [("__MACOSX/mine/._patch.png", b"x"), ("mine/.DS_Store", b"y")]))
    patch = load_patch(p)
    assert patch.mask.all() and any("ignored 2 operating-system metadata entries" in n for n in patch.notes)


@pytest.mark.parametrize("layout, message", [
    (lambda m: [(f"a/b/{n}", d) for n, d in m], "nested folders are not allowed"),
    (lambda m: [("a/patch.png", m[0][1]), ("b/mask.png", m[1][1])], "or in one single folder"),
    (lambda m: m + [("readme.txt", b"hi")], "'readme.txt' is not an expected file name"),
])
def test_driving_refuses_what_the_policy_refuses(tmp_path, patch_members, layout, message):
    p = tmp_path / "d.zip"
    p.write_bytes(zip_bytes(layout(patch_members)))
    with pytest.raises(SubmissionRejected, match=message):
        load_patch(p)


@pytest.mark.parametrize("mangle", [corrupt_deflate, wrong_crc])
def test_driving_corrupt_member_is_a_rejection(tmp_path, patch_members, mangle):
    p = tmp_path / "d.zip"
    p.write_bytes(mangle(patch_members, "mask.png"))
    with pytest.raises(SubmissionRejected, match="'mask.png' could not be extracted"):
        load_patch(p)


def test_lying_size_fields_are_refused(tmp_path):
    data = bytearray(zip_bytes([("0001.png", FACE)]))
    real = struct.pack("<I", len(FACE))
    i = data.find(b"PK\x01\x02")
    assert data[i + 24:i + 28] == real
    data[i + 24:i + 28] = struct.pack("<I", len(FACE) + 500)  # the central directory lies
    with pytest.raises(SubmissionRejected, match="'0001.png'"):
        read_face(tmp_path, bytes(data))
    assert zlib  # (zlib.error must never escape: covered by the corrupt-deflate case)
