"""The determinism check: score the quick demos of every track under conditions that change
float rounding on one machine, as a stand-in for workers on other machines.

``python -m reference_solutions determinism [--demo-dir D] [--cache-dir C] [--json OUT]``

Conditions (each in a fresh subprocess, so thread pools and BLAS kernels start anew):

- ``reference``: 2 threads for torch, BLAS, OpenMP and OpenCV, default BLAS kernel, default batch;
- ``threads=1``: one thread everywhere;
- ``OPENBLAS_CORETYPE=<kind>`` (only with ``--blas-kernels``, by hand): numpy's OpenBLAS forced
  onto another kernel family (only kinds the installed OpenBLAS really switches to count;
  threadpoolctl reports which one ran). Not in tests or CI: some machines set
  ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` because older OpenBLAS builds compute wrong results
  or crash on their CPU, so by default every condition keeps the machine's values;
- ``ATEN_CPU_CAPABILITY=default`` and ``ONEDNN_MAX_CPU_ISA=SSE41``: torch's own vectorised
  kernels and oneDNN's convolutions restricted to older instruction sets, as on an older CPU;
- ``batch=1``: one image per inference batch (face ``batch_size``, detector ``batch``).

What is scored: every cached reference artifact and every demo baseline of the face and driving
tracks, on one hidden phase per track (face ``preliminary``, driving ``final``); face target
embeddings are recomputed under each condition (a private embedding cache). The deepfake
track's score is integer arithmetic on the container's predictions, and the sandbox gives the
container the same environment whatever the worker's; its baseline is run under each condition
all the same (``final``), to show the whole path.

The policy (README, "Reproducibility"): a score must be identical under every condition, except
where a decision within the phase's near-threshold epsilon flipped; such rows are reported with
their margins and are allowed. Any other difference is a failure.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..settings import reference_settings

REPO = Path(__file__).resolve().parents[2]
PHASE = {"face": "preliminary", "driving": "final", "deepfake": "final"}
ONLY_BASELINES = {"deepfake"}  # one container run per condition is enough (see the docstring)
CORETYPES = ("Haswell", "Sandybridge", "Nehalem", "Prescott", "SkylakeX", "Zen")
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ---------------------------------------------------------------- child: score under one condition
def _set_threads(n: int) -> None:
    import cv2
    import torch

    torch.set_num_threads(n)
    cv2.setNumThreads(n)


def _blas_kernel() -> str:
    from threadpoolctl import threadpool_info

    import numpy  # noqa: F401  (loads numpy's OpenBLAS)

    kinds = [i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"]
    return ",".join(sorted({str(k) for k in kinds})) or "unknown"


def _batch_one(track: str, settings: dict, tmp: Path) -> dict:
    if track == "face":
        return dict(settings, batch_size=1)
    if track == "driving":  # a copy of the model set with batch 1 (files resolved against the original)
        from evaluators.common.model_set import load_model_set

        ms = Path(settings["model_set"])
        models = [dict(m, batch=1) for m in load_model_set(ms, "driving")]
        for m in models:
            m["file"] = str((ms.parent / m["file"]).resolve()) if not Path(m["file"]).is_absolute() else m["file"]
        copy = tmp / "model_set_batch1.json"
        copy.write_text(json.dumps({"track": "driving", "models": models}))
        return dict(settings, model_set=str(copy))
    return settings  # deepfake: the container decides its own batching


def _decisions(track: str, result) -> dict:
    """Per-decision outcome and margin, keyed so that two runs can be compared."""
    d = result.details
    out: dict[str, dict] = {}
    if track == "face":
        for rec in d.get("samples", []):
            for model, m in rec.get("models", {}).items():
                out[f"{model}/{rec['id']}"] = {"decision": m["verified"], "margin": m["margin"],
                                               "near": m["near_threshold"]}
    elif track == "driving":
        for model, per in d.get("counts", {}).items():
            near = d.get("near_threshold_frames", {}).get(model, {})
            for scene, counts in per.items():
                for i, c in enumerate(counts):
                    out[f"{model}/{scene}/{i}"] = {"decision": c > 0, "near": i in near.get(scene, [])}
    return out


def child(spec_path: Path) -> int:
    """Score every (track, artifact) in the spec under the condition this process was started in."""
    from reference_solutions.regress.cli import stdout_to_stderr
    from reference_solutions.regress.scoring import run_result

    spec = json.loads(spec_path.read_text())
    _set_threads(spec["threads"])
    rows = []
    with tempfile.TemporaryDirectory(prefix="aisc-determinism-") as tmp, stdout_to_stderr():
        for job in spec["jobs"]:
            settings = dict(job["settings"])
            if job["track"] == "face":
                settings["cache_dir"] = str(Path(tmp) / "face_cache")  # targets embedded under this condition
            if spec["batch_one"]:
                settings = _batch_one(job["track"], settings, Path(tmp))
            result = run_result(job["track"], Path(job["artifact"]), Path(job["bundle"]), settings)
            rows.append({"track": job["track"], "name": job["name"], "score": result.score,
                         "columns": result.columns, "near_threshold": result.details.get("near_threshold"),
                         "decisions": _decisions(job["track"], result)})
    json.dump({"blas_kernel": _blas_kernel(), "rows": rows}, sys.stdout)
    return 0


# ---------------------------------------------------------------- parent: conditions and comparison
def jobs_for(demo_dir: Path, cache_dir: Path, tracks: list[str]) -> list[dict]:
    """(track, name, artifact, bundle, settings) for every cached reference artifact and every
    baseline of each track's quick demo, on the track's hidden phase."""
    from dataclasses import replace

    from ..registry import GenerateRequest, methods
    from .cache import cached_artifact
    from .demos import build_track_demo

    jobs = []
    for track in tracks:
        demo = build_track_demo(track, demo_dir, "quick")
        phase = demo["phases"][PHASE[track]]
        arts = {f"baseline:{track}/{k}": Path(v) for k, v in demo.get("baselines", {}).items()}
        for m in [] if track in ONLY_BASELINES else methods(track):
            def refuse(_request, _name=m.name):
                raise LookupError(f"{_name} is not cached")

            request = GenerateRequest(demo_dir / track, demo, cache_dir, seed=0, budget="quick")
            try:
                arts[m.name] = cached_artifact(replace(m, generate=refuse), request, cache_dir).path
            except LookupError:
                continue  # not generated yet: the regression run generates it; baselines still run
        jobs += [{"track": track, "name": n, "artifact": str(a), "bundle": phase["bundle"],
                  "settings": phase.get("settings", {})} for n, a in sorted(arts.items())]
    return jobs


def _clean_env(threads: int, extra: dict) -> dict:
    """The machine's environment with the thread counts set (and ``extra``: an OpenBLAS kernel
    condition replaces OPENBLAS_CORETYPE and drops OPENBLAS_L2_SIZE)."""
    drop = set(THREAD_VARS) | ({"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} if "OPENBLAS_CORETYPE" in extra else set())
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({v: str(threads) for v in THREAD_VARS}, **extra)
    return env


def openblas_kernels() -> dict[str, str]:
    """{OPENBLAS_CORETYPE value ('' = none): the kernel numpy's OpenBLAS then really uses}."""
    out = {}
    for kind in ("", *CORETYPES):
        proc = subprocess.run([sys.executable, "-c", "from reference_solutions.regress.determinism import _blas_kernel; "
                               "print(_blas_kernel())"], cwd=REPO, env=_clean_env(2, {"OPENBLAS_CORETYPE": kind} if kind else {}),
                              capture_output=True, text=True, timeout=120)
        out[kind] = proc.stdout.strip() if proc.returncode == 0 else "fails"
    return out


def conditions(log=print, blas_kernels: bool = False) -> list[dict]:
    """The reference condition first; with ``blas_kernels``, OpenBLAS kernel families where the
    installed OpenBLAS really switches to them (at most two)."""
    blas: list[str] = []
    if blas_kernels:
        kernels = openblas_kernels()
        log(f"OpenBLAS kernel per OPENBLAS_CORETYPE: {kernels}")
        seen = {kernels[""]}
        for kind in CORETYPES:
            if kernels[kind] not in seen and kernels[kind] != "fails" and len(blas) < 2:
                seen.add(kernels[kind])
                blas.append(kind)
    return ([{"name": "reference", "threads": 2, "env": {}, "batch_one": False},
             {"name": "threads=1", "threads": 1, "env": {}, "batch_one": False},
             {"name": "batch=1", "threads": 2, "env": {}, "batch_one": True},
             {"name": "ATEN_CPU_CAPABILITY=default", "threads": 2, "env": {"ATEN_CPU_CAPABILITY": "default"},
              "batch_one": False},
             {"name": "ONEDNN_MAX_CPU_ISA=SSE41", "threads": 2, "env": {"ONEDNN_MAX_CPU_ISA": "SSE41"},
              "batch_one": False}]
            + [{"name": f"OPENBLAS_CORETYPE={k}", "threads": 2, "env": {"OPENBLAS_CORETYPE": k}, "batch_one": False}
               for k in blas])


def run_condition(cond: dict, jobs: list[dict], workdir: Path) -> dict:
    spec = workdir / f"spec-{len(list(workdir.iterdir()))}.json"
    spec.write_text(json.dumps({"jobs": jobs, "threads": cond["threads"], "batch_one": cond["batch_one"]}))
    proc = subprocess.run([sys.executable, "-m", "reference_solutions.regress.determinism", "--child", str(spec)],
                          cwd=REPO, env=_clean_env(cond["threads"], cond["env"]), capture_output=True, text=True,
                          timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"condition {cond['name']} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(ref: dict, other: dict) -> dict:
    """Verdict for one row: identical, allowed (only near-threshold decisions flipped), or failed."""
    flipped = [k for k, v in ref["decisions"].items()
               if k in other["decisions"] and other["decisions"][k]["decision"] != v["decision"]]
    unflagged = [k for k in flipped if not (ref["decisions"][k]["near"] or other["decisions"][k]["near"])]
    same = ref["score"] == other["score"] and ref["columns"] == other["columns"]
    verdict = "identical" if same and not flipped else ("near-threshold" if not unflagged else "FAILED")
    return {"verdict": verdict, "delta": other["score"] - ref["score"],
            "flipped": [{"decision": k, "margin": ref["decisions"][k].get("margin")} for k in flipped],
            "unflagged": unflagged}


def check(demo_dir: Path, cache_dir: Path, tracks: list[str], log=print, blas_kernels: bool = False) -> dict:
    jobs = jobs_for(demo_dir, cache_dir, tracks)
    matrix: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="aisc-determinism-") as tmp:
        ref = None
        for cond in conditions(log, blas_kernels):
            log(f"condition {cond['name']}: scoring {len(jobs)} artifacts")
            out = run_condition(cond, jobs, Path(tmp))
            ref = ref or out
            matrix[cond["name"]] = {"blas_kernel": out["blas_kernel"], "rows": [
                {"track": r["track"], "name": r["name"], "score": r["score"],
                 "near_threshold": r["near_threshold"], **compare(rr, r)}
                for rr, r in zip(ref["rows"], out["rows"])]}
    failed = [(c, r["name"]) for c, m in matrix.items() for r in m["rows"] if r["verdict"] == "FAILED"]
    kernels = {m["blas_kernel"] for m in matrix.values()}
    return {"conditions": list(matrix), "blas_kernels": sorted(kernels), "matrix": matrix, "failed": failed,
            "jobs": len(jobs)}


def format_matrix(report: dict) -> str:
    conds = report["conditions"]
    names = [(r["track"], r["name"]) for r in report["matrix"][conds[0]]["rows"]]
    lines = ["track     artifact                          " + "  ".join(f"{c[:22]:>22}" for c in conds)]
    for i, (track, name) in enumerate(names):
        cells = []
        for c in conds:
            r = report["matrix"][c]["rows"][i]
            mark = {"identical": "", "near-threshold": " ~", "FAILED": " !"}[r["verdict"]]
            cells.append(f"{r['score']:.6f}{mark}".rjust(22))
        lines.append(f"{track:<9} {name[:33]:<33} " + "  ".join(cells))
    lines.append("(~: only decisions within the near-threshold epsilon changed; !: a decision outside it changed)")
    lines.append(f"OpenBLAS kernels exercised: {', '.join(report['blas_kernels'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reference_solutions determinism",
                                 description="Score the quick demos under conditions that change float rounding.")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--demo-dir", type=Path, default=REPO / "var" / "regress" / "quick")
    ap.add_argument("--cache-dir", type=Path, default=reference_settings().cache_dir())
    ap.add_argument("--tracks", default="face,driving,deepfake")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--blas-kernels", action="store_true",
                    help="also force numpy's OpenBLAS onto other kernel families (by hand only: see the docstring)")
    a = ap.parse_args(argv)
    if a.child:
        return child(a.child)
    report = check(a.demo_dir.resolve(), a.cache_dir.resolve(), a.tracks.split(","),
                   log=lambda m: print(f"[determinism] {m}", file=sys.stderr, flush=True), blas_kernels=a.blas_kernels)
    print(format_matrix(report))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
