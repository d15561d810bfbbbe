"""Build submission images from the kit, offline: the debootstrap base image, any app
directory on top of it (the kit's Dockerfile), ``docker save`` tarballs, and the baseline.

    python -m submission_kit.deepfake.build base [--name NAME]
    python -m submission_kit.deepfake.build baseline TRAIN_LABELLED_DIR OUT.tar
    python -m submission_kit.deepfake.build app APP_DIR TAG OUT.tar
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import docker

from .settings import KitSettings

KIT = Path(__file__).resolve().parent
BASE_IMAGE = KitSettings().deepfake_base_image
BASELINE_TAG = "aisc/deepfake-baseline:latest"


def ensure_base_image(name: str = BASE_IMAGE) -> str:
    """Build the debootstrap base image unless it exists (about a minute the first time)."""
    subprocess.run(["bash", str(KIT / "build_base_image.sh"), name], check=True)
    return name


def build_image(client: docker.DockerClient, app: dict[str, Path | bytes], tag: str,
                base_image: str = BASE_IMAGE) -> str:
    """Build the kit's Dockerfile with ``app`` (name -> source file or bytes) as /app; return the id."""
    with tempfile.TemporaryDirectory(prefix="aisc-kit-") as tmp:
        stage = Path(tmp)
        shutil.copy(KIT / "Dockerfile", stage / "Dockerfile")
        (stage / "app").mkdir()
        for name, src in app.items():
            dst = stage / "app" / name
            if isinstance(src, bytes):
                dst.write_bytes(src)
            else:
                shutil.copy(src, dst)
            dst.chmod(0o644)
        image, _logs = client.images.build(path=str(stage), tag=tag, buildargs={"BASE_IMAGE": base_image},
                                           rm=True, forcerm=True, pull=False, network_mode="none")
    return image.id


def save_image(client: docker.DockerClient, tag: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_suffix(".part")
    with open(part, "wb") as f:
        for chunk in client.images.get(tag).save(named=True):
            f.write(chunk)
    part.replace(out)
    return out


def template_app() -> dict[str, Path]:
    return {"infer.py": KIT / "template" / "infer.py", "embedding.py": KIT / "template" / "embedding.py"}


def build_baseline(train_dir: Path, out_tar: Path, *, base_image: str = BASE_IMAGE,
                   client: docker.DockerClient | None = None) -> Path:
    """Fit the baseline on ``train_dir``, build its image and save it to ``out_tar`` (idempotent)."""
    from .baseline.train import train

    client = client or docker.from_env(timeout=300)
    out_tar = Path(out_tar)
    with tempfile.TemporaryDirectory(prefix="aisc-baseline-") as tmp:
        model = Path(tmp) / "model.npz"
        train(train_dir, model)
        app = {"infer.py": KIT / "template" / "infer.py", "embedding.py": KIT / "baseline" / "embedding.py",
               "features.py": KIT / "baseline" / "features.py", "model.npz": model}
        digest = hashlib.sha256(base_image.encode())
        for name in sorted(app):
            digest.update(name.encode() + Path(app[name]).read_bytes())
        stamp = out_tar.with_suffix(".json")
        want = {"inputs": digest.hexdigest()}
        if out_tar.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == want:
            return out_tar
        ensure_base_image(base_image)
        build_image(client, app, BASELINE_TAG, base_image)
        save_image(client, BASELINE_TAG, out_tar)
        client.images.remove(BASELINE_TAG, force=True)  # the tarball is the submission; a worker loads it
        stamp.write_text(json.dumps(want))
    return out_tar


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m submission_kit.deepfake.build", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("base", help="build the debootstrap base image")
    b.add_argument("--name", default=BASE_IMAGE)
    bl = sub.add_parser("baseline", help="fit and build the baseline image, save it")
    bl.add_argument("train_dir", type=Path)
    bl.add_argument("out", type=Path)
    a = sub.add_parser("app", help="build an app directory (infer.py, embedding.py, ...) and save it")
    a.add_argument("app_dir", type=Path)
    a.add_argument("tag")
    a.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "base":
        ensure_base_image(args.name)
    elif args.cmd == "baseline":
        print(build_baseline(args.train_dir, args.out))
    else:
        client = docker.from_env(timeout=300)
        ensure_base_image()
        files = {p.name: p for p in args.app_dir.iterdir() if p.is_file()}
        if "infer.py" not in files:
            raise SystemExit(f"{args.app_dir} has no infer.py (start from {KIT / 'template'})")
        build_image(client, files, args.tag)
        print(save_image(client, args.tag, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
