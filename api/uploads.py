"""Streaming an upload body to a temporary file with a size cap and a sha256."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from fastapi import Request

from core.errors import PlatformError, UploadTooLarge


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


async def receive(request: Request, cap: int, tmp_dir: Path) -> tuple[Path, str, int]:
    """Write the raw request body to a file; refuse bodies larger than ``cap`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise UploadTooLarge(f"upload of {_mib(int(declared))} exceeds this phase's limit of {_mib(cap)}; "
                             "make the submission smaller")
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", dir=tmp_dir)
    path, size, digest = Path(name), 0, hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as f:
            async for chunk in request.stream():
                size += len(chunk)
                if size > cap:
                    raise UploadTooLarge(f"upload exceeds this phase's limit of {_mib(cap)}; "
                                         "make the submission smaller")
                digest.update(chunk)
                f.write(chunk)
        if size == 0:
            raise PlatformError("empty upload: send the submission file as the request body "
                                "(Content-Type: application/octet-stream)")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size
