"""Hostile zips: each whole-archive problem rejects the submission with its own message; each
per-image problem makes only that sample unsuccessful, with a message naming the file."""
from __future__ import annotations

import io
import stat
import struct
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evaluators.common.errors import SubmissionRejected
from evaluators.face import validate_upload
from evaluators.face.bundle import load_face_bundle, original_rel
from evaluators.face.scoring import check_samples
from evaluators.face.settings import parse_settings
from evaluators.face.upload import read_upload

N = 6  # pairs in the quick demo bundle


def png(arr: np.ndarray, mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr, mode).save(buf, format="PNG")
    return buf.getvalue()


def raw_png(width: int, height: int, bit_depth: int, color_type: int, idat: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(idat)) + chunk(b"IEND", b"")


def face() -> bytes:
    return png(np.full((112, 112, 3), 100, np.uint8))


def make_zip(path: Path, entries: list) -> Path:
    """entries: (name, bytes) or a prepared (ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def symlink_entry():
    info = zipfile.ZipInfo("0002.png")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, b"/etc/passwd"


def lying_bomb(path: Path) -> Path:
    """A deflated 5 MB entry whose headers claim 1000 bytes."""
    make_zip(path, [("0001.png", b"\0" * (5 << 20))])
    data = bytearray(path.read_bytes())
    real = struct.pack("<I", 5 << 20)
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.find(sig)
        assert data[i + off:i + off + 4] == real
        data[i + off:i + off + 4] = struct.pack("<I", 1000)
    path.write_bytes(bytes(data))
    return path


GOOD = [(f"{i:04d}.png", face()) for i in range(1, N + 1)]

REJECTED = [
    ("traversal", lambda p: make_zip(p, [("../0001.png", face())]), "path traversal"),
    ("absolute", lambda p: make_zip(p, [("/0001.png", face())]), "absolute paths are not allowed"),
    ("symlink", lambda p: make_zip(p, [GOOD[0], symlink_entry()]), "symbolic links are not allowed"),
    ("nested", lambda p: make_zip(p, [("faces/more/0001.png", face())]), "nested folders are not allowed"),
    ("mixed levels", lambda p: make_zip(p, [("faces/0001.png", face()), GOOD[1]]), "or in one single folder"),
    ("duplicate", lambda p: make_zip(p, [GOOD[0], GOOD[0]]), "'0001.png' appears twice"),
    ("declared bomb", lambda p: make_zip(p, [("0001.png", b"\0" * (20 << 20))]), "possible zip bomb"),
    ("lying bomb", lying_bomb, "'0001.png' could not be extracted"),
    ("extra file", lambda p: make_zip(p, GOOD[:5] + [("notes.txt", b"hi")]), "names must be 0001.png"),
    ("extra pair", lambda p: make_zip(p, GOOD[:5] + [("0007.png", face())]), "this phase has 6 pairs"),
    ("too many entries", lambda p: make_zip(p, [(f"{i:05d}.png", b"x") for i in range(100)]),
     "100 files; this phase expects at most 6"),
    ("not a zip", lambda p: (p.write_bytes(b"GIF89a not a zip"), p)[1], "not a readable zip archive"),
    ("empty zip", lambda p: make_zip(p, []), "none of the expected files"),
]


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case,build,message", REJECTED, ids=[c[0] for c in REJECTED])
def test_whole_archive_problems_reject_with_specific_message(case, build, message, tmp_path):
    z = build(tmp_path / "sub.zip")
    with pytest.raises(SubmissionRejected) as exc:
        read_upload(z, N, max_upload_bytes=64 << 20, max_entry_bytes=256 << 10)
    assert message in str(exc.value), f"{case}: {exc.value}"


def test_oversized_archive_is_rejected_before_opening(tmp_path):
    z = tmp_path / "big.zip"
    z.write_bytes(b"\0" * 5000)
    with pytest.raises(SubmissionRejected, match="5000 bytes, more than the limit of 4096"):
        read_upload(z, N, max_upload_bytes=4096, max_entry_bytes=1024)


def rgba():
    return png(np.zeros((112, 112, 4), np.uint8), "RGBA")


PER_SAMPLE = [
    ("16-bit", raw_png(112, 112, 16, 2), "0002.png is 16-bit per channel; it must be 8-bit"),
    ("RGBA", rgba(), "0002.png is RGBA; it must be RGB"),
    ("grayscale", png(np.zeros((112, 112), np.uint8), "L"), "0002.png is grayscale; it must be RGB"),
    ("wrong size", png(np.zeros((100, 112, 3), np.uint8)), "0002.png is 112x100; it must be 112x112 pixels"),
    ("png bomb", raw_png(100000, 100000, 8, 2), "0002.png is 100000x100000; it must be 112x112 pixels (as declared"),
    ("not png", b"\xff\xd8\xff\xe0 a jpeg", "0002.png is not a PNG file"),
    ("missing", None, "0002.png is missing from the zip"),
]


@pytest.mark.parametrize("case,data,message", PER_SAMPLE, ids=[c[0] for c in PER_SAMPLE])
def test_bad_image_only_fails_its_sample(case, data, message, phase, tmp_path):
    bundle_dir, settings = phase
    bundle = load_face_bundle(bundle_dir, verify=False)
    entries = [(f"{pid}.png", png(bundle.read(original_rel(pid)))) for pid in bundle.ids]
    entries = [e for e in entries if e[0] != "0002.png"] + ([("0002.png", data)] if data is not None else [])
    z = make_zip(tmp_path / "sub.zip", entries)
    validate_upload(z, bundle_dir, settings)  # not a whole-archive problem
    records, images, _, _ = check_samples(z, bundle, parse_settings(settings))
    bad = [r for r in records if not r["valid"]]
    assert [r["id"] for r in bad] == ["0002"], case
    assert message in bad[0]["reason"]
    assert set(images) == set(bundle.ids) - {"0002"}


def test_validate_upload_is_fast_and_rejects(phase, tmp_path):
    bundle_dir, settings = phase
    z = make_zip(tmp_path / "sub.zip", [("../../etc/0001.png", face())])
    t = time.perf_counter()
    with pytest.raises(SubmissionRejected, match="path traversal"):
        validate_upload(z, bundle_dir, settings)
    assert time.perf_counter() - t < 2.0
