"""Submitted image tarballs on the Docker Engine: load (outside any time limit), verify,
remove, and prune by a disk threshold. Companion of ``sandbox.container``; track-agnostic.

The cheap archive checks are pure Python (``sandbox.image_archive``) and run first, so a
malformed upload never reaches the engine.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker

from evaluators.common.errors import SubmissionRejected

from .container import SANDBOX_LABEL
from .image_archive import ImageInfo, check_image_archive, host_architecture
from .settings import sandbox_settings

KEEP_LABEL = "aisc.keep"  # images with this label are never pruned (e.g. kit base images)


@dataclass
class LoadedImage:
    id: str  # sha256:... (the digest recorded with the run)
    info: ImageInfo
    load_seconds: float
    existed_before: bool  # then it is not ours to remove
    restored_tags: list[str] = field(default_factory=list)


def _tag_owner(client: docker.DockerClient, tag: str) -> str | None:
    try:
        return client.images.get(tag).id
    except docker.errors.ImageNotFound:
        return None


def load_image(client: docker.DockerClient, tarball: Path, *, max_bytes: int) -> LoadedImage:
    """Check and load a ``docker save`` tarball; tags it moves away from other images are put back."""
    info = check_image_archive(tarball, max_bytes=max_bytes)
    existed = _tag_owner(client, info.digest) is not None
    before = {tag: _tag_owner(client, tag) for tag in info.repo_tags}
    t0 = time.perf_counter()
    with open(tarball, "rb") as f:
        try:
            images = client.images.load(f)
        except docker.errors.APIError as e:
            if e.is_client_error():
                raise SubmissionRejected(f"the Docker Engine refused to load the image archive: {e.explanation}") from e
            raise
    seconds = time.perf_counter() - t0
    restored = []
    for tag, old in before.items():
        if old and old != info.digest:
            client.images.get(old).tag(tag)
            restored.append(tag)
    ids = {img.id for img in images}
    if ids != {info.digest}:
        raise SubmissionRejected(f"the image archive loaded as {sorted(ids)}, not the one image {info.digest} it declares")
    attrs = client.images.get(info.digest).attrs
    if attrs.get("Architecture") != host_architecture() or not (attrs.get("Config") or {}).get("Entrypoint"):
        remove_image(client, LoadedImage(info.digest, info, seconds, existed))
        raise SubmissionRejected("the loaded image has another architecture or no ENTRYPOINT")
    return LoadedImage(info.digest, info, seconds, existed, restored)


def remove_image(client: docker.DockerClient, image: LoadedImage) -> None:
    if image.existed_before:
        return
    try:
        client.images.remove(image.id, force=True)
    except docker.errors.ImageNotFound:
        pass


def docker_free_bytes(client: docker.DockerClient) -> int | None:
    root = client.info().get("DockerRootDir", "/var/lib/docker")
    return shutil.disk_usage(root).free if os.path.isdir(root) else None


def prune_if_low(client: docker.DockerClient, min_free_gb: float | None = None) -> dict:
    """When the engine's disk has less than ``min_free_gb`` free: remove leftover sandbox
    containers, dangling images, then unused images not labelled ``aisc.keep``."""
    if min_free_gb is None:
        min_free_gb = sandbox_settings().min_free_gb
    free = docker_free_bytes(client)
    report = {"free_before": free, "pruned": False}
    if free is None or free >= min_free_gb * 2**30:
        return report
    report["pruned"] = True
    client.containers.prune(filters={"label": SANDBOX_LABEL})
    client.images.prune(filters={"dangling": True})
    if docker_free_bytes(client) < min_free_gb * 2**30:
        client.images.prune(filters={"dangling": False, "label!": KEEP_LABEL})
    report["free_after"] = docker_free_bytes(client)
    return report
