"""Fixtures of the deepfake tests: the real Docker Engine, the kit's base image, a quick
generated data set, the baseline image and small hostile images built from the kit."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

HOSTILE_PREFIX = "aisc-test/deepfake-"


@pytest.fixture(scope="session")
def docker_client():
    import docker

    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except Exception as e:  # noqa: BLE001 - any failure here means no engine
        pytest.fail(f"the Docker Engine is not reachable ({e}); start it with scripts/setup.sh")
    return client


@pytest.fixture(scope="session")
def base_image(docker_client):
    from submission_kit.deepfake.build import BASE_IMAGE, ensure_base_image

    return ensure_base_image(BASE_IMAGE)


@pytest.fixture(scope="session")
def dataset(tmp_path_factory) -> Path:
    from authoring.deepfake.datagen import build_dataset

    return build_dataset(tmp_path_factory.mktemp("deepfake-data"), quick=True)


@pytest.fixture(scope="session")
def baseline_tar(dataset, base_image, docker_client, tmp_path_factory) -> Path:
    from submission_kit.deepfake.build import BASELINE_TAG, build_baseline

    out = build_baseline(dataset / "train_labelled", tmp_path_factory.mktemp("baseline") / "baseline.tar",
                         base_image=base_image, client=docker_client)
    assert not docker_client.images.list(name=BASELINE_TAG)  # the worker must load it from the tarball
    return out


@pytest.fixture(scope="session")
def make_image(docker_client, base_image, tmp_path_factory):
    """Build an image from the kit's Dockerfile with ``infer.py`` = script, save it, remove it:
    the tarball is all that is left, as for a real upload."""
    from submission_kit.deepfake.build import build_image, save_image

    out_dir = tmp_path_factory.mktemp("images")

    def make(script: str, extra: dict[str, bytes] | None = None) -> Path:
        tag = f"{HOSTILE_PREFIX}{uuid.uuid4().hex[:8]}:latest"
        build_image(docker_client, {"infer.py": script.encode(), **(extra or {})}, tag, base_image)
        tar = save_image(docker_client, tag, out_dir / f"{tag.split('/')[-1].replace(':', '_')}.tar")
        docker_client.images.remove(tag, force=True)
        return tar

    return make


@pytest.fixture
def sandbox_tmp(tmp_path, monkeypatch) -> Path:
    """Scratch space of the worker's input/output dirs, checked empty after each run."""
    d = tmp_path / "sandbox"
    d.mkdir()
    monkeypatch.setenv("AISC_SANDBOX_TMP", str(d))
    return d
