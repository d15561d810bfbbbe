"""A team's Dockerfile from the kit's base image can install packages with a plain
``RUN pip install ...`` (the base image's default user is root), while the sandbox still runs
the submission as a non-root user."""
from __future__ import annotations

import base64
import hashlib
import io
import shutil
import uuid
import zipfile

from submission_kit.deepfake.build import KIT


def wheel(name: str = "aisc_probe", version: str = "1.0") -> tuple[str, bytes]:
    """A minimal pure-Python wheel (no build tools, no network)."""
    files = {f"{name}/__init__.py": b"VALUE = 'installed by pip'\n",
             f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
             f"{name}-{version}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: aisc-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}\n"
                     for p, d in files.items()) + f"{name}-{version}.dist-info/RECORD,,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for p, d in {**files, f"{name}-{version}.dist-info/RECORD": record.encode()}.items():
            z.writestr(p, d)
    return f"{name}-{version}-py3-none-any.whl", buf.getvalue()


def test_plain_run_pip_install_builds_and_the_sandbox_stays_non_root(docker_client, base_image, tmp_path):
    from sandbox.container import CappedDir, Limits, run_container

    name, data = wheel()
    ctx = tmp_path / "ctx"
    (ctx / "app").mkdir(parents=True)
    (ctx / name).write_bytes(data)
    (ctx / "app" / "infer.py").write_text(
        "import os, aisc_probe\n"
        "open('/output/predictions.jsonl', 'w').write(f'{aisc_probe.VALUE} uid={os.getuid()}\\n')\n")
    # the kit's Dockerfile with the team's own install step where its comment says to put it
    dockerfile = (KIT / "Dockerfile").read_text().replace(
        "USER 65534:65534", f"COPY {name} /tmp/\nRUN pip install /tmp/{name}\nUSER 65534:65534")
    assert "RUN pip install" in dockerfile
    (ctx / "Dockerfile").write_text(dockerfile)
    tag = f"aisc-test/deepfake-pip-{uuid.uuid4().hex[:8]}:latest"
    try:
        image, _ = docker_client.images.build(path=str(ctx), tag=tag, buildargs={"BASE_IMAGE": base_image},
                                              rm=True, forcerm=True, pull=False, network_mode="none")
        out = CappedDir(tmp_path, 1 << 20)
        outcome = run_container(docker_client, image.id, [], out, Limits())
        assert outcome.status == "exited" and outcome.exit_code == 0, outcome.logs
        text = (out.path / "predictions.jsonl").read_text()
        assert text.startswith("installed by pip uid=") and "uid=0" not in text, text
        out.close()
    finally:
        docker_client.images.remove(tag, force=True)
        shutil.rmtree(ctx, ignore_errors=True)
