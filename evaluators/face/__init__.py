"""Face track scorer (AISC 2022 face-recognition security track).

Submission: a zip of aligned 112x112 8-bit RGB PNGs ``0001.png``..``NNNN.png``; the adversarial
version of pair j should verify as the pair's ``NNNN_compare.png`` target on three black-box
face-recognition models while changing at most 5 connected regions and 1254 pixels of the original.

Score = mean over the models of (verified pairs / N). Phase settings: see ``settings.py``
(``model_set``, ``connectivity``, ``max_components``, ``max_pixels``, ``n_pairs``, ...).
Thresholds live in the model set (``python -m evaluators calibrate-face``).
"""
from __future__ import annotations

from pathlib import Path

from .bundle import load_face_bundle
from .scoring import SCORER_VERSION, score
from .settings import parse_settings
from .upload import check_headers, read_upload


def validate_upload(artifact: Path, bundle_dir: Path, settings: dict) -> None:
    """Whole-archive checks (size, names, traversal, symlinks, bombs, duplicates, corrupt
    members) and every PNG's header (signature, 112x112, 8-bit, RGB): seconds, no models, no
    pixel decoding. A zip in which no image can be scored is refused here, before queueing; one
    with only some bad images is queued and those samples are listed as unsuccessful.
    Raises SubmissionRejected."""
    cfg = parse_settings(settings, need_model_set=False)
    bundle = load_face_bundle(bundle_dir, verify=False)
    upload = read_upload(Path(artifact), bundle.n_pairs, max_upload_bytes=cfg.upload_cap(bundle.n_pairs),
                         max_entry_bytes=cfg.max_entry_bytes)
    check_headers(upload)


__all__ = ["SCORER_VERSION", "score", "validate_upload"]
