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
