"""The leaderboard page's layout: score columns grouped under readable labels.

Column names follow ``evaluators.common.result.Result.columns``: ``model:<name>``,
``scene:<name>``, ``kind:<name>``, anything else (``area``, ``auc``...) is "Other".
A group with more than ``COLLAPSE_OVER`` columns starts collapsed to one summary column (the
row's mean over the group), with its columns one click away."""
from __future__ import annotations

from typing import Any

from .submission_view import GROUPS

COLLAPSE_OVER = 3
TITLES = {"model": "Models", "scene": "Scenes", "kind": "Kinds of scene",
          "live": "Still pass as live (liveness)", "other": "Other"}
SINGULAR = {"model": "model", "scene": "scene", "kind": "kind", "live": "liveness model", "other": "figure"}


# Readable names of the columns without a prefix (the tracks' scorers' own names otherwise).
KNOWN = {"area": "Area", "auc": "AUC", "precision@5": "Precision@5", "subjective": "Subjective"}


def label(name: str) -> str:
    """'blackbox_yolov8n' -> 'blackbox yolov8n'; 'area' -> 'Area'."""
    return KNOWN.get(name) or name.replace("_", " ").strip() or name


def groups(columns: list[str]) -> list[dict[str, Any]]:
    """``[{"key", "title", "collapse", "noun", "columns": [{"key", "label"}]}]`` in the
    order models, scenes, kinds, other; ``key`` of a column is the raw name."""
    found: dict[str, list[dict[str, str]]] = {}
    for name in columns:
        prefix, sep, rest = name.partition(":")
        key = prefix if sep and prefix in GROUPS else "other"
        found.setdefault(key, []).append({"key": name, "label": label(rest if key != "other" else name)})
    order = [k for k in (*GROUPS, "other") if k in found]
    return [{"key": k, "title": TITLES.get(k, k.capitalize()), "columns": found[k],
             "collapse": len(found[k]) > COLLAPSE_OVER,
             "noun": SINGULAR.get(k, k) + ("s" if len(found[k]) != 1 else "")} for k in order]


def group_means(row_columns: dict[str, float] | None, layout: list[dict[str, Any]]) -> dict[str, float | None]:
    """Per collapsible group, the row's mean over the group's columns it has (None: none)."""
    out: dict[str, float | None] = {}
    for g in layout:
        if g["collapse"]:
            vals = [row_columns[c["key"]] for c in g["columns"] if row_columns and c["key"] in row_columns]
            out[g["key"]] = sum(vals) / len(vals) if vals else None
    return out


def private_ranking(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """A split phase's rows with their private part shown (``core.phase_split``), in private
    order (rows without a private rank last), and the private part's column names; ([], [])
    when no row carries one (no split, or sealed for the caller)."""
    shown = [r for r in rows if r.get("private")]
    if not shown:
        return [], []
    shown.sort(key=lambda r: (r["private"]["rank"] is None, r["private"]["rank"] or 0))
    names = sorted({c for r in shown for c in r["private"].get("columns") or {}})
    return shown, names
