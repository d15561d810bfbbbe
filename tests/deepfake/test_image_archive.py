"""Upload checks of docker-save tarballs (pure Python: no Docker) via validate_upload."""
import hashlib
import io
import json
import tarfile

import pytest

from evaluators.common.errors import SubmissionRejected
from evaluators.registry import get_track
from sandbox.image_archive import check_image_archive, host_architecture


def add(tar, name, data: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def make_archive(path, *, arch=None, os_="linux", entrypoint=("python3", "/app/infer.py"), images=1,
                 drop_layer=False, extra=None, manifest=None):
    config = json.dumps({"architecture": arch or host_architecture(), "os": os_,
                         "config": {"Entrypoint": list(entrypoint) if entrypoint else None, "Cmd": None}}).encode()
    cid = hashlib.sha256(config).hexdigest()
    with tarfile.open(path, "w") as tar:
        add(tar, f"{cid}.json", config)
        if not drop_layer:
            add(tar, "abc/layer.tar", b"\0" * 1024)
        entry = {"Config": f"{cid}.json", "RepoTags": ["team/x:1"], "Layers": ["abc/layer.tar"]}
        add(tar, "manifest.json", json.dumps(manifest if manifest is not None else [entry] * images).encode())
        for name, data in (extra or {}).items():
            add(tar, name, data)
    return path, "sha256:" + cid


def check(path, **kw):
    return check_image_archive(path, max_bytes=kw.pop("max_bytes", 1 << 20), **kw)


def test_well_formed_archive_passes_and_reports_its_digest(tmp_path):
    path, digest = make_archive(tmp_path / "ok.tar")
    info = check(path)
    assert info.digest == digest
    assert info.entrypoint == ["python3", "/app/infer.py"]
    assert info.repo_tags == ["team/x:1"]
    get_track("deepfake").validate_upload(path, tmp_path, {"max_image_mb": 1})


@pytest.mark.parametrize("kwargs, message", [
    ({"arch": "s390x"}, "built for architecture 's390x'"),
    ({"os_": "windows"}, "must be a linux image"),
    ({"entrypoint": None}, "image has no ENTRYPOINT"),
    ({"images": 2}, "holds 2 images; save exactly one"),
    ({"drop_layer": True}, "layer 'abc/layer.tar' is listed but missing"),
    ({"extra": {"../escape": b"x"}}, "unsafe member path '../escape'"),
    ({"manifest": {"not": "a list"}}, "holds no images"),
])
def test_bad_archives_are_refused_with_a_reason(tmp_path, kwargs, message):
    path, _ = make_archive(tmp_path / "bad.tar", **kwargs)
    with pytest.raises(SubmissionRejected, match=message.replace("(", r"\(").replace(")", r"\)")):
        check(path)


def test_non_tar_missing_manifest_and_size_cap(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not an image" * 100)
    with pytest.raises(SubmissionRejected, match="is not a tar file.*docker save"):
        check(junk)
    no_manifest = tmp_path / "plain.tar"
    with tarfile.open(no_manifest, "w") as tar:
        add(tar, "hello.txt", b"hi")
    with pytest.raises(SubmissionRejected, match="no manifest.json"):
        check(no_manifest)
    path, _ = make_archive(tmp_path / "big.tar", extra={"pad": b"\0" * 50_000})
    with pytest.raises(SubmissionRejected, match="above this phase's limit"):
        check(path, max_bytes=20_000)
