"""Per-sample figures of a score row, as the results page and ``GET
/api/v1/submissions/{id}/samples`` show them: the face track's measured perturbation (L∞, SSIM,
PSNR, and the projected image's when the phase projects into the ε-ball) and liveness scores.
Verification similarities stay out (the models are black boxes to the teams)."""
from __future__ import annotations

from typing import Any

MEASURES = ("linf", "ssim", "psnr")


def _measures(d: Any) -> dict[str, Any] | None:
    if not isinstance(d, dict) or "linf" not in d:
        return None
    return {k: d.get(k) for k in MEASURES}


def sample_figures(details: dict[str, Any] | None) -> list[dict[str, Any]]:
    """[{id, valid, reason, measured, projected, liveness}] from a score's details, where
    ``measured`` and ``projected`` are {linf (int, 0-255), ssim (None = not measured), psnr (dB,
    None = unchanged)} or None, and ``liveness`` is {model: {score, live}}; [] for a track or an
    older score row without per-sample records."""
    out = []
    for rec in (details or {}).get("samples") or []:
        if not isinstance(rec, dict) or "id" not in rec:
            continue
        out.append({"id": str(rec["id"]), "valid": bool(rec.get("valid")), "reason": str(rec.get("reason", "")),
                    "measured": _measures(rec), "projected": _measures(rec.get("projected")),
                    "liveness": {str(k): {"score": float(v["score"]), "live": bool(v["live"])}
                                 for k, v in (rec.get("liveness") or {}).items()}})
    return out
