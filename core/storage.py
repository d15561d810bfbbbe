"""Artifact storage: a local directory (default) or any S3-compatible store.

Keys are relative POSIX paths such as ``uploads/<uuid>/submission.zip`` or
``results/<submission>/<attempt>/<name>``.
"""
from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Iterator, Protocol

from .settings import ROOT, Settings, get_settings


def check_key(key: str) -> str:
    p = PurePosixPath(key)
    if p.is_absolute() or not p.parts or any(part in ("..", "") for part in p.parts):
        raise ValueError(f"bad storage key {key!r}: must be a relative path without '..'")
    return str(p)


class Storage(Protocol):
    def put_file(self, key: str, path: Path, move: bool = False) -> None: ...
    def get_file(self, key: str, dest: Path) -> Path: ...
    def iter_bytes(self, key: str, chunk: int = 1 << 16) -> Iterator[bytes]: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put_file(self, key: str, path: Path, move: bool = False) -> None:
        """Copy (or, with ``move``, rename when on the same filesystem) a file into the store."""
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        if move:
            shutil.move(path, tmp)
        else:
            shutil.copyfile(path, tmp)
        tmp.replace(dest)

    def get_file(self, key: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._path(key), dest)
        return dest

    def iter_bytes(self, key: str, chunk: int = 1 << 16) -> Iterator[bytes]:
        with open(self._path(key), "rb") as f:
            while block := f.read(chunk):
                yield block

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None, region: str):
        import boto3

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def _key(self, key: str) -> str:
        key = check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def ensure_bucket(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put_file(self, key: str, path: Path, move: bool = False) -> None:
        self.client.upload_file(str(path), self.bucket, self._key(key))
        if move:
            Path(path).unlink(missing_ok=True)

    def get_file(self, key: str, dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.client.download_file(self.bucket, self._key(key), str(dest))
        return dest

    def iter_bytes(self, key: str, chunk: int = 1 << 16) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        yield from body.iter_chunks(chunk)

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except ClientError:
            return False

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def storage_from_url(url: str, settings: Settings | None = None) -> Storage:
    settings = settings or get_settings()
    if url.startswith("s3://"):
        bucket, _, prefix = url[5:].partition("/")
        if not bucket:
            raise ValueError(f"AISC_STORAGE_URL {url!r} names no bucket; use s3://bucket/prefix")
        return S3Storage(bucket, prefix, settings.s3_endpoint_url, settings.s3_region)
    path = Path(url.removeprefix("file://"))
    return LocalStorage(path if path.is_absolute() else ROOT / path)


def get_storage() -> Storage:
    settings = get_settings()
    return storage_from_url(settings.resolved_storage_url(), settings)
