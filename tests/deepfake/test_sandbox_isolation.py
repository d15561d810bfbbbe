"""What a container can see and do: the DESIGN.md section 5 flags, seen from inside, and no
label, method name, bundle id or bundle path reachable (mounts, file names, environment)."""
import json

import pytest

from authoring.deepfake import forgeries
from evaluators.deepfake.bundle import load_bundle
from evaluators.deepfake.run import run_and_score
from sandbox.container import Limits, container_config

pytestmark = pytest.mark.docker

SPY = r'''
import json, os, socket
def read(path):
    try:
        return open(path, errors="replace").read()
    except OSError as e:
        return f"unreadable: {e}"
def chunks(path):
    data, pos, out = open(path, "rb").read(), 8, []
    while pos + 8 <= len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        out.append(data[pos + 4:pos + 8].decode("latin-1"))
        pos += 12 + n
    return sorted(set(out))
files = {root: sorted(names) for root, _dirs, names in os.walk("/input")}
probes = sorted(n[:-4] for n in os.listdir("/input/probe"))
gallery = sorted(n[:-4] for n in os.listdir("/input/gallery"))
status = dict(l.split(":", 1) for l in read("/proc/self/status").splitlines() if ":" in l)
writable = {}
for d in ["/", "/etc", "/app", "/input", "/input/probe", "/tmp", "/output"]:
    try:
        open(os.path.join(d, "probe-write"), "w").close()
        writable[d] = True
    except OSError:
        writable[d] = False
report = {
    "uid": os.getuid(), "gid": os.getgid(), "env": dict(os.environ), "hostname": socket.gethostname(),
    "files": files, "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
    "net": sorted(os.listdir("/sys/class/net")), "mounts": read("/proc/mounts"),
    "mountinfo": read("/proc/self/mountinfo"), "cmdline": read("/proc/1/cmdline"),
    "mem_limit": read("/sys/fs/cgroup/memory/memory.limit_in_bytes").strip(),
    "pids_max": read("/sys/fs/cgroup/pids/pids.max").strip(),
    "png_chunks": sorted({c for d in ("probe", "gallery") for n in os.listdir("/input/" + d)
                          for c in chunks(os.path.join("/input", d, n))}),
    "writable": writable,
}
print("REPORT " + json.dumps(report), flush=True)
with open("/output/predictions.jsonl", "w") as f:
    for p in probes:
        f.write(json.dumps({"probe": p, "top5": [{"gallery": g, "similarity": 0.5} for g in gallery[:5]]}) + "\n")
'''


@pytest.fixture(scope="module")
def spy_report(make_image, dataset, tmp_path_factory):
    import os

    scratch = tmp_path_factory.mktemp("spy-sandbox")
    os.environ["AISC_SANDBOX_TMP"] = str(scratch)
    try:
        result = run_and_score(make_image(SPY), dataset / "phases" / "final",
                               {"phase_kind": "evaluation", "memory_mb": 300, "pids": 50, "log_cap_kb": 256})
    finally:
        del os.environ["AISC_SANDBOX_TMP"]
    log = result.details["container_log"]
    return json.loads(log[log.index("REPORT ") + 7:].splitlines()[0]), result


def test_sandbox_flags_seen_from_inside(spy_report):
    report, result = spy_report
    assert (report["uid"], report["gid"]) == (65534, 65534)
    assert int(report["cap_eff"], 16) == 0
    assert report["no_new_privs"] == "1"
    assert report["net"] == ["lo"]
    assert report["hostname"] == "sandbox"
    assert report["mem_limit"] == str(300 * 2**20)
    assert report["pids_max"] == "50"
    root = [line.split() for line in report["mounts"].splitlines() if line.split()[1] == "/"][0]
    assert "ro" in root[3].split(",")
    tmp = [line.split() for line in report["mounts"].splitlines() if line.split()[1] == "/tmp"][0]
    assert tmp[2] == "tmpfs"
    assert report["writable"] == {"/": False, "/etc": False, "/app": False, "/input": False,
                                  "/input/probe": False, "/tmp": True, "/output": True}
    assert result.score == pytest.approx(result.columns["precision@5"])  # scored: the spy's output was valid


def test_no_label_or_method_name_is_reachable(spy_report, dataset):
    report, _ = spy_report
    bundle = load_bundle(dataset / "phases" / "final")
    text = json.dumps(report)
    for method in forgeries.ALL:
        assert method not in text
    for word in ("preliminary", "evaluation", "final", "phases", "label", "manifest", str(dataset)):
        assert word not in text.replace("/usr/lib/python3/dist-packages", "")
    for ident in list(bundle.probe_labels)[:20] + list(bundle.gallery_labels)[:20]:
        assert ident not in text  # bundle ids are replaced by fresh random ids
    assert set(report["files"]) == {"/input", "/input/probe", "/input/gallery"}
    assert report["files"]["/input"] == []
    names = report["files"]["/input/probe"] + report["files"]["/input/gallery"]
    assert len(report["files"]["/input/probe"]) == len(bundle.probe_labels)
    assert all(len(n) == 17 and n[0] in "pg" and n.endswith(".png") for n in names)
    assert report["png_chunks"] == ["IDAT", "IEND", "IHDR"]  # no text chunks in the images
    assert not {k for k in report["env"] if k.startswith("AISC")}


def test_gpu_only_when_asked():
    assert "device_requests" not in container_config("img", [], Limits())
    cfg = container_config("img", [], Limits(gpu=True, memory_mb=512, cpus=1.5, pids=32), gpu_device="0")
    assert cfg["device_requests"][0]["Capabilities"] == [["gpu"]]
    assert cfg["network_mode"] == "none" and cfg["read_only"] and cfg["cap_drop"] == ["ALL"]
    assert cfg["security_opt"] == ["no-new-privileges:true"] and cfg["user"] == "65534:65534"
    assert (cfg["mem_limit"], cfg["memswap_limit"], cfg["nano_cpus"], cfg["pids_limit"]) == ("512m", "512m", 1_500_000_000, 32)
