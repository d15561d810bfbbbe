"""Whole-competition export: ``python -m core.manage export-competition SLUG OUT.tar``.

The archive (an uncompressed tar) holds:

  manifest.json               format name and version, what was exported, every table file with
                              its row count, every other file with its sha256 and size
  competition.yaml            the competition YAML (loadable with ``load-competition``; bundle and
                              model-set paths are the exporting server's)
  bundles/<track>-<phase>/    each phase's bundle ``manifest.json`` (all bundle files with ``with_data``)
  model_sets/<track>-<phase>/ each phase's model set file (``scoring.model_set``)
  tables/<table>.jsonl        one JSON object per row: competitions, phases, teams, submissions,
                              scores (with their scorer versions), quota_counters, phase_baselines,
                              scorer_versions (the phases' tracks), api_tokens (only with
                              ``with_token_hashes``, as are columns ending in _hash or _secret),
                              and every ``audit*`` table that exists (its rows about this
                              competition: see SCOPE_COLUMNS)
  artifacts/<storage key>     the submissions' uploads and the score rows' artifacts

Rows keep their ids; ``core.competition_import`` maps them to new ids. A later format version may
add tables: a reader takes the tables its manifest lists and says which it does not know.
Timestamps are naive-UTC ISO strings (``datetime.isoformat``), floats JSON numbers (exact).
"""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import yaml
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import (ApiToken, Competition, Phase, PhaseBaseline, QuotaCounter, Score, ScorerVersion, Submission,
                     Team)
from .storage import Storage
from .timeutil import utcnow

FORMAT = "aisc-competition-export"
FORMAT_VERSION = 1
AUDIT_PREFIX = "audit"
# competition-scoped columns an audit table may have, in the order the filter tries them; else a
# ``target`` text column naming the object ("competition SLUG", "phase 3", "submission 42",
# "team 7", as core.audit writes it); a table with neither is exported whole (manifest: unscoped)
SCOPE_COLUMNS = ("competition_id", "phase_id", "submission_id")
TARGET_KINDS = ("phase", "submission", "team")
# credential columns (token hashes, webhook secrets, team invite codes) leave only with with_token_hashes
SECRET_SUFFIXES = ("_hash", "_secret", "invite_code")


def audit_targets(slug: str, ids: dict[str, Iterable[int]]) -> list[str]:
    """The ``target`` strings of an audit row about this competition (``ids``: kind -> ids)."""
    return [f"competition {slug}", *(f"{kind} {i}" for kind in TARGET_KINDS for i in ids.get(kind, ()))]


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def table_rows(session: Session, table: Table, where=None, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every row of ``table`` matching ``where`` as a JSON-ready dict, less columns ending in ``drop``."""
    q = select(*(c for c in table.c if not c.name.endswith(drop))) if drop else select(table)
    if where is not None:
        q = q.where(where)
    if "id" in table.c:
        q = q.order_by(table.c.id)
    return [{k: _jsonable(v) for k, v in row._mapping.items()} for row in session.execute(q)]


def audit_tables(session: Session) -> list[Table]:
    """The ``audit*`` tables of this database (reflected), whatever their columns."""
    names = [n for n in inspect(session.get_bind()).get_table_names() if n.startswith(AUDIT_PREFIX)]
    meta = MetaData()
    return [Table(n, meta, autoload_with=session.get_bind()) for n in sorted(names)]


def _split_yaml(p: Phase) -> dict[str, Any]:
    """A phase's ``split`` as the YAML declares it (the seed or the ids: organizer-only data)."""
    if not p.split:
        return {}
    if p.split.get("method") == "hash":
        return {"split": {"private_fraction": p.split["private_fraction"], "seed": p.split["seed"]}}
    return {"split": {"private_ids": list(p.split_private or [])}}


def competition_yaml(comp: Competition) -> str:
    """The competition as a loadable YAML: page texts inline (not as ``.md`` files), the
    registration policy, and every phase. A track's starting kit is not carried."""
    tracks: dict[str, Any] = {}
    pages = comp.track_pages or {}
    for p in comp.phases:
        submit = (pages.get(p.track) or {}).get("submit") or ""
        tracks.setdefault(p.track, {**({"submit": submit} if submit else {}), "phases": []})["phases"].append({
            "name": p.name, "opens": p.opens_at.isoformat() + "Z", "closes": p.closes_at.isoformat() + "Z",
            "bundle": p.bundle, "scoring": p.settings, "quota": {"daily": p.quota_daily, "total": p.quota_total},
            "ranking": p.ranking, "leaderboard": p.visibility, "show_logs": p.show_logs, "queue": p.queue,
            "limits": {"soft_seconds": p.soft_time_limit, "hard_seconds": p.hard_time_limit,
                       "max_upload_mb": p.max_upload_bytes / (1024 * 1024)},
            "subjective_weight": p.subjective_weight, **_split_yaml(p)})
    texts = {k: v for k, v in (("description", comp.description), ("rules", comp.rules), ("terms", comp.terms)) if v}
    return yaml.safe_dump({"slug": comp.slug, "title": comp.title, **texts,
                           "registration": {"policy": comp.registration}, "tracks": tracks}, sort_keys=False)


class _Writer:
    """Adds members to the tar and records their sha256 and size for the manifest."""

    def __init__(self, tar: tarfile.TarFile):
        self.tar, self.files = tar, {}

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(utcnow().timestamp()), 0o644
        self.tar.addfile(info, io.BytesIO(data))
        self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def add_file(self, name: str, path: Path) -> None:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = path.stat().st_size, int(utcnow().timestamp()), 0o644
        with open(path, "rb") as f:
            self.tar.addfile(info, f)
        self.files[name] = {"sha256": h.hexdigest(), "size": info.size}

    def add_jsonl(self, name: str, rows: Iterable[dict[str, Any]]) -> int:
        rows = list(rows)
        self.add_bytes(name, "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows).encode())
        return len(rows)


def export_competition(session: Session, storage: Storage, slug: str, out: Path, *, with_data: bool = False,
                       with_token_hashes: bool = False) -> dict[str, Any]:
    """Write the competition ``slug`` to the tar ``out``; return the manifest. Raises
    ``NotFound`` for an unknown slug; a missing artifact or bundle file is listed in the
    manifest's ``missing`` (the export still completes)."""
    comp = session.scalar(select(Competition).where(Competition.slug == slug))
    if comp is None:
        have = ", ".join(session.scalars(select(Competition.slug).order_by(Competition.slug))) or "none"
        raise NotFound(f"no competition {slug!r}; competitions here: {have}")
    phase_ids = [p.id for p in comp.phases]
    subs_q = Submission.__table__.c.phase_id.in_(phase_ids)
    sub_ids = list(session.scalars(select(Submission.id).where(subs_q)))
    team_ids = sorted(set(session.scalars(select(Submission.team_id).where(subs_q))))
    tables: dict[str, Any] = {
        "competitions": (Competition.__table__, Competition.__table__.c.id == comp.id),
        "phases": (Phase.__table__, Phase.__table__.c.competition_id == comp.id),
        "teams": (Team.__table__, Team.__table__.c.id.in_(team_ids)),
        "submissions": (Submission.__table__, subs_q),
        "scores": (Score.__table__, Score.__table__.c.submission_id.in_(sub_ids)),
        "quota_counters": (QuotaCounter.__table__, QuotaCounter.__table__.c.phase_id.in_(phase_ids)),
        "phase_baselines": (PhaseBaseline.__table__, PhaseBaseline.__table__.c.phase_id.in_(phase_ids)),
        "scorer_versions": (ScorerVersion.__table__,
                            ScorerVersion.__table__.c.track.in_(sorted({p.track for p in comp.phases}))),
    }
    if with_token_hashes:
        tables["api_tokens"] = (ApiToken.__table__, ApiToken.__table__.c.team_id.in_(team_ids))
    scope_ids = {"competition_id": [comp.id], "phase_id": phase_ids, "submission_id": sub_ids}
    unscoped = []
    for t in audit_tables(session):
        col = next((c for c in SCOPE_COLUMNS if c in t.c), None)
        if col is not None:
            tables[t.name] = (t, t.c[col].in_(scope_ids[col]))
        elif "target" in t.c:
            tables[t.name] = (t, t.c.target.in_(audit_targets(comp.slug, {
                "phase": phase_ids, "submission": sub_ids, "team": team_ids})))
        else:
            tables[t.name] = (t, None)
            unscoped.append(t.name)

    manifest: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION, "slug": comp.slug,
                                "exported_at": utcnow().isoformat(), "with_data": with_data,
                                "with_token_hashes": with_token_hashes, "tables": {}, "phases": {}, "missing": [],
                                "unscoped": unscoped}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar, tempfile.TemporaryDirectory() as tmp:
        w = _Writer(tar)
        w.add_bytes("competition.yaml", competition_yaml(comp).encode())
        for name, (table, where) in tables.items():
            rows = table_rows(session, table, where, () if with_token_hashes or name == "api_tokens" else SECRET_SUFFIXES)
            manifest["tables"][name] = {"file": f"tables/{name}.jsonl", "rows": w.add_jsonl(f"tables/{name}.jsonl", rows)}
        for p in comp.phases:
            manifest["phases"][str(p.id)] = _add_phase_files(w, p, with_data, manifest["missing"])
        keys = set(session.scalars(select(Submission.artifact_key).where(subs_q)))
        for arts in session.scalars(select(Score.artifacts).where(Score.submission_id.in_(sub_ids))):
            keys.update(v for v in (arts or {}).values() if isinstance(v, str))
        for i, key in enumerate(sorted(keys)):
            if not storage.exists(key):
                manifest["missing"].append(f"artifact {key}")
                continue
            w.add_file(f"artifacts/{key}", storage.get_file(key, Path(tmp) / str(i)))
            (Path(tmp) / str(i)).unlink()
        manifest["files"] = w.files
        w.add_bytes("manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
    return manifest


def _add_phase_files(w: _Writer, phase: Phase, with_data: bool, missing: list[str]) -> dict[str, Any]:
    """The phase's bundle manifest (or whole bundle) and model set file; returns where they are."""
    where: dict[str, Any] = {"bundle": None, "model_set": None}
    prefix = f"{phase.track}-{phase.name}"
    bundle = Path(phase.bundle)
    files = sorted(f for f in bundle.rglob("*") if f.is_file() and not f.is_symlink()) if with_data and \
        bundle.is_dir() else [bundle / "manifest.json"]
    for f in files:
        if not f.is_file():
            missing.append(f"bundle file {f}")
            continue
        w.add_file(f"bundles/{prefix}/{f.relative_to(bundle).as_posix()}", f)
        where["bundle"] = f"bundles/{prefix}"
    ms = (phase.settings or {}).get("model_set")
    if isinstance(ms, str):
        if Path(ms).is_file():
            where["model_set"] = f"model_sets/{prefix}/{Path(ms).name}"
            w.add_file(where["model_set"], Path(ms))
        else:
            missing.append(f"model set {ms}")
    return where
