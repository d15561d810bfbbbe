"""Rows (one per method or baseline and phase), their pass/fail, the ordering check per track,
and the printed table."""
from __future__ import annotations

from collections import defaultdict
from typing import Optional

PASS, FAIL, NEW, ERROR = "pass", "fail", "new", "error"
# Phases scored on data the teams already have (the driving demo's public validation scenes):
# shown in the table and checked against expected.json, but not part of the ordering claim,
# which is about the hidden data.
PUBLIC_PHASES = frozenset({"public"})


def judge(measured: Optional[float], expected: Optional[float], tolerance: float) -> tuple[Optional[float], str]:
    """(delta, status): no measurement -> error; nothing recorded -> new; else pass within tolerance."""
    if measured is None:
        return None, ERROR
    if expected is None:
        return None, NEW
    delta = measured - expected
    return delta, PASS if abs(delta) <= tolerance + 1e-9 else FAIL


def make_row(kind: str, name: str, track: str, phase: str, measured: Optional[float],
             expected: Optional[float], tolerance: float, **extra) -> dict:
    delta, status = judge(measured, expected, tolerance)
    return {"kind": kind, "name": name, "track": track, "phase": phase, "expected": expected,
            "tolerance": tolerance if expected is not None else None, "measured": measured,
            "delta": None if delta is None else round(delta, 4), "status": status, **extra}


def ordering(rows: list[dict], margin: float) -> dict[str, dict]:
    """Per track: does every method beat every baseline by at least ``margin`` on every hidden
    phase (all but PUBLIC_PHASES)? ``gap`` is the smallest (method - baseline) over those
    phases; ``worst`` names that pair."""
    by_track: dict[str, dict[str, dict[str, list[dict]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in rows:
        by_track[r["track"]][r["phase"]][r["kind"]].append(r)
    out = {}
    for track, phases in by_track.items():
        gap, worst, problems = None, "", []
        phases = {p: k for p, k in phases.items() if p not in PUBLIC_PHASES}
        for phase, kinds in phases.items():
            for m in kinds.get("method", []):
                for b in kinds.get("baseline", []):
                    if m["measured"] is None or b["measured"] is None:
                        problems.append(f"{phase}: {m['name']} vs {b['name']} has no score")
                        continue
                    g = m["measured"] - b["measured"]
                    if gap is None or g < gap:
                        gap, worst = g, f"{m['name']} vs {b['name']} on {phase}"
        has_both = any(k.get("method") and k.get("baseline") for k in phases.values())
        ok = not problems and (gap is None or gap >= margin - 1e-9)
        out[track] = {"ok": ok, "margin": margin, "gap": None if gap is None else round(gap, 4), "worst": worst,
                      "problems": problems, "compared": has_both}
    return out


def passed(rows: list[dict], order: dict[str, dict]) -> bool:
    return all(r["status"] in (PASS, NEW) for r in rows) and all(o["ok"] for o in order.values())


def _num(v: Optional[float], signed: bool = False) -> str:
    if v is None:
        return "-"
    if abs(v) < 5e-4:
        v = 0.0  # no "-0.000"
    return f"{v:+.3f}" if signed else f"{v:.3f}"


def _closest(r: dict) -> str:
    """The decision nearest its threshold (signed margin, sample, model) and the near-threshold count."""
    if r.get("min_margin") is None:
        return "-"
    return f"{r['min_margin']:+.4f} {r.get('min_margin_at', '')} near {r.get('near_threshold', '-')}"


def demo_lines(demos: dict[str, dict]) -> list[str]:
    """Per track: the demo's bundle digest and thresholds, and the warning when they are not the recorded ones."""
    lines = []
    for track, d in demos.items():
        thr = ", ".join(f"{k} {v:.6f}" for k, v in (d.get("thresholds") or {}).items())
        digest = (d.get("bundle_digest") or "-")[:16]
        state = ("not recorded" if not d.get("recorded") else
                 f"WARNING: {d['warning']}" if d.get("warning") else "as recorded")
        lines.append(f"{track} demo{' (pinned)' if d.get('pinned') else ''}: bundle {digest}"
                     f"{'; thresholds ' + thr if thr else ''}; {state}")
    return lines


def format_table(rows: list[dict], order: dict[str, dict], demos: Optional[dict[str, dict]] = None) -> str:
    head = ("method", "track", "phase", "expected", "measured", "delta", "tol", "gen s", "closest decision",
            "result")
    body = []
    for r in rows:
        gen = r.get("generation_seconds")
        gen_s = "-" if gen is None else f"{gen:.0f}{' cached' if r.get('cached') else ''}"
        result = r["status"] + (f" ({r['error']})" if r.get("error") else "")
        body.append((r["name"], r["track"], r["phase"], _num(r["expected"]), _num(r["measured"]),
                     _num(r["delta"], True), _num(r["tolerance"]), gen_s, _closest(r), result))
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *body]]
    lines.insert(1, "-" * len(lines[0]))
    for track, o in order.items():
        if not o["compared"]:
            lines.append(f"{track}: ordering not checked (needs at least one method and one baseline per phase)")
            continue
        verdict = "every method beats every baseline" if o["ok"] else "ORDERING VIOLATED:"
        lines.append(f"{track}: {verdict} by at least {o['margin']:.3f} on every hidden phase "
                     f"(smallest gap {_num(o['gap'], True)}: {o['worst']})" if o["ok"] else
                     f"{track}: {verdict} smallest gap {_num(o['gap'], True)} < margin {o['margin']:.3f} "
                     f"({o['worst']}){'; ' + '; '.join(o['problems']) if o['problems'] else ''}")
    return "\n".join(lines + demo_lines(demos or {}))
