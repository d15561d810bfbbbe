"""Reading and checking a driving submission: a patch texture and its mask.

Accepted upload forms (one file):

1. ``patch.png`` -- one 2790x1260 8-bit RGBA PNG; the alpha channel is the mask (0 or 255).
2. a ``.zip`` holding ``patch.png`` (2790x1260 8-bit RGB, or RGBA whose alpha is ignored)
   and ``mask.png`` (2790x1260 8-bit grayscale, or RGB with equal channels; 0 or 255).

Every check happens before (or without) inflating pixel data where possible, and each
failure raises ``SubmissionRejected`` with a message that says what to fix.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..common.errors import SubmissionRejected
from ..common.safe_png import decode_png, read_header

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

    @property
    def texture_bgr(self) -> np.ndarray:
        return np.ascontiguousarray(self.texture[:, :, ::-1])

    @property
    def mask_u8(self) -> np.ndarray:
        return self.mask.astype(np.uint8) * 255


def _read_upload(path: Path, max_bytes: int) -> bytes:
    if not path.is_file():
        raise SubmissionRejected(f"the submission file {path.name} does not exist. {FORMAT_HELP}")
    size = path.stat().st_size
    if size > max_bytes:
        raise SubmissionRejected(f"the upload is {size} bytes, more than the limit of {max_bytes} bytes. {FORMAT_HELP}")
    return path.read_bytes()


def _zip_members(data: bytes, max_bytes: int) -> dict[str, bytes]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise SubmissionRejected(f"the upload is neither a PNG nor a valid zip ({e}). {FORMAT_HELP}") from e
    infos = [i for i in zf.infolist() if not i.is_dir()]
    names = {Path(i.filename).name: i for i in infos if not i.filename.startswith("__MACOSX")}
    missing = [n for n in ("patch.png", "mask.png") if n not in names]
    if missing:
        raise SubmissionRejected(
            f"the zip has no {' and no '.join(missing)} (it holds: {', '.join(sorted(names)) or 'nothing'}). {FORMAT_HELP}"
        )
    out = {}
    for n in ("patch.png", "mask.png"):
        info = names[n]
        if info.file_size > max_bytes:
            raise SubmissionRejected(f"{n} in the zip inflates to {info.file_size} bytes, more than {max_bytes} (zip bomb?)")
        with zf.open(info) as f:
            blob = f.read(max_bytes + 1)
        if len(blob) > max_bytes:
            raise SubmissionRejected(f"{n} in the zip inflates to more than {max_bytes} bytes (zip bomb?)")
        out[n] = blob
    return out


def _decode(data: bytes, what: str, modes: tuple[str, ...]) -> np.ndarray:
    try:
        arr, _ = decode_png(data, max_pixels=MAX_PIXELS, expect_size=(PATCH_W, PATCH_H), allowed_modes=modes)
    except ValueError as e:
        raise SubmissionRejected(f"{what} {e}. {FORMAT_HELP}") from e
    return arr


def _check_header(data: bytes, what: str, modes: tuple[str, ...]) -> None:
    try:
        hdr = read_header(data)
    except ValueError as e:
        raise SubmissionRejected(f"{what} {e}. {FORMAT_HELP}") from e
    if hdr.width * hdr.height > MAX_PIXELS and (hdr.width, hdr.height) != (PATCH_W, PATCH_H):
        raise SubmissionRejected(
            f"{what} declares {hdr.width}x{hdr.height} pixels, more than the limit of {MAX_PIXELS} "
            f"(possible decompression bomb). {FORMAT_HELP}"
        )
    if (hdr.width, hdr.height) != (PATCH_W, PATCH_H):
        raise SubmissionRejected(f"{what} is {hdr.width}x{hdr.height}; it must be {PATCH_W}x{PATCH_H} pixels. {FORMAT_HELP}")
    if hdr.bit_depth != 8:
        raise SubmissionRejected(f"{what} is {hdr.bit_depth}-bit per channel; it must be 8-bit. {FORMAT_HELP}")
    if hdr.mode not in modes:
        raise SubmissionRejected(f"{what} is {hdr.mode}; it must be {' or '.join(modes)}. {FORMAT_HELP}")


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
    members = _zip_members(data, max_bytes)
    _check_header(members["patch.png"], "patch.png", ("RGB", "RGBA"))
    _check_header(members["mask.png"], "mask.png", ("grayscale", "RGB"))
    tex = _decode(members["patch.png"], "patch.png", ("RGB", "RGBA"))[:, :, :3]
    m = _decode(members["mask.png"], "mask.png", ("grayscale", "RGB"))
    if m.shape[2] == 3:
        if not ((m[:, :, 0] == m[:, :, 1]).all() and (m[:, :, 1] == m[:, :, 2]).all()):
            raise SubmissionRejected("mask.png is RGB with differing channels; save it as 8-bit grayscale 0/255")
    return Patch(np.ascontiguousarray(tex), _binary_mask(m[:, :, 0], "mask.png"))


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
