"""Run one untrusted container image under the platform's sandbox (DESIGN.md section 5).

One job: given a loaded image, read-only input mounts and a size-capped output directory,
run the image's entrypoint with no network, a read-only root, a tmpfs /tmp, all capabilities
dropped, no-new-privileges, a non-root user, memory/CPU/pids limits, a GPU only when asked,
a wall-clock limit that starts when the container starts, and capped logs. The caller turns
the returned ``RunOutcome`` into a verdict; Docker Engine errors propagate (infra failures).
Track-agnostic: any container track can use it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import docker
import requests
from docker.types import DeviceRequest, LogConfig, Mount, Ulimit

from .limits import Limits

SANDBOX_LABEL = "aisc.sandbox"
RUN_LABEL = "aisc.run"  # the caller's run id, to find one run's container
CONTAINER_LOGGER = "aisc.container"  # the container's own output is logged here (the worker keeps it apart)
SANDBOX_USER = "65534:65534"  # nobody:nogroup
POLL_S = 0.25


@dataclass
class RunOutcome:
    status: str  # exited | timeout | oom | log_flood | output_overflow
    exit_code: int | None
    run_seconds: float
    logs: str
    log_bytes: int
    output_bytes: int
    timings: dict[str, float] = field(default_factory=dict)
    started_at: float = 0.0  # time.perf_counter() when the container started
    exited_at: float = 0.0  # ... and when its exit was seen

    @property
    def ok(self) -> bool:
        return self.status == "exited" and self.exit_code == 0

    def problem(self, limits: Limits) -> str | None:
        """A message for the team when the run failed, else None."""
        if self.status == "timeout":
            return f"the container did not finish within the {limits.time_limit_s:g} s time limit and was stopped"
        if self.status == "oom":
            return f"the container ran out of memory: it used more than its {limits.memory_mb} MB limit and was killed"
        if self.status == "log_flood":
            return (f"the container wrote more than {limits.log_limit_mb:g} MB to stdout/stderr and was "
                    "stopped; log less")
        if self.status == "output_overflow":
            return f"the container wrote more than the {limits.output_cap_mb:g} MB allowed in /output"
        if self.exit_code != 0:
            return (f"the container exited with status {self.exit_code} (memory {limits.memory_mb} MB, "
                    f"{limits.pids} processes, {limits.cpus:g} CPUs, no network, read-only except /output and /tmp)")
        return None


class CappedDir:
    """A host directory capped at ``cap_bytes``, for /output (writable by the sandbox user) or
    for the anonymised input (root-owned, read-only to the container).

    As root it is a private tmpfs of exactly that size (writes past the cap fail with ENOSPC,
    and removal is instant); otherwise a plain directory whose size the sandbox polls,
    stopping the run when it passes the cap."""

    def __init__(self, parent: Path, cap_bytes: int, *, prefix: str = "output-", owner: int | None = 65534):
        self.cap = int(cap_bytes)
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        self.mounted = False
        if os.geteuid() == 0 and shutil.which("mount"):
            who = f"mode=0700,uid={owner},gid={owner}" if owner is not None else "mode=0755"
            opts = f"size={max(4096, self.cap)},nr_inodes={max(4096, self.cap // 2048)},{who},noexec,nosuid,nodev"
            r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "aisc-" + prefix.strip("-"), str(self.path)],
                               capture_output=True)
            self.mounted = r.returncode == 0
        if not self.mounted:
            self.path.chmod(0o777 if owner is not None else 0o755)

    def used_bytes(self) -> int:
        if self.mounted:
            st = os.statvfs(self.path)
            return (st.f_blocks - st.f_bfree) * st.f_frsize
        total, files = 0, 0
        for root, _dirs, names in os.walk(self.path):
            for n in names:
                files += 1
                try:
                    total += os.lstat(os.path.join(root, n)).st_blocks * 512
                except OSError:
                    pass
                if files > 100_000:
                    return self.cap + 1
        return total

    def full(self) -> bool:
        if self.mounted:
            st = os.statvfs(self.path)
            return st.f_bavail == 0 or st.f_favail == 0
        return self.used_bytes() > self.cap

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True)
            self.mounted = False
        for root, dirs, _names in os.walk(self.path):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)  # read-only input dirs: writable again
        shutil.rmtree(self.path, ignore_errors=True)


OutputDir = CappedDir


def _log_size(log_path: str) -> int:
    """Bytes in the engine's json-file log of the container (0 when not visible from here)."""
    try:
        return os.path.getsize(log_path) if log_path else 0
    except OSError:
        return 0


def _log_tail(container, keep: int) -> str:
    data = container.logs(stdout=True, stderr=True, tail=2000)
    return data[-keep:].decode("utf-8", errors="replace")


def _kill(container) -> None:
    try:
        container.kill()
    except docker.errors.APIError:
        pass  # already stopped


def container_config(image: str, mounts: list[Mount], limits: Limits, run_id: str = "",
                     gpu_device: str | None = None) -> dict:
    """The exact ``containers.create`` arguments of a sandboxed run. With ``limits.gpu`` the
    container gets exactly ``gpu_device`` (one GPU id, leased per run by ``sandbox.gpus``)."""
    cfg = dict(
        image=image,
        name=f"aisc-sandbox-{uuid.uuid4().hex[:12]}",
        user=SANDBOX_USER,
        network_mode="none",
        network_disabled=True,
        read_only=True,
        tmpfs={"/tmp": f"rw,nosuid,nodev,size={limits.tmp_mb}m,mode=1777"},
        cap_drop=["ALL"],
        security_opt=["no-new-privileges:true"],
        mem_limit=f"{limits.memory_mb}m",
        memswap_limit=f"{limits.memory_mb}m",
        nano_cpus=int(limits.cpus * 1e9),
        pids_limit=limits.pids,
        ulimits=[Ulimit(name="core", soft=0, hard=0), Ulimit(name="nofile", soft=1024, hard=1024)],
        mounts=mounts,
        environment={},
        hostname="sandbox",
        labels={SANDBOX_LABEL: "1", RUN_LABEL: run_id},
        # big enough that the flood check (which reads the file size) sees a flood before any
        # rotation; small enough to bound the engine's disk use
        log_config=LogConfig(type="json-file", config={"max-size": f"{int(limits.log_limit_mb) + 64}m",
                                                       "max-file": "1"}),
        detach=True,
    )
    if limits.gpu:
        if gpu_device is None:
            raise ValueError("a GPU run needs the one device it was leased (sandbox.gpus.lease_gpu)")
        cfg["device_requests"] = [DeviceRequest(device_ids=[str(gpu_device)], capabilities=[["gpu"]])]
    return cfg


def bind(source: Path, target: str, *, read_only: bool = True) -> Mount:
    return Mount(target=target, source=str(Path(source).resolve()), type="bind", read_only=read_only)


def run_container(client: docker.DockerClient, image: str, mounts: list[Mount], output: CappedDir,
                  limits: Limits, *, run_id: str = "", gpu_device: str | None = None) -> RunOutcome:
    """Run ``image`` with ``mounts`` plus ``output`` at /output; always removes the container."""
    t0 = time.perf_counter()
    mounts = mounts + [bind(output.path, "/output", read_only=False)]
    container = client.containers.create(**container_config(image, mounts, limits, run_id, gpu_device))
    timings = {"create": time.perf_counter() - t0}
    status = "exited"
    limit = int(limits.log_limit_mb * 2**20)
    try:
        container.start()
        started = time.perf_counter()
        timings["start"] = started - t0 - timings["create"]
        container.reload()
        log_path = container.attrs.get("LogPath", "")
        deadline = started + limits.time_limit_s
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                status = "timeout"
                _kill(container)
                break
            try:
                container.wait(timeout=min(POLL_S, remaining))
                break
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
                pass
            if _log_size(log_path) > limit:
                status = "log_flood"
                _kill(container)
                break
            if not output.mounted and output.full():
                status = "output_overflow"
                _kill(container)
                break
        container.wait(timeout=30)
        exited = time.perf_counter()
        run_seconds = exited - started
        container.reload()
        state = container.attrs["State"]
        exit_code = state.get("ExitCode")
        log_bytes = _log_size(log_path)
        if status == "log_flood" or log_bytes > limit:
            status = "log_flood"
        elif output.full():
            status = "output_overflow"
        elif status == "exited" and state.get("OOMKilled"):
            status = "oom"
        return RunOutcome(status, exit_code, run_seconds, _log_tail(container, limits.log_cap_kb * 1024), log_bytes,
                          output.used_bytes(), timings, started, exited)
    finally:
        t1 = time.perf_counter()
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass
        timings["remove"] = time.perf_counter() - t1
