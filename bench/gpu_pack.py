"""Pack what the GPU check needs on a bare GPU machine (no registry, Python 3.12 with CUDA torch,
onnxruntime, OpenCV, scikit-image; see bench/gpu_needs.py) into one git-ignored folder,
``.gpucheck/``, that travels beside the source tree:

- ``wheels/``: the wheels of bench/gpu_needs.PACK_DISTS at requirements.lock's versions, for
  CPython ``--python-version`` (default 3.12) on manylinux x86-64;
- ``py/``: single modules cut from wheels too large to carry whole (gpu_needs.PACK_SLICES);
- ``face/bundle/``: the quick face demo's bundle (built here: the demo needs dlib, MTCNN and
  LiteRT), all the face attack stage reads of it;
- ``face_assets/npm/MobileFaceNet.tflite``: the Deep Dream surrogate's weights;
- ``darknet/``: the two photos the driving scene generator cuts sprites from;
- ``photos/``: the packaged face photos the face demo is made from (the face-align stage);
- ``inputs.json``: those paths, relative to the pack.

The driving CI demo is not packed (about 43 MB, it would not fit): with the wheels and photos
above the bare machine builds it from the tracked detectors. Refuses (exit 3) when the pack and
the source tree together exceed 60 MiB. Run it here with the project's environment:
``bench/gpu_check.sh --pack`` (or ``.venv/bin/python bench/gpu_pack.py``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gpu_needs import PACK_DISTS, PACK_SLICES, normalize  # noqa: E402

LIMIT_BYTES = 60 * 2**20
# pip does not widen a --platform to older glibc tags: each one is named (ai-edge-litert: 2_27)
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")


class PackError(RuntimeError):
    pass


def wheel_plan(lock_text: str, dists=PACK_DISTS) -> list[str]:
    """``name==version`` for each of ``dists``, from requirements.lock's pins (one version each)."""
    pins: dict[str, set[str]] = {}
    for line in lock_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, ver = line.split("==", 1)
            pins.setdefault(normalize(name), set()).add(ver.strip())
    plan = []
    for d in dists:
        vers = pins.get(normalize(d))
        if not vers:
            raise PackError(f"{d} is not pinned in requirements.lock")
        if len(vers) > 1:
            raise PackError(f"{d} is pinned at several versions in requirements.lock: {sorted(vers)}")
        plan.append(f"{normalize(d)}=={vers.pop()}")
    return plan


def pip_download_cmd(plan: list[str], dest: Path, python_version: str) -> list[str]:
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
           "--python-version", python_version, "--implementation", "cp", "--dest", str(dest)]
    for p in PLATFORMS:
        cmd += ["--platform", p]
    return cmd + plan


def wheel_dist(filename: str) -> str:
    return normalize(filename.split("-", 1)[0])


def check_wheels(dest: Path, plan: list[str]) -> list[Path]:
    """Exactly one wheel per planned distribution, at the planned version."""
    wheels = sorted(dest.glob("*.whl"))
    by_dist: dict[str, list[Path]] = {}
    for w in wheels:
        by_dist.setdefault(wheel_dist(w.name), []).append(w)
    for pin in plan:
        name, ver = pin.split("==")
        got = by_dist.pop(name, [])
        if len(got) != 1 or f"-{ver}-" not in got[0].name:
            raise PackError(f"expected one wheel of {pin}, found {[w.name for w in got]}")
    if by_dist:
        raise PackError(f"unplanned wheels in {dest}: {sorted(by_dist)}")
    return wheels


def unpack_slices(wheels: list[Path], dest: Path) -> list[str]:
    """Extract PACK_SLICES' files (and the wheel's licence, as LICENSE) from ``wheels`` into
    ``dest``, with an ``__init__.py`` saying what the slice is; returns the files written."""
    written = []
    for w in wheels:
        files = PACK_SLICES[wheel_dist(w.name)]
        pkg = dest / files[0].split("/", 1)[0]
        with zipfile.ZipFile(w) as z:
            licences = [n for n in z.namelist() if ".dist-info/" in n and "LICEN" in n.upper()]
            for rel, target in [(f, dest / f) for f in files] + [(n, pkg / "LICENSE") for n in licences[:1]]:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(rel))
                written.append(target)
        (pkg / "__init__.py").write_text(f'"""A slice of {w.name} (bench/gpu_pack.py): only '
                                         f'{", ".join(Path(f).name for f in files)}."""\n')
        written.append(pkg / "__init__.py")
    return sorted(str(p.relative_to(dest)) for p in written)


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def tree_bytes(root: Path = ROOT) -> int:
    """What travels as the working tree: tracked files plus untracked ones git does not ignore."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                         check=True, capture_output=True).stdout
    files = {root / n for n in out.decode().split("\0") if n}
    return sum(f.stat().st_size for f in files if f.is_file() and not f.is_symlink())


def check_size(pack: int, tree: int, limit: int = LIMIT_BYTES) -> str:
    """One line with the sizes; PackError when pack + tree exceed ``limit``."""
    mib = 2**20
    line = (f"pack {pack / mib:.1f} MiB + source tree {tree / mib:.1f} MiB = {(pack + tree) / mib:.1f} MiB "
            f"(limit {limit / mib:.0f} MiB)")
    if pack + tree > limit:
        raise PackError(f"too large to carry: {line}; leave inputs out or carry fewer wheels")
    return line


def pack_face_inputs(pack: Path, scratch: Path) -> dict:
    """Build the quick face demo in ``scratch``; keep its bundle and the MobileFaceNet weights."""
    from authoring.face.demo import build_demo
    from reference_solutions.face.surrogates.assets import mobilefacenet_tflite

    demo = build_demo(scratch / "face", quick=True)
    shutil.copytree(demo["phases"]["preliminary"]["bundle"], pack / "face" / "bundle")
    weights = pack / "face_assets" / "npm" / "MobileFaceNet.tflite"
    weights.parent.mkdir(parents=True)
    shutil.copyfile(mobilefacenet_tflite(), weights)
    return {"face": {"phases": {"preliminary": {"bundle": "face/bundle", "settings": {}}}, "baselines": {}},
            "face_assets": "face_assets"}


def pack_driving_inputs(pack: Path) -> dict:
    """The darknet photos the driving scene generator cuts sprites from (kept under var/, not
    tracked); the CI demo itself is built there from them and the tracked detectors."""
    from authoring.settings import authoring_settings

    shutil.copytree(authoring_settings().darknet_dir(), pack / "darknet")
    return {"darknet": "darknet"}


def pack_face_photos(pack: Path) -> dict:
    """The distinct photos of authoring.face.demo.packaged_photos (MTCNN's input in face-align)."""
    from authoring.face.demo import packaged_photo_files

    (pack / "photos").mkdir()
    for photo in packaged_photo_files():
        shutil.copyfile(photo, pack / "photos" / photo.name)
    return {"photos": "photos"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/gpu_pack.py", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / ".gpucheck", help="the pack (emptied first)")
    ap.add_argument("--python-version", default="3.12", help="CPython version of the target machine")
    ap.add_argument("--limit-mib", type=float, default=LIMIT_BYTES / 2**20)
    a = ap.parse_args(argv)
    try:
        lock = (ROOT / "requirements.lock").read_text()
        plan, slice_plan = wheel_plan(lock), wheel_plan(lock, tuple(PACK_SLICES))
        if a.out.exists():
            shutil.rmtree(a.out)
        (a.out / "wheels").mkdir(parents=True)
        print(f"[gpu-pack] wheels for CPython {a.python_version}: {' '.join(plan)}; "
              f"slices of {' '.join(slice_plan)}", flush=True)
        subprocess.run(pip_download_cmd(plan, a.out / "wheels", a.python_version), check=True)
        wheels = check_wheels(a.out / "wheels", plan)
        with tempfile.TemporaryDirectory(prefix="gpupack-") as scratch:
            subprocess.run(pip_download_cmd(slice_plan, Path(scratch), a.python_version), check=True)
            sliced = unpack_slices(check_wheels(Path(scratch), slice_plan), a.out / "py")
            inputs = pack_face_inputs(a.out, Path(scratch))
        inputs.update(pack_driving_inputs(a.out))
        inputs.update(pack_face_photos(a.out))
        inputs.update(python_version=a.python_version, wheels=[w.name for w in wheels], py=sliced)
        (a.out / "inputs.json").write_text(json.dumps(inputs, indent=1) + "\n")
        print(f"[gpu-pack] {a.out}: {check_size(dir_bytes(a.out), tree_bytes(), int(a.limit_mib * 2**20))}")
    except (PackError, subprocess.CalledProcessError) as e:
        print(f"[gpu-pack] failed: {e}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
