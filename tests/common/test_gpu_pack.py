"""bench/gpu_pack.py's plan and size check, and bench/gpu_needs.py's skip reasons (no downloads)."""
from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(ROOT / "bench"))


pack = _module("gpu_pack")
needs = _module("gpu_needs")


def test_every_packed_wheel_is_pinned_once_in_requirements_lock_and_missing_on_the_bare_machine():
    lock = (ROOT / "requirements.lock").read_text()
    plan = pack.wheel_plan(lock) + pack.wheel_plan(lock, tuple(needs.PACK_SLICES))
    names = [p.split("==")[0] for p in plan]
    assert len(names) == len(set(names)) == len(needs.PACK_DISTS) + len(needs.PACK_SLICES)
    assert needs.lacking(names) == sorted(names)  # nothing the bare machine already has
    assert not {"torch", "numpy", "opencv-python", "opencv-python-headless"} & set(names)
    for pin in plan:
        name, ver = pin.split("==")
        assert any(needs.normalize(line.split("==")[0]) == name and line.split("==")[1].strip() == ver
                   for line in lock.splitlines() if "==" in line and not line.startswith("#")), pin


def test_wheel_plan_refuses_unpinned_and_doubly_pinned_distributions():
    with pytest.raises(pack.PackError, match="not pinned"):
        pack.wheel_plan("pydantic==2.0\n", ("ultralytics",))
    with pytest.raises(pack.PackError, match="several versions"):
        pack.wheel_plan("Pydantic==2.0\npydantic==2.1\n", ("pydantic",))
    assert pack.wheel_plan("PyDantic_Core==2.5\npydantic-core==2.5  # again\n", ("pydantic-core",)) \
        == ["pydantic-core==2.5"]


def test_download_command_targets_the_given_cpython_on_manylinux_without_dependencies():
    cmd = pack.pip_download_cmd(["ultralytics==1"], Path("w"), "3.12")
    assert cmd[cmd.index("--python-version") + 1] == "3.12" and "--no-deps" in cmd
    assert "--only-binary=:all:" in cmd and cmd[-1] == "ultralytics==1"
    assert {cmd[i + 1] for i, c in enumerate(cmd) if c == "--platform"} >= {"manylinux_2_28_x86_64",
                                                                          "manylinux2014_x86_64"}


def test_check_wheels_wants_exactly_the_planned_versions(tmp_path):
    for f in ("pydantic-2.1-py3-none-any.whl", "pydantic_core-2.5-cp312-cp312-manylinux_2_17_x86_64.whl"):
        (tmp_path / f).write_bytes(b"")
    assert len(pack.check_wheels(tmp_path, ["pydantic==2.1", "pydantic-core==2.5"])) == 2
    with pytest.raises(pack.PackError, match="expected one wheel of pydantic==2.2"):
        pack.check_wheels(tmp_path, ["pydantic==2.2", "pydantic-core==2.5"])
    with pytest.raises(pack.PackError, match="unplanned"):
        pack.check_wheels(tmp_path, ["pydantic==2.1"])


def test_size_check_refuses_a_pack_that_does_not_fit_beside_the_tree():
    mib = 2**20
    assert "= 50.0 MiB" in pack.check_size(20 * mib, 30 * mib)
    with pytest.raises(pack.PackError, match="too large to carry: pack 35.0 MiB"):
        pack.check_size(35 * mib, 26 * mib)
    assert pack.tree_bytes(ROOT) > 0


def test_slices_keep_only_the_named_module_and_the_licence(tmp_path):
    wheel = tmp_path / "ai_edge_litert-2.3.0-cp312-cp312-manylinux_2_27_x86_64.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("ai_edge_litert/schema_py_generated.py", "X = 1\n")
        z.writestr("ai_edge_litert/_pywrap_big.so", b"\0" * 100)
        z.writestr("ai_edge_litert-2.3.0.dist-info/licenses/LICENSE", "Apache\n")
    out = pack.unpack_slices([wheel], tmp_path / "py")
    assert out == ["ai_edge_litert/LICENSE", "ai_edge_litert/__init__.py", "ai_edge_litert/schema_py_generated.py"]
    assert "A slice of" in (tmp_path / "py" / "ai_edge_litert" / "__init__.py").read_text()


def test_a_stage_whose_modules_are_missing_is_skipped_with_the_reason(monkeypatch):
    monkeypatch.setitem(needs.STAGE_MODULES, "driving", ("json", "no_such_module_for_gpu_check"))
    monkeypatch.setitem(needs.DEMO_MODULES, "driving", ("json",))
    assert needs.skip_reason("driving") == "needs no_such_module_for_gpu_check (not installed here)"
    monkeypatch.setitem(needs.STAGE_MODULES, "face", ("json", "no_such_parent.child"))
    why = needs.skip_reason("face", prebuilt=True)
    assert why.startswith("needs no_such_parent.child") and "CUDAExecutionProvider" in why
    monkeypatch.setitem(needs.STAGE_MODULES, "driving", ("json",))
    assert needs.skip_reason("driving") is None


def test_face_align_needs_the_photo_finders_only_when_the_pack_does_not_bring_the_photos(monkeypatch):
    monkeypatch.setitem(needs.STAGE_MODULES, "face-align", ("json",))
    monkeypatch.setitem(needs.DEMO_MODULES, "photos", ("no_such_photo_finder",))
    assert needs.skip_reason("face-align") == "needs no_such_photo_finder (not installed here)"
    assert needs.skip_reason("face-align", prebuilt=True) is None
    assert set(needs.STAGE_INPUTS) == set(needs.STAGE_MODULES)
