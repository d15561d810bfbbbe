"""The prepared GPU check (issue 13): the same scoring and reference work on the CPU and on CUDA,
with agreement and speed-ups printed side by side.

Stages (each prints what it did, how long it took and the time left of the budget):

1. preflight: torch, its CUDA devices, onnxruntime's providers, which scorer backends import;
2. face scorer: the quick face demo's baselines scored on every device (total, near-threshold
   counts per model, the device each model ran on);
3. driving scorer: the CI driving demo's baselines on every device (total, near-threshold frames);
4. face reference attack: Deep Dream on the quick demo's public pairs, a few iterations, per device
   (seconds per pair, end cosine similarity to the target);
5. driving reference attack: XJTU Vanish, a few steps, per device (seconds, public-crop figures);
6. face alignment: MTCNN (the face bundle builder's detector) on the packaged face photos, per
   device (faces found, the largest landmark shift against the CPU in pixels, seconds).

Deepfake scoring runs team containers through a Docker Engine with the NVIDIA toolkit: it is not
part of this check (``tests/deepfake/test_gpu_lease.py`` covers the per-run GPU lease).

A device torch cannot use is reported as ``unavailable`` with the reason, never run on the CPU in
its place; a stage whose modules this Python lacks is reported ``skipped`` with the reason
(``bench/gpu_needs.py``). ``--inputs DIR`` (a pack from ``bench/gpu_pack.py``) takes the face
demo's public bundle and the MobileFaceNet weights from DIR instead of building them. Writes
``--out`` (JSON) with every figure. Usage: ``bench/gpu_check.sh`` or
``python bench/gpu_check.py --devices cpu,cuda``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from gpu_needs import skip_reason  # noqa: E402

T0 = time.monotonic()


def log(budget_s: float, msg: str) -> None:
    used = time.monotonic() - T0
    print(f"[gpu-check {used:6.0f} s, {max(0.0, budget_s - used):5.0f} s left] {msg}", flush=True)


def preflight() -> dict:
    import importlib.util

    info: dict = {"python": sys.version.split()[0]}
    try:
        import torch

        info["torch"] = torch.__version__
        info["cuda_devices"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] \
            if torch.cuda.is_available() else []
    except ImportError as e:
        info["torch"] = f"missing ({e})"
    try:
        import onnxruntime as ort

        info["onnxruntime_providers"] = ort.get_available_providers()
    except ImportError:
        info["onnxruntime_providers"] = "onnxruntime missing"
    info["backends_importable"] = {m: importlib.util.find_spec(m) is not None
                                   for m in ("ultralytics", "dlib", "ai_edge_litert", "cv2", "insightface")}
    return info


def _timed(fn):
    t, c = time.monotonic(), time.process_time()
    out = fn()
    return out, {"wall_s": round(time.monotonic() - t, 2), "cpu_s": round(time.process_time() - c, 2)}


def _per_device(devices: list[str], run, repeats: int = 1) -> dict:
    """run(device) -> dict of figures, ``repeats`` times per device; the figures and seconds are
    the last run's (warm: CUDA's context, kernels and the models already loaded), the first run's
    seconds are kept as ``first_wall_s``. DeviceUnavailable becomes {'unavailable': reason}."""
    from evaluators.common.device import DeviceUnavailable

    out = {}
    for dev in devices:
        try:
            first = None
            for _ in range(max(1, repeats)):
                figures, seconds = _timed(lambda: run(dev))
                first = seconds["wall_s"] if first is None else first
            out[dev] = {**figures, **seconds, "first_wall_s": first}
        except DeviceUnavailable as e:
            out[dev] = {"unavailable": str(e)}
    return out


def _score_baselines(track: str, demo: dict, phase: str, device: str, cache: Path) -> dict:
    from evaluators.registry import get_track

    ph = demo["phases"][phase]
    scores = {}
    for kind, path in sorted(demo["baselines"].items()):
        settings = dict(ph["settings"], device=device)
        if track == "face":
            settings["cache_dir"] = str(cache / device)
        if track == "driving":
            settings["pictures"] = False
        res = get_track(track).run(Path(path), Path(ph["bundle"]), settings)
        d = res.details or {}
        scores[kind] = {"total": res.score, "near_threshold": d.get("near_threshold"),
                        "devices": d.get("devices")}
    return scores


def face_demo(work: Path) -> dict:
    from authoring.face.demo import build_demo

    return build_demo(work / "face", quick=True)


def packed_inputs(inputs: Path) -> dict:
    """Point the face track at the pack's MobileFaceNet weights (``AISC_FACE_ASSETS``) and the
    driving scene generator at its photos (``AISC_DARKNET_DATA``); return the face demo as the
    pack stores it, its paths (relative to the pack) made absolute."""
    inputs = inputs.resolve()
    plan = json.loads((inputs / "inputs.json").read_text())
    stale = {"face", "face_assets", "darknet", "photos"} - set(plan)
    if stale:
        raise SystemExit(f"{inputs / 'inputs.json'} lacks {', '.join(sorted(stale))}: an older pack; "
                         "make it again with `bench/gpu_check.sh --pack`")
    os.environ["AISC_FACE_ASSETS"] = str(inputs / plan["face_assets"])
    os.environ["AISC_DARKNET_DATA"] = str(inputs / plan["darknet"])  # the driving demo's photos
    demo = plan["face"]
    demo["photos"] = str(inputs / plan["photos"])
    for ph in demo["phases"].values():
        ph["bundle"] = str(inputs / ph["bundle"])
    demo["baselines"] = {k: str(inputs / v) for k, v in demo.get("baselines", {}).items()}
    return demo


def driving_demo(work: Path) -> dict:
    from reference_solutions.driving.ci_demo import build_ci_demo

    return build_ci_demo(work / "driving")


def face_attack(demo: dict, device: str, iterations: int, out: Path) -> dict:
    from reference_solutions.face.deep_dream import DeepDreamConfig
    from reference_solutions.face.generate import generate_submission

    bundle = demo["phases"]["preliminary"]["bundle"]
    rep = generate_submission(bundle, out / f"face-{device.replace(':', '')}.zip",
                              config=DeepDreamConfig(iterations=iterations, saliency_samples=1),
                              models=["mobilefacenet"], threads=2, device=device)
    ends = [s["end_cos"]["mobilefacenet"] for s in rep["samples"]]
    return {"device": rep["device"], "pairs": rep["pairs"], "seconds_per_pair": rep["seconds_per_pair"],
            "mean_end_cos": round(sum(ends) / len(ends), 4)}


def driving_attack(demo_dir: Path, device: str, steps: int, out: Path) -> dict:
    from reference_solutions.driving.generate import generate
    from reference_solutions.driving.methods import RUNNERS

    key, run = RUNNERS["xjtu_vanish"]
    d = out / f"vanish-{device.replace(':', '')}"
    generate(key, run, "xjtu_vanish", demo_dir, d, overrides={"steps": steps}, threads=2, preview=False,
             device=device)
    rec = json.loads((d / "xjtu_vanish.json").read_text())
    return {"device": rec["device"], "public_crops_white_box": rec["public_crops_white_box"],
            "attack_wall_s": rec["seconds"]["wall"]}


def face_photos(demo: dict | None) -> list[Path]:
    """The packaged face photos: the pack's (``demo['photos']``), else found here."""
    if demo and demo.get("photos"):
        return sorted(Path(demo["photos"]).iterdir())
    from authoring.face.demo import packaged_photo_files

    return packaged_photo_files()


def face_align(photos: list[Path], device: str) -> dict:
    """MTCNN on each photo (``authoring.face.align.detect_faces``): its faces, largest first, with
    their 5 landmarks (pixels) and confidence."""
    from authoring.face.align import detect_faces, load_rgb
    from evaluators.common.device import resolve_device

    found = {p.name: [{"landmarks": f.landmarks.round(4).tolist(), "confidence": round(f.confidence, 5)}
                      for f in detect_faces(load_rgb(p), device=device)] for p in photos}
    return {"device": resolve_device(device), "photos": len(photos), "faces": sum(map(len, found.values())),
            "per_photo": found}


def landmark_agreement(per_device: dict) -> dict:
    """``agreement`` for face-align: the speed-up, whether every photo has as many faces as on
    the CPU, and the largest landmark coordinate difference (pixels) over the faces in order."""
    out = agreement(per_device)
    cpu = per_device.get("cpu", {}).get("per_photo", {})
    for dev, row in out.items():
        other = per_device[dev]["per_photo"]
        row["same_face_counts"] = all(len(other.get(k, [])) == len(v) for k, v in cpu.items())
        row["largest_landmark_shift_px"] = max(
            (abs(a - b) for k, v in cpu.items() for fa, fb in zip(v, other.get(k, []))
             for pa, pb in zip(fa["landmarks"], fb["landmarks"]) for a, b in zip(pa, pb)), default=0.0)
    return out


def agreement(per_device: dict, key: str = "scores") -> dict:
    """CPU against each other device: equal totals, equal near-threshold counts, speed-up (CPU
    wall seconds over the device's, both warm when the runs were repeated)."""
    cpu = per_device.get("cpu")
    out = {}
    for dev, fig in per_device.items():
        if dev == "cpu" or cpu is None or "unavailable" in fig or "unavailable" in cpu:
            continue
        row = {"speed_up": round(cpu["wall_s"] / max(fig["wall_s"], 1e-9), 2)}
        if key in fig:
            row["same_totals"] = all(fig[key][k]["total"] == cpu[key][k]["total"] for k in cpu[key])
            row["same_near_threshold"] = all(fig[key][k]["near_threshold"] == cpu[key][k]["near_threshold"]
                                             for k in cpu[key])
            row["largest_total_difference"] = max(abs(fig[key][k]["total"] - cpu[key][k]["total"]) for k in cpu[key])
        out[dev] = row
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/gpu_check.py", description=__doc__.splitlines()[0])
    ap.add_argument("--devices", default="cpu,cuda", help="comma-separated: cpu, cuda, cuda:N (default cpu,cuda)")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "gpu-check", help="demos and artifacts go here")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "gpu-check" / "gpu_check.json")
    ap.add_argument("--face-iterations", type=int, default=5)
    ap.add_argument("--driving-steps", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=2,
                    help="runs per device and stage; the figures are the last (warm) run's (default 2)")
    ap.add_argument("--budget-s", type=float, default=450, help="the time the run aims to stay within")
    ap.add_argument("--stages", default="face,driving,face-attack,driving-attack,face-align")
    ap.add_argument("--inputs", type=Path, help="a pack from bench/gpu_pack.py: the face inputs come from there")
    a = ap.parse_args(argv)
    devices = [d.strip() for d in a.devices.split(",") if d.strip()]
    stages = set(a.stages.split(","))
    a.work.mkdir(parents=True, exist_ok=True)
    report: dict = {"devices": devices, "preflight": preflight()}
    log(a.budget_s, f"preflight: {json.dumps(report['preflight'])}")
    cache = Path(tempfile.mkdtemp(prefix="gpu-check-cache-"))
    failed = False

    skipped = {}
    for name in sorted(stages):
        why = skip_reason(name, prebuilt=a.inputs is not None and name.startswith("face"))
        if name == "face" and a.inputs is not None and why is None:
            why = "the pack carries the face demo's public bundle only, not its model set or baselines"
        if why:
            skipped[name] = why

    def stage(name: str, fn) -> None:
        nonlocal failed
        if name not in stages:
            return
        if name in skipped:
            report[name] = {"skipped": skipped[name]}
            log(a.budget_s, f"{name}: skipped: {skipped[name]}")
            return
        if name in report:  # its demo did not build
            return
        log(a.budget_s, f"{name}: start")
        try:
            report[name] = fn()
        except Exception as e:  # one broken stage must not hide the others' figures
            failed = True
            report[name] = {"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc(limit=5)}
        log(a.budget_s, f"{name}: {json.dumps(report[name], default=str)[:2000]}")

    demos: dict = {}
    if a.inputs:
        demos["face"] = packed_inputs(a.inputs)
    for track, build, users in (("face", face_demo, {"face", "face-attack"}),
                                ("driving", driving_demo, {"driving", "driving-attack"})):
        if track in demos or not (stages - set(skipped)) & users:
            continue
        log(a.budget_s, f"{track} demo: building")
        try:
            demos[track] = build(a.work)
        except Exception as e:  # the stages that need it say why instead of the run crashing
            failed = True
            for name in users & stages:
                report[name] = {"error": f"building the {track} demo: {type(e).__name__}: {e}",
                                "trace": traceback.format_exc(limit=5)}
                log(a.budget_s, f"{name}: {report[name]['error']}")

    def scored(track: str, phase: str):
        def fn():
            per = _per_device(devices, lambda dev: {"scores": _score_baselines(track, demos[track], phase, dev, cache)},
                             a.repeats)
            return {"per_device": per, "agreement": agreement(per)}
        return fn

    stage("face", scored("face", "preliminary"))
    stage("driving", scored("driving", "preliminary"))

    def face_att():
        per = _per_device(devices, lambda dev: face_attack(demos["face"], dev, a.face_iterations, a.work), a.repeats)
        return {"per_device": per, "agreement": agreement(per)}

    def driving_att():
        per = _per_device(devices, lambda dev: driving_attack(a.work / "driving", dev, a.driving_steps, a.work),
                         a.repeats)
        return {"per_device": per, "agreement": agreement(per)}

    def align():
        photos = face_photos(demos.get("face"))
        per = _per_device(devices, lambda dev: face_align(photos, dev), a.repeats)
        return {"per_device": per, "agreement": landmark_agreement(per)}

    stage("face-attack", face_att)
    stage("driving-attack", driving_att)
    stage("face-align", align)
    report["skipped"] = skipped
    report["wall_s"] = round(time.monotonic() - T0, 1)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1, default=str))
    log(a.budget_s, f"done in {report['wall_s']} s; figures in {a.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
