"""Hostile submissions: each is a user failure with a clear message; the worker is unharmed.

Every hostile script, if its attack succeeded, would write valid predictions (so the run would
score instead of failing): a rejection therefore shows the sandbox stopped it."""
import time

import pytest

from evaluators.common.errors import SubmissionRejected, SubmissionTimedOut
from evaluators.deepfake.run import run_and_score
from sandbox.container import RUN_LABEL, SANDBOX_LABEL
from sandbox.image_archive import check_image_archive

pytestmark = pytest.mark.docker

VALID_OUTPUT = '''
import json, os
def write_valid():
    probes = sorted(n[:-4] for n in os.listdir("/input/probe"))
    gallery = sorted(n[:-4] for n in os.listdir("/input/gallery"))[:5]
    with open("/output/predictions.jsonl", "w") as f:
        for p in probes:
            f.write(json.dumps({"probe": p, "top5": [{"gallery": g, "similarity": 0.5} for g in gallery]}) + "\\n")
'''

HOSTILE = {
    "network": (VALID_OUTPUT + '''
import socket, sys
for host in [("1.1.1.1", 53), ("8.8.8.8", 443), ("172.17.0.1", 2375)]:
    try:
        socket.create_connection(host, timeout=2).close()
        write_valid(); sys.exit(0)
    except OSError as e:
        print("blocked", host, e, flush=True)
print("interfaces:", os.listdir("/sys/class/net"))
sys.exit(3)
''', SubmissionRejected, "exited with status 3"),
    "write_outside_output": (VALID_OUTPUT + '''
import sys
for path in ["/etc/owned", "/owned", "/app/owned", "/input/probe/owned", "/input/owned", "/usr/owned"]:
    try:
        open(path, "w").write("x")
        write_valid(); sys.exit(0)
    except OSError as e:
        print("refused", path, e, flush=True)
sys.exit(4)
''', SubmissionRejected, "exited with status 4"),
    "fork_bomb": ('''
import os
while True:
    os.fork()
''', SubmissionRejected, "exited with status"),
    "memory_hog": (VALID_OUTPUT + '''
hog = b"\\x01" * (2 << 30)
write_valid()
''', SubmissionRejected, "ran out of memory: it used more than its 256 MB limit"),
    "sleep_forever": ('''
import time
time.sleep(10 ** 6)
''', SubmissionTimedOut, "did not finish within the 6 s time limit"),
    "stdout_flood": ('''
import sys
while True:
    sys.stdout.write("x" * 65536 + "\\n")
''', SubmissionRejected, "wrote more than 2 MB to stdout/stderr"),
    "huge_output": (VALID_OUTPUT + '''
write_valid()
with open("/output/padding.bin", "wb") as f:
    for _ in range(100):
        f.write(b"\\0" * (1 << 20))
''', SubmissionRejected, "wrote more than the 4 MB allowed in /output"),
    "non_zero_exit": ('''
import sys
print("giving up", flush=True)
sys.exit(7)
''', SubmissionRejected, "exited with status 7"),
    "malformed_json": ('''
with open("/output/predictions.jsonl", "w") as f:
    f.write('{"probe": "p1", "top5": [\\n')
''', SubmissionRejected, "line 1: is not valid JSON"),
}

LIMITS = {"phase_kind": "preliminary", "time_limit_s": 20, "memory_mb": 256, "cpus": 1.0, "pids": 64,
          "output_cap_mb": 4, "log_cap_kb": 8, "log_limit_mb": 2, "tmp_mb": 16}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_image_is_a_user_failure(name, make_image, dataset, docker_client, sandbox_tmp):
    script, exc_type, message = HOSTILE[name]
    tar = make_image(script)
    bundle = dataset / "phases" / "preliminary"
    before = sorted(p.name for p in (bundle / "probe").iterdir())
    settings = dict(LIMITS, time_limit_s=6 if name == "sleep_forever" else 20)
    t0 = time.monotonic()
    run_id = f"test-{name}-{time.time_ns()}"
    digest = check_image_archive(tar, max_bytes=1 << 32).digest
    with pytest.raises(exc_type) as info:
        run_and_score(tar, bundle, settings, run_id=run_id)
    elapsed = time.monotonic() - t0
    assert message in str(info.value)
    assert len(getattr(info.value, "logs", "")) <= 8 * 1024
    if name == "sleep_forever":
        assert 6 <= elapsed < 30
    if name in ("network", "write_outside_output"):
        assert info.value.logs.count("blocked" if name == "network" else "refused") >= 3
    # the worker is unharmed: engine up, nothing of this run left behind, hidden data untouched
    # (checks are scoped to this run: other runs may share the engine)
    assert docker_client.ping()
    assert not docker_client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={run_id}"})
    assert digest not in {img.id for img in docker_client.images.list(all=True)}
    assert list(sandbox_tmp.iterdir()) == []
    assert str(sandbox_tmp) not in open("/proc/mounts").read()
    assert sorted(p.name for p in (bundle / "probe").iterdir()) == before


def test_prune_removes_leftover_sandbox_containers_when_disk_is_low(docker_client, base_image, monkeypatch):
    import sandbox.image as si

    left = docker_client.containers.create(base_image, ["true"], labels={SANDBOX_LABEL: "1"})
    assert si.prune_if_low(docker_client, min_free_gb=0)["pruned"] is False
    assert docker_client.containers.get(left.id)
    readings = iter([0, 1 << 50, 1 << 50])  # low before, plenty after the first stage
    monkeypatch.setattr(si, "docker_free_bytes", lambda client: next(readings))
    report = si.prune_if_low(docker_client, min_free_gb=10)
    assert report["pruned"] and report["free_after"] == 1 << 50
    assert not docker_client.containers.list(all=True, filters={"id": left.id})
    assert docker_client.images.get(base_image)  # the second stage did not run
