"""Reading and checking a driving submission: a patch texture and its mask.

Accepted upload forms (one file):

1. ``patch.png`` -- one 2790x1260 8-bit RGBA PNG; the alpha channel is the mask (0 or 255).
2. a ``.zip`` holding ``patch.png`` (2790x1260 8-bit RGB, or RGBA whose alpha is ignored)
   and ``mask.png`` (2790x1260 8-bit grayscale, or RGB with equal channels; 0 or 255).

Every check happens before (or without) inflating pixel data where possible, and each
failure raises ``SubmissionRejected`` with a message that says what to fix.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..common.archive import read_zip
from ..common.errors import SubmissionRejected
from ..common.safe_png import check_header, decode_png

PATCH_W, PATCH_H = 2790, 1260
MAX_PIXELS = PATCH_W * PATCH_H
MAX_UPLOAD_BYTES = 64 << 20
FORMAT_HELP = (
    "Upload either one 2790x1260 8-bit RGBA PNG whose alpha channel is the mask, or a zip "
    "with patch.png (2790x1260 8-bit RGB) and mask.png (2790x1260 8-bit grayscale, 0 or 255)."
)


@dataclass
class Patch:
    texture: np.ndarray  # HxWx3 uint8, RGB
    mask: np.ndarray  # HxW bool
    notes: list[str] = field(default_factory=list)  # what the archive reader skipped

    @property
    def texture_bgr(self) -> np.ndarray:
        return np.ascontiguousarray(self.texture[:, :, ::-1])


def _read_upload(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise SubmissionRejected(f"the submission file {path.name} does not exist. {FORMAT_HELP}")
    size = path.stat().st_size
    if size > max_bytes:
        raise SubmissionRejected(f"the upload is {size} bytes, more than the limit of {max_bytes} bytes. {FORMAT_HELP}")
    return path.read_bytes()


def _zip_members(data: bytes, max_bytes: int) -> tuple[dict[str, bytes], list[str]]:
    """patch.png and mask.png from the zip, under the one archive policy of every track
    (``evaluators.common.archive``); returns (members, notes)."""
    archive = read_zip(data, expected=("patch.png", "mask.png"), required=("patch.png", "mask.png"),
                       max_member_bytes=max_bytes, max_total_bytes=2 * max_bytes, max_members=2,
                       help_text=FORMAT_HELP, unexpected_hint=f"the zip may hold only patch.png and mask.png. {FORMAT_HELP}")
    return archive.files, archive.notes()


def _decode(data: bytes, what: str, modes: tuple[str, ...]) -> np.ndarray:
    try:
        arr, _ = decode_png(data, max_pixels=MAX_PIXELS, expect_size=(PATCH_W, PATCH_H), allowed_modes=modes)
    except ValueError as e:
        raise SubmissionRejected(f"{what} {e}. {FORMAT_HELP}") from e
    return arr


def _check_header(data: bytes, what: str, modes: tuple[str, ...]) -> None:
    try:
        check_header(data, max_pixels=MAX_PIXELS, expect_size=(PATCH_W, PATCH_H), allowed_modes=modes)
    except ValueError as e:
        raise SubmissionRejected(f"{what} {e}. {FORMAT_HELP}") from e


def _binary_mask(values: np.ndarray, what: str) -> np.ndarray:
    bad = (values != 0) & (values != 255)
    if bad.any():
        examples = sorted(set(np.unique(values[bad]).tolist()))[:5]
        raise SubmissionRejected(
            f"{what} must hold only 0 and 255, but {int(bad.sum())} pixels have other values "
            f"(e.g. {examples}); threshold your mask to 0/255 (no anti-aliasing) and save it again"
        )
    mask = values == 255
    if not mask.any():
        raise SubmissionRejected(f"{what} is empty (all 0): mark the patch area with 255")
    return mask


def load_patch(artifact: str | Path, *, max_bytes: int = MAX_UPLOAD_BYTES) -> Patch:
    """Decode and check a submission; raises SubmissionRejected."""
    data = _read_upload(Path(artifact), max_bytes)
    if data.startswith(b"\x89PNG"):
        _check_header(data, "the patch PNG", ("RGBA",))
        arr = _decode(data, "the patch PNG", ("RGBA",))
        return Patch(np.ascontiguousarray(arr[:, :, :3]), _binary_mask(arr[:, :, 3], "the patch's alpha channel (the mask)"))
    if not data.startswith(b"PK"):
        raise SubmissionRejected(f"the upload is neither a PNG nor a valid zip (it starts with {data[:8]!r}). {FORMAT_HELP}")
    members, notes = _zip_members(data, max_bytes)
    _check_header(members["patch.png"], "patch.png", ("RGB", "RGBA"))
    _check_header(members["mask.png"], "mask.png", ("grayscale", "RGB"))
    tex = _decode(members["patch.png"], "patch.png", ("RGB", "RGBA"))[:, :, :3]
    m = _decode(members["mask.png"], "mask.png", ("grayscale", "RGB"))
    if m.shape[2] == 3:
        if not ((m[:, :, 0] == m[:, :, 1]).all() and (m[:, :, 1] == m[:, :, 2]).all()):
            raise SubmissionRejected("mask.png is RGB with differing channels; save it as 8-bit grayscale 0/255")
    return Patch(np.ascontiguousarray(tex), _binary_mask(m[:, :, 0], "mask.png"), notes)


def count_regions(mask: np.ndarray, connectivity: int = 8) -> int:
    """Connected regions of the mask (8- or 4-connectivity)."""
    import cv2

    if connectivity not in (4, 8):
        raise ValueError("connectivity must be 4 or 8")
    n, _ = cv2.connectedComponents(mask.astype(np.uint8), connectivity=connectivity)
    return int(n - 1)


def area_term(mask: np.ndarray) -> float:
    """1 - ||m/255||_1 / (2790*1260): the share of the texture left uncovered."""
    return 1.0 - float(np.count_nonzero(mask)) / float(mask.size)
