"""docker-compose.yml as organizers start it: a plain `up` needs no GPU, the gpu profile adds a
worker of the gpu queue that reserves the host's GPUs, and every app service shares one
environment, and each role runs its own image. (The file's structure; tests/deploy runs the stack.)"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _queue(service: dict) -> str:
    cmd = service["command"]
    return cmd[cmd.index("-Q") + 1]


def test_plain_up_needs_no_gpu():
    plain = {name: s for name, s in services().items() if not s.get("profiles")}
    assert {"postgres", "redis", "migrate", "api", "worker", "beat"} <= set(plain)
    assert not any("deploy" in s for s in plain.values())
    assert _queue(plain["worker"]) == "cpu"


def test_the_gpu_profile_adds_a_gpu_queue_worker_that_reserves_the_gpus():
    gpu = services()["gpu-worker"]
    assert gpu["profiles"] == ["gpu"] and _queue(gpu) == "gpu"
    assert gpu["environment"]["AISC_DEVICE"] == "cuda"
    devices = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert devices == [{"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}]
    assert "/var/run/docker.sock:/var/run/docker.sock" in gpu["volumes"]  # it runs deepfake containers


def test_app_services_share_the_database_broker_and_storage():
    s = services()
    keys = ("AISC_DATABASE_URL", "AISC_BROKER_URL", "AISC_STORAGE_URL", "AISC_SANDBOX_TMP")
    envs = {name: tuple(s[name]["environment"][k] for k in keys) for name in ("api", "worker", "gpu-worker", "beat")}
    assert len(set(envs.values())) == 1, envs


def test_each_role_runs_its_own_image():
    """api and migrate: the lean API image; worker and beat: the worker image; gpu-worker: the
    GPU image. Each image is built from its own Dockerfile, which exists."""
    s = services()
    dockerfile = {name: s[name]["build"]["dockerfile"] for name in ("api", "migrate", "worker", "beat", "gpu-worker")}
    assert dockerfile == {"api": "docker/api.Dockerfile", "migrate": "docker/api.Dockerfile",
                          "worker": "docker/worker.Dockerfile", "beat": "docker/worker.Dockerfile",
                          "gpu-worker": "docker/gpu-worker.Dockerfile"}
    assert all((ROOT / f).is_file() for f in dockerfile.values())
    assert s["api"]["image"] == s["migrate"]["image"] != s["worker"]["image"] == s["beat"]["image"]
    assert s["gpu-worker"]["image"] not in (s["api"]["image"], s["worker"]["image"])


def _requirements(name: str) -> tuple[list[str], list[str]]:
    """(included files, package names) of one requirements file."""
    lines = [ln.split("#")[0].strip() for ln in (ROOT / name).read_text().splitlines()]
    incl = [ln.split()[1] for ln in lines if ln.startswith("-r ")]
    pkgs = [re.split(r"[\[<>=!~ ]", ln)[0].lower() for ln in lines if ln and not ln.startswith("-")]
    return incl, pkgs


def test_requirements_are_split_by_role_and_pinned_by_the_lock():
    api_incl, api = _requirements("requirements-api.txt")
    worker_incl, worker = _requirements("requirements-worker.txt")
    all_incl, rest = _requirements("requirements.txt")
    assert (api_incl, worker_incl, all_incl) == ([], ["requirements-api.txt"], ["requirements-worker.txt"])
    heavy = {"torch", "torchvision", "ultralytics", "opencv-python", "dlib-bin", "ai-edge-litert", "onnxruntime",
             "insightface", "docker", "scipy", "scikit-image", "scikit-learn", "matplotlib", "kornia"}
    assert not heavy & set(api) and heavy <= set(worker)
    lock = {re.split(r"[=\[]", ln)[0].lower().replace("_", "-") for ln in (ROOT / "requirements.lock").read_text().split()
            if "==" in ln}
    unpinned = {p for p in api + worker + rest if p.replace("_", "-") not in lock}
    assert not unpinned, f"add these to requirements.lock: {sorted(unpinned)}"
