"""One GPU per container run (sandbox.gpus): two runs never share a device, a run never gets all
of them, a lease dies with its process, and a phase that asks for a GPU on a worker without one
is an infra error that says so. Runs without a GPU: the leases are lock files."""
from __future__ import annotations

import multiprocessing
import threading
import time

import pytest

from sandbox.container import Limits, container_config
from sandbox.gpus import NoGpu, lease_gpu, visible_gpus


def test_two_runs_get_two_different_devices_and_a_third_waits(tmp_path):
    held, third = [], []
    with lease_gpu(["0", "1"], tmp_path) as a, lease_gpu(["0", "1"], tmp_path) as b:
        held += [a, b]
        with pytest.raises(NoGpu, match="every GPU of this worker \\(0, 1\\) is in use"):
            with lease_gpu(["0", "1"], tmp_path, wait_s=0):
                pass

        def wait_for_one():
            with lease_gpu(["0", "1"], tmp_path, wait_s=10) as c:
                third.append(c)

        t = threading.Thread(target=wait_for_one)
        t.start()
        time.sleep(1.2)
        assert third == []  # still waiting while both are held
    t.join(10)
    assert sorted(held) == ["0", "1"] and third and third[0] in ("0", "1")


def _hold(lock_dir, ready, stop):
    with lease_gpu(["7"], lock_dir):
        ready.set()
        stop.wait(30)


def test_a_lease_dies_with_its_process(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold, args=(str(tmp_path), ready, stop))
    proc.start()
    assert ready.wait(30)
    with pytest.raises(NoGpu):
        with lease_gpu(["7"], tmp_path):
            pass
    proc.kill()  # a worker killed mid-run: the kernel drops its lock
    proc.join(10)
    with lease_gpu(["7"], tmp_path) as d:
        assert d == "7"


def test_no_gpu_on_this_worker_is_a_clear_infra_error(tmp_path, monkeypatch):
    from evaluators.common.errors import BundleError

    monkeypatch.setenv("AISC_SANDBOX_GPUS", "")
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi
    assert visible_gpus() == []
    with pytest.raises(BundleError, match="asks for a GPU .* this worker has none"):
        with lease_gpu(lock_dir=tmp_path):
            pass
    monkeypatch.setenv("AISC_SANDBOX_GPUS", "2, 3")
    assert visible_gpus() == ["2", "3"]


def test_the_container_gets_exactly_its_leased_device():
    cfg = container_config("img", [], Limits(gpu=True), gpu_device="1")
    assert cfg["device_requests"][0]["DeviceIDs"] == ["1"] and cfg["device_requests"][0]["Count"] in (None, 0)
    with pytest.raises(ValueError, match="needs the one device it was leased"):
        container_config("img", [], Limits(gpu=True))
