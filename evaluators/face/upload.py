"""Hostile-zip handling for face submissions.

Whole-archive problems (not a zip, too large, traversal, symlinks, nested folders, duplicate
or unexpected names, zip bombs) raise SubmissionRejected with a message naming the file.
Per-image problems (not a PNG, wrong size/mode/bit depth, PNG bombs) only make that sample
unsuccessful; they are returned as messages, as in AISC.
"""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluators.common.errors import SubmissionRejected
from evaluators.common.safe_png import decode_png

FACE_SIZE = (112, 112)
NAME_RE = re.compile(r"^[0-9]{4,}\.png$")


def expected_names(n_pairs: int) -> list[str]:
    return [f"{i:04d}.png" for i in range(1, n_pairs + 1)]


@dataclass
class Upload:
    """Raw bytes of the accepted entries (name -> PNG bytes) and the names that were missing."""

    files: dict[str, bytes]
    missing: list[str] = field(default_factory=list)


def _reject(msg: str) -> None:
    raise SubmissionRejected(msg)


def _check_entry_name(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        _reject(f"{name!r}: absolute paths are not allowed; put the PNGs at the top level of the zip")
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        _reject(f"{name!r}: path traversal ('..') is not allowed; put the PNGs at the top level of the zip")
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        _reject(f"{name!r}: symbolic links are not allowed; add the PNG file itself")
    if info.is_dir() or len([p for p in parts if p]) > 1:
        _reject(f"{name!r}: folders are not allowed; put 0001.png, 0002.png, ... at the top level of the zip")
    if info.flag_bits & 0x1:
        _reject(f"{name!r}: encrypted entries are not allowed; zip without a password")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        _reject(f"{name!r}: unsupported compression; use plain deflate (the default of any zip tool)")


def read_upload(path: Path, n_pairs: int, *, max_upload_bytes: int, max_entry_bytes: int) -> Upload:
    """Check the archive as a whole and read every entry with size caps (no pixel decoding)."""
    path = Path(path)
    if not path.is_file():
        _reject(f"the submission file {path.name!r} does not exist or is not a file")
    size = path.stat().st_size
    if size > max_upload_bytes:
        _reject(f"the zip is {size} bytes, more than the limit of {max_upload_bytes}; "
                f"submit only the {n_pairs} 112x112 PNGs")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as e:
        _reject(f"the submission is not a readable zip archive ({e}); upload a .zip of PNG files")
    want = set(expected_names(n_pairs))
    with zf:
        infos = zf.infolist()
        if len(infos) > n_pairs:
            _reject(f"the zip has {len(infos)} entries but this phase expects at most {n_pairs} "
                    f"(0001.png..{n_pairs:04d}.png); remove extra files and folders")
        seen: set[str] = set()
        declared = 0
        for info in infos:
            _check_entry_name(info)
            if info.filename in seen:
                _reject(f"{info.filename!r} appears twice in the zip; each image must appear once")
            seen.add(info.filename)
            if info.filename not in want:
                hint = "names must be 0001.png, 0002.png, ..." if not NAME_RE.match(info.filename) else \
                    f"this phase has {n_pairs} pairs (0001.png..{n_pairs:04d}.png)"
                _reject(f"{info.filename!r} is not an expected file name; {hint}")
            if info.file_size > max_entry_bytes:
                _reject(f"{info.filename!r} declares {info.file_size} bytes uncompressed, more than the "
                        f"limit of {max_entry_bytes} (possible zip bomb); a 112x112 PNG is far smaller")
            declared += info.file_size
        if declared > max_upload_bytes * 4:
            _reject(f"the zip declares {declared} bytes uncompressed in total (possible zip bomb)")
        if not seen:
            _reject(f"the zip contains none of the expected files 0001.png..{n_pairs:04d}.png")
        files: dict[str, bytes] = {}
        total = 0
        for info in infos:
            try:
                with zf.open(info) as fh:
                    data = fh.read(max_entry_bytes + 1)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as e:
                _reject(f"{info.filename!r} could not be extracted ({e}); re-create the zip")
            if len(data) > max_entry_bytes or len(data) != info.file_size:
                _reject(f"{info.filename!r} inflates to more than its declared {info.file_size} bytes "
                        "(zip bomb or corrupt archive); re-create the zip")
            total += len(data)
            if total > max_upload_bytes * 4:
                _reject("the zip inflates to too many bytes in total (possible zip bomb)")
            files[info.filename] = data
    missing = sorted(want - set(files))
    return Upload(files=files, missing=missing)


def decode_face(name: str, data: bytes) -> np.ndarray:
    """Decode one submitted image to 112x112x3 uint8 or raise ValueError naming the file."""
    try:
        arr, _ = decode_png(data, max_pixels=FACE_SIZE[0] * FACE_SIZE[1], expect_size=FACE_SIZE)
    except ValueError as e:
        raise ValueError(f"{name} {e}") from None
    return arr
