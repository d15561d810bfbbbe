"""docker-compose.yml as organizers start it: a plain `up` needs no GPU, the gpu profile adds a
worker of the gpu queue that reserves the host's GPUs, and every app service shares one
environment. (No Docker Compose here: the file itself is checked.)"""
from __future__ import annotations

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
