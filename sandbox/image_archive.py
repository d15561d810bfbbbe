"""Cheap, pure-Python checks of a ``docker save`` tarball before anything loads it.

Reads only tar headers and the small JSON files (manifest.json and the image config), so it
runs in the API before queueing. Nothing here needs Docker. Refuses: files that are not tar
archives, unsafe member names, archives with no or several images, missing layers, images
for another OS or CPU architecture, and images without an ENTRYPOINT.
"""
from __future__ import annotations

import hashlib
import json
import platform
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from evaluators.common.errors import SubmissionRejected

MAX_JSON_BYTES = 4 << 20
MAX_MEMBERS = 200_000
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def host_architecture() -> str:
    machine = platform.machine().lower()
    return _ARCH.get(machine, machine)


@dataclass(frozen=True)
class ImageInfo:
    digest: str  # sha256:<hex> of the image config, i.e. the image id Docker will report
    architecture: str
    os: str
    entrypoint: list[str]
    cmd: list[str]
    repo_tags: list[str]
    size_bytes: int


def _read_json(tar: tarfile.TarFile, member: tarfile.TarInfo, what: str):
    """Return (parsed JSON, raw bytes) of a small member."""
    if member.size > MAX_JSON_BYTES:
        raise SubmissionRejected(f"image archive: {what} is {member.size} bytes, too large to be an image {what}")
    try:
        f = tar.extractfile(member)
        raw = f.read() if f is not None else None
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise SubmissionRejected(f"image archive: {what} could not be read: the archive is corrupt ({e})") from e
    if raw is None:
        raise SubmissionRejected(f"image archive: {what} is not a regular file")
    try:
        return json.loads(raw), raw
    except (ValueError, RecursionError) as e:
        raise SubmissionRejected(f"image archive: {what} is not valid JSON ({str(e)[:200]})") from e


def _members(tar: tarfile.TarFile, uncompressed_cap: int) -> dict[str, tarfile.TarInfo]:
    members: dict[str, tarfile.TarInfo] = {}
    total = 0
    for m in tar:
        name = PurePosixPath(m.name)
        if name.is_absolute() or ".." in name.parts:
            raise SubmissionRejected(f"image archive: unsafe member path {m.name!r}")
        if not (m.isfile() or m.isdir() or m.issym()):
            raise SubmissionRejected(f"image archive: member {m.name!r} is not a file or directory")
        total += m.size
        if total > uncompressed_cap or len(members) >= MAX_MEMBERS:
            raise SubmissionRejected("image archive: unpacks to more than the image size limit")
        members[str(name)] = m
    return members


def check_image_archive(path: str | Path, *, max_bytes: int, arch: str | None = None) -> ImageInfo:
    """Check a ``docker save`` tarball; return what the worker needs, or raise SubmissionRejected."""
    p = Path(path)
    if not p.is_file():
        raise SubmissionRejected(f"image archive {p.name} does not exist")
    size = p.stat().st_size
    if size > max_bytes:
        raise SubmissionRejected(
            f"image archive is {size / 2**20:.1f} MiB, above this phase's limit of {max_bytes / 2**20:.0f} MiB; "
            "use a smaller base image and remove build caches"
        )
    hint = "upload the output of `docker save IMAGE -o image.tar`"
    try:
        tar = tarfile.open(p, mode="r:*")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
        raise SubmissionRejected(f"image archive is not a tar file; {hint}") from e
    with tar:
        try:
            members = _members(tar, 4 * max_bytes)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as e:
            raise SubmissionRejected(f"image archive is a corrupt tar file ({e}); {hint}") from e
        if "manifest.json" not in members:
            raise SubmissionRejected(f"image archive has no manifest.json, so it is not a docker image; {hint}")
        manifest, _ = _read_json(tar, members["manifest.json"], "manifest.json")
        if not isinstance(manifest, list) or len(manifest) != 1 or not isinstance(manifest[0], dict):
            n = len(manifest) if isinstance(manifest, list) else "no"
            raise SubmissionRejected(f"image archive holds {n} images; save exactly one image")
        entry = manifest[0]
        config_name = entry.get("Config")
        layers = entry.get("Layers")
        if not isinstance(config_name, str) or config_name not in members:
            raise SubmissionRejected("image archive: manifest.json names no image config present in the archive")
        if not isinstance(layers, list) or not layers:
            raise SubmissionRejected("image archive: the image has no layers")
        for layer in layers:
            if not isinstance(layer, str) or layer not in members:
                raise SubmissionRejected(f"image archive: layer {layer!r} is listed but missing")
        config, config_raw = _read_json(tar, members[config_name], "image config")
    if not isinstance(config, dict):
        raise SubmissionRejected("image archive: the image config is not a JSON object")
    digest = "sha256:" + hashlib.sha256(config_raw).hexdigest()
    want_arch = arch or host_architecture()
    got_arch, got_os = config.get("architecture"), config.get("os")
    if got_os != "linux":
        raise SubmissionRejected(f"image is built for OS {got_os!r}; it must be a linux image")
    if got_arch != want_arch:
        raise SubmissionRejected(
            f"image is built for architecture {got_arch!r}, but the workers run {want_arch!r}; "
            f"rebuild with `docker build --platform linux/{want_arch}`"
        )
    run = config.get("config") or {}
    if not isinstance(run, dict):
        raise SubmissionRejected("image archive: the image config's 'config' is not a JSON object; rebuild the image")
    entrypoint = run.get("Entrypoint") or []
    if not entrypoint:
        raise SubmissionRejected(
            'image has no ENTRYPOINT; add one to your Dockerfile, e.g. ENTRYPOINT ["python3", "/app/infer.py"]'
        )
    cmd, tags = run.get("Cmd") or [], entry.get("RepoTags") or []
    for what, value in (("Entrypoint", entrypoint), ("Cmd", cmd), ("RepoTags", tags)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SubmissionRejected(f"image archive: {what} is not a list of strings; rebuild the image")
    return ImageInfo(digest, got_arch, got_os, list(entrypoint), list(cmd), list(tags), size)
