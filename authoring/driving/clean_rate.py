"""Clean-frame detection rate: the share of unpatched frames in which each detector finds
the scene's target. Without a high rate (>= 95% on the demo) the attack score means nothing."""
from __future__ import annotations

from pathlib import Path

from evaluators.driving.bundle import load_bundle
from evaluators.driving.detectors import load_detectors


def clean_detection_rates(bundle_dir: Path, model_set: Path, batch: int = 16, progress=None) -> dict[str, dict[str, float]]:
    """{model: {scene: rate, ..., "all": rate over all frames}}; ``progress(stage, percent)``."""
    bundle = load_bundle(bundle_dir)
    detectors = load_detectors(model_set)
    hits = {d.name: {} for d in detectors}
    totals = {d.name: [0, 0] for d in detectors}
    for k, sc in enumerate(bundle.scenes):
        if progress:
            progress("clean-frame detection rate", 100.0 * k / len(bundle.scenes))
        found = {d.name: 0 for d in detectors}
        for start in range(0, len(sc), batch):
            frames = [sc.frame(i) for i in range(start, min(len(sc), start + batch))]
            for d in detectors:
                found[d.name] += sum(1 for det in d.detect(frames) if det.count(sc.targets) > 0)
        for d in detectors:
            hits[d.name][sc.name] = found[d.name] / len(sc)
            totals[d.name][0] += found[d.name]
            totals[d.name][1] += len(sc)
    for name, (k, n) in totals.items():
        hits[name]["all"] = k / n if n else 0.0
    if progress:
        progress("clean-frame detection rate", 100.0)
    return hits


def cached_clean_rates(out_dir: Path, bundle_dir: Path, model_set: Path, log=print, progress=None) -> dict[str, dict[str, float]]:
    """``clean_detection_rates`` kept in ``out_dir/clean_rates.json``, recomputed only when the
    model set changed (its sha256 is stored beside the rates)."""
    import json

    from evaluators.common.manifest import sha256_file

    path = Path(out_dir) / "clean_rates.json"
    digest = sha256_file(model_set)
    if not path.is_file() or json.loads(path.read_text()).get("model_set_sha256") != digest:
        log("clean-frame detection rate on the hidden scenes")
        path.write_text(json.dumps({"model_set_sha256": digest, "rates": clean_detection_rates(bundle_dir, model_set, progress=progress)},
                                   indent=1))
    return json.loads(path.read_text())["rates"]
