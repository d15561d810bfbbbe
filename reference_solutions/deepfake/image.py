"""Ship a fitted model as a submission image with the submission kit (kit Dockerfile, kit base
image: python3 + numpy + Pillow) and save it as the ``docker save`` tarball.

The app is ``app/infer.py``, ``forward.py``, ``retrieval.py``, ``novelty.py``, ``spectrum.py``
from this package, the kit's ``baseline/features.py`` (the same file the host computed the
training features with) and ``model.npz``. ``model.npz`` is written with fixed zip timestamps,
so the same seed gives the same bytes; the tarball still differs between builds through
Docker's metadata (layer file times, the image's creation time).
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np

APP = Path(__file__).resolve().parent / "app"
APP_FILES = ("infer.py", "forward.py", "retrieval.py", "novelty.py", "spectrum.py")


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``np.load``-able .npz whose bytes depend on the arrays only (sorted names, fixed times)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[name]), allow_pickle=False)
            zf.writestr(zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), member.getvalue())
    return buf.getvalue()


def app_files(model: bytes) -> dict[str, Path | bytes]:
    from submission_kit.deepfake.build import KIT

    files: dict[str, Path | bytes] = {name: APP / name for name in APP_FILES}
    files["features.py"] = KIT / "baseline" / "features.py"
    files["model.npz"] = model
    return files


def build_submission(model: bytes, tag: str, out_tar: Path) -> dict:
    """Build the image from the kit's base image, save it to ``out_tar``, drop the local tag."""
    import docker

    from submission_kit.deepfake.build import BASE_IMAGE, build_image, ensure_base_image, save_image

    client = docker.from_env(timeout=600)
    ensure_base_image(BASE_IMAGE)
    image_id = build_image(client, app_files(model), tag, BASE_IMAGE)
    save_image(client, tag, Path(out_tar))
    client.images.remove(tag, force=True)  # the tarball is the submission; the worker loads it
    return {"image_id": image_id, "base_image": BASE_IMAGE, "tarball_bytes": Path(out_tar).stat().st_size,
            "model_sha256": hashlib.sha256(model).hexdigest()}
