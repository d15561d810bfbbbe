"""Hostile submissions: each is a user failure with a clear message; the worker is unharmed.

Every hostile script, if its attack succeeded, would write valid predictions (so the run would
score instead of failing): a rejection therefore shows the sandbox stopped it."""
import time

import pytest

from evaluators.common.errors import SubmissionRejected, SubmissionTimedOut
from workers.deepfake_run import run_and_score
from workers.sandbox import SANDBOX_LABEL

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
    with pytest.raises(exc_type) as info:
        run_and_score(tar, bundle, settings)
    elapsed = time.monotonic() - t0
    assert message in str(info.value)
    assert len(getattr(info.value, "logs", "")) <= 8 * 1024
    if name == "sleep_forever":
        assert 6 <= elapsed < 30
    if name in ("network", "write_outside_output"):
        assert info.value.logs.count("blocked" if name == "network" else "refused") >= 3
    # the worker is unharmed: engine up, nothing left behind, hidden data untouched
    assert docker_client.ping()
    assert not docker_client.containers.list(all=True, filters={"label": SANDBOX_LABEL})
    assert list(sandbox_tmp.iterdir()) == []
    assert "aisc-output" not in open("/proc/mounts").read()
    assert sorted(p.name for p in (bundle / "probe").iterdir()) == before
    assert not [img for img in docker_client.images.list() if any("deepfake-" in t and "aisc-test" in t
                                                                  for t in img.tags)]
