"""Storage: local directory and an S3-compatible server (moto in server mode, real HTTP)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest

from core.settings import Settings
from core.storage import LocalStorage, S3Storage, check_key, storage_from_url


def _roundtrip(storage, tmp_path):
    src = tmp_path / "in.bin"
    src.write_bytes(b"\x00\x01payload" * 1000)
    storage.put_file("uploads/1/2/abc/sub.zip", src)
    assert storage.exists("uploads/1/2/abc/sub.zip") and not storage.exists("uploads/nope")
    out = storage.get_file("uploads/1/2/abc/sub.zip", tmp_path / "out" / "x.bin")
    assert out.read_bytes() == src.read_bytes()
    assert b"".join(storage.iter_bytes("uploads/1/2/abc/sub.zip", 333)) == src.read_bytes()
    storage.delete("uploads/1/2/abc/sub.zip")
    assert not storage.exists("uploads/1/2/abc/sub.zip")


def test_local_storage(tmp_path):
    _roundtrip(LocalStorage(tmp_path / "store"), tmp_path)
    assert check_key("a//b") == "a/b"
    for bad in ("../etc/passwd", "/abs", "a/../b", ""):
        with pytest.raises(ValueError):
            check_key(bad)


@pytest.fixture
def moto_server(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    for k, v in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(k, v)
    yield url
    proc.terminate()
    proc.wait(10)


def test_s3_storage_against_moto_server(moto_server, tmp_path):
    settings = Settings(storage_url="s3://aisc-bucket/prefix", s3_endpoint_url=moto_server)
    storage = storage_from_url(settings.resolved_storage_url(), settings)
    assert isinstance(storage, S3Storage)
    storage.ensure_bucket()
    _roundtrip(storage, tmp_path)
    storage.put_file("results/7/run-1/pic.png", tmp_path / "in.bin")
    keys = [o["Key"] for o in storage.client.list_objects_v2(Bucket="aisc-bucket")["Contents"]]
    assert keys == ["prefix/results/7/run-1/pic.png"]


def test_uploads_and_result_pictures_go_through_s3(platform_env, procs, moto_server):
    """The whole lifecycle with AISC_STORAGE_URL=s3://...: the API stores the upload in the
    S3 server, the worker fetches it and stores its pictures there, the API streams them back."""
    import boto3

    from platform_helpers import auth, fake_bundle, load_competition, make_team, phase_spec, upload, wait_state
    from platform_procs import start_api, start_worker

    tmp = platform_env["tmp"]
    env = {"AISC_STORAGE_URL": "s3://aisc-e2e/run", "AISC_S3_ENDPOINT_URL": moto_server,
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    s3 = boto3.client("s3", endpoint_url=moto_server, region_name="us-east-1")
    s3.create_bucket(Bucket="aisc-e2e")
    base = start_api(procs, tmp, fake=True, env=env)
    start_worker(procs, tmp, fake=True, queues="gpu", env=env)
    phase = load_competition(tmp, {"face": [phase_spec("s3", fake_bundle(tmp), queue="gpu")]})["face/s3"]
    token = make_team()
    sub = upload(base, token, phase, b"FAKE score=0.6").json()["id"]
    assert wait_state(base, token, sub)["state"] == "scored"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="aisc-e2e")["Contents"])
    assert any(k.startswith(f"run/uploads/{phase}/") for k in keys)
    assert f"run/results/{sub}/run-1/result.json" in keys and any(k.endswith("overview.png") for k in keys)
    pic = httpx.get(f"{base}/api/v1/submissions/{sub}/artifacts/overview", headers=auth(token))
    assert pic.status_code == 200 and pic.content[:4] == b"\x89PNG"
