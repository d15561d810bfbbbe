"""Which demo a regression ran on: the digest of its bundle(s) and the thresholds of its model
set(s), compared with the ones recorded in expected.json (``bundle_digest``).

A demo built on another machine can differ in a few pixels of a crop, which moves a calibrated
threshold and can flip a decision that sits near it. Such a difference is reported as a warning,
not a failure: the scores are still judged against their tolerances.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Optional

WARNING = "scores may differ by near-threshold decisions; see README"


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _thresholds(model_set: Path) -> dict[str, float]:
    try:
        models = json.loads(Path(model_set).read_text()).get("models", [])
    except (OSError, ValueError, AttributeError):
        return {}
    return {m["name"]: m["threshold"] for m in models
            if isinstance(m, dict) and "name" in m and isinstance(m.get("threshold"), (int, float))}


def demo_identity(demo: dict) -> dict:
    """{"bundle_digest": sha256 of the bundle's manifest.json (of the sorted manifest digests when
    the phases use several bundles; None without manifests), "thresholds": {model: threshold}
    over the phases' model sets}."""
    phases = demo.get("phases", {}).values()
    manifests = [Path(b) / "manifest.json" for b in sorted({str(ph["bundle"]) for ph in phases})]
    digests = [_sha256(m) for m in manifests if m.is_file()]
    if not digests or len(digests) != len(manifests):
        digest = None
    elif len(digests) == 1:
        digest = digests[0]
    else:
        digest = hashlib.sha256("\n".join(digests).encode()).hexdigest()
    thresholds: dict[str, float] = {}
    for ms in sorted({str(ph.get("settings", {}).get("model_set")) for ph in phases} - {"None"}):
        thresholds.update(_thresholds(Path(ms)))
    return {"bundle_digest": digest, "thresholds": dict(sorted(thresholds.items()))}


def compare(measured: dict, recorded: Optional[dict]) -> Optional[str]:
    """None when nothing is recorded or the demo is the recorded one; otherwise the warning."""
    if not recorded:
        return None
    diffs = []
    if recorded.get("bundle_digest") != measured.get("bundle_digest"):
        diffs.append(f"bundle digest {str(measured.get('bundle_digest'))[:12]} "
                     f"(recorded {str(recorded.get('bundle_digest'))[:12]})")
    rec_thr, thr = recorded.get("thresholds") or {}, measured.get("thresholds") or {}
    moved = {k: (thr.get(k), rec_thr.get(k)) for k in sorted(set(thr) | set(rec_thr)) if thr.get(k) != rec_thr.get(k)}
    if moved:
        diffs.append("thresholds " + ", ".join(f"{k} {_f(a)} (recorded {_f(b)})" for k, (a, b) in moved.items()))
    return f"the demo differs from the recorded one: {'; '.join(diffs)}; {WARNING}" if diffs else None


def _f(v) -> str:
    return "-" if v is None else f"{v:.6f}"
