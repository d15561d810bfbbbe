"""Hostile-zip handling for face submissions.

Whole-archive problems (not a zip, too large, traversal, symlinks, nested folders, duplicate
or unexpected names, zip bombs, corrupt members) raise SubmissionRejected with a message naming
the file; the archive policy (OS metadata ignored, one top-level folder allowed) is
``evaluators.common.archive``'s, shared with every track that takes a zip.
Per-image problems (not a PNG, wrong size/mode/bit depth, PNG bombs) only make that sample
unsuccessful; they are returned as messages, as in AISC.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evaluators.common.errors import SubmissionRejected
from evaluators.common.archive import read_zip
from evaluators.common.safe_png import check_header, decode_png

FACE_SIZE = (112, 112)


def expected_names(n_pairs: int) -> list[str]:
    return [f"{i:04d}.png" for i in range(1, n_pairs + 1)]


@dataclass
class Upload:
    """Raw bytes of the accepted entries (name -> PNG bytes), the names that were missing, and
    notes on what the archive reader skipped (OS metadata, a top-level folder)."""

    files: dict[str, bytes]
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _help(n_pairs: int) -> str:
    return (f"put 0001.png..{n_pairs:04d}.png (112x112 8-bit RGB) at the top level of the zip, "
            "or inside one single folder")


def read_upload(path: Path, n_pairs: int, *, max_upload_bytes: int, max_entry_bytes: int) -> Upload:
    """Check the archive as a whole (``evaluators.common.archive`` policy) and read every entry
    with size caps (no pixel decoding). Raises SubmissionRejected."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionRejected(f"the submission file {path.name!r} does not exist or is not a file")
    size = path.stat().st_size
    if size > max_upload_bytes:
        raise SubmissionRejected(f"the zip is {size} bytes, more than the limit of {max_upload_bytes}; "
                                 f"submit only the {n_pairs} 112x112 PNGs")
    want = expected_names(n_pairs)
    archive = read_zip(path, expected=want, max_member_bytes=max_entry_bytes, max_total_bytes=max_upload_bytes * 4,
                       max_members=n_pairs, help_text=_help(n_pairs),
                       unexpected_hint=f"names must be 0001.png, 0002.png, ...; this phase has {n_pairs} pairs "
                                       f"(0001.png..{n_pairs:04d}.png)")
    if not archive.files:
        raise SubmissionRejected(f"the zip contains none of the expected files 0001.png..{n_pairs:04d}.png")
    missing = sorted(set(want) - set(archive.files))
    return Upload(files=archive.files, missing=missing, notes=archive.notes())


def header_problem(name: str, data: bytes) -> str | None:
    """Why this entry cannot be a valid sample, from its PNG header alone (signature, size,
    bit depth, colour type; no pixels inflated), or None."""
    try:
        check_header(data, max_pixels=FACE_SIZE[0] * FACE_SIZE[1], expect_size=FACE_SIZE)
    except ValueError as e:
        return f"{name} {e}"
    return None


def check_headers(upload: Upload) -> list[str]:
    """The cheap per-sample check at upload: every entry's header. Returns the problems; raises
    SubmissionRejected when no entry can be a valid sample (nothing to score)."""
    problems = [p for p in (header_problem(n, d) for n, d in sorted(upload.files.items())) if p]
    if problems and len(problems) == len(upload.files):
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise SubmissionRejected(f"none of the {len(upload.files)} images can be scored: {shown}. "
                                 "Save each face as a 112x112 8-bit RGB PNG (no alpha channel)")
    return problems


def decode_face(name: str, data: bytes) -> np.ndarray:
    """Decode one submitted image to 112x112x3 uint8 or raise ValueError naming the file."""
    try:
        arr, _ = decode_png(data, max_pixels=FACE_SIZE[0] * FACE_SIZE[1], expect_size=FACE_SIZE)
    except ValueError as e:
        raise ValueError(f"{name} {e}") from None
    return arr
