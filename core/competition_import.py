"""Whole-competition import: ``python -m core.manage import-competition IN.tar`` (the archive of
``core.competition_export``) on another server, reproducing every leaderboard.

The tar is hostile until checked: only regular files and directories, relative names without
``..``, at most ``MAX_MEMBERS`` members and ``max_bytes`` in all, each file's sha256 and size as
the manifest says, and nothing outside the manifest. Rows get new ids (in the old id order, so
ties rank the same); teams are matched by name (an existing team is reused, and is given no
imported token); artifacts are stored under ``imported/<slug>-<hex>/<old key>``; unfinished
submissions arrive ``cancelled`` (nothing is queued); a track's scorer version is stored only
where the server has none. A failed import removes the artifacts and data it wrote; the caller
rolls back the rows. With
bundle data in the archive, bundles and model sets are unpacked under ``data_dir`` and the
phases point there; without, the phases keep the exporting server's paths (a note says which
are missing here). Errors: ``ImportRefused`` (the archive, its manifest or rows are not
acceptable: the message says what and where), ``Conflict`` (the slug is taken; pass another).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tarfile
import tempfile
import uuid
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Optional

from sqlalchemy import DateTime, MetaData, Table, inspect, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .competition_export import AUDIT_PREFIX, FORMAT, FORMAT_VERSION, TARGET_KINDS
from .errors import Conflict, ErrorKind, PlatformError
from .models import (TERMINAL, ApiToken, Competition, Phase, PhaseBaseline, QuotaCounter, Score, ScorerVersion,
                     Submission, Team)
from .storage import Storage, check_key

MAX_MEMBERS = 1_000_000
MAX_BYTES = 64 << 30
MAX_TABLE_BYTES = 1 << 30
SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"
TEAM_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,100}$")  # as POST /api/v1/admin/teams accepts
KNOWN = ("competitions", "phases", "teams", "api_tokens", "submissions", "scores", "quota_counters",
         "phase_baselines", "scorer_versions")


class ImportRefused(PlatformError, ValueError):
    kind = ErrorKind.REJECTED


def _safe_name(name: str) -> str:
    p = PurePosixPath(name)
    if not name or p.is_absolute() or any(part in ("..", "") for part in p.parts) or "\\" in name or "\x00" in name:
        raise ImportRefused(f"archive member {name!r} has an unsafe path (absolute, '..' or empty parts)")
    return str(p)


def unpack(archive: Path, dest: Path, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Check and unpack the archive into ``dest``; return its manifest."""
    try:
        tar = tarfile.open(archive, "r:*")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise ImportRefused(f"{archive.name} is not a readable tar archive ({e}); give the file written by "
                            "export-competition") from None
    with tar:
        total, names = 0, {}
        try:
            for i, m in enumerate(tar):
                if i >= MAX_MEMBERS:
                    raise ImportRefused(f"the archive has more than {MAX_MEMBERS} members")
                if m.isdir():
                    _safe_name(m.name)
                    continue
                if not m.isfile():
                    raise ImportRefused(f"archive member {m.name!r} is a link or special file; only regular files "
                                        "are accepted")
                name = _safe_name(m.name)
                total += m.size
                if total > max_bytes:
                    raise ImportRefused(f"the archive unpacks to more than {max_bytes} bytes (the import limit)")
                if name in names:
                    raise ImportRefused(f"archive member {name!r} appears twice")
                names[name] = m
            if "manifest.json" not in names or names["manifest.json"].size > MAX_TABLE_BYTES:
                raise ImportRefused("the archive has no manifest.json (or one too large); is it an export-competition archive?")
            manifest = _manifest(tar.extractfile(names["manifest.json"]).read())
            files = manifest["files"]
            extra = sorted(set(names) - set(files) - {"manifest.json"})
            if extra:
                raise ImportRefused(f"archive members not listed in the manifest: {', '.join(extra[:5])}")
            for name, meta in files.items():
                if _safe_name(name) not in names:
                    raise ImportRefused(f"the manifest lists {name!r} but the archive lacks it")
                target = dest / name
                target.parent.mkdir(parents=True, exist_ok=True)
                h, size = hashlib.sha256(), 0
                with tar.extractfile(names[name]) as src, open(target, "wb") as out:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        h.update(block)
                        size += len(block)
                        out.write(block)
                if h.hexdigest() != meta.get("sha256") or size != meta.get("size"):
                    raise ImportRefused(f"archive member {name!r} does not match its sha256/size in the manifest "
                                        "(damaged or altered archive)")
        except (tarfile.TarError, OSError, EOFError) as e:
            raise ImportRefused(f"the archive is damaged: {e}") from None
    return manifest


def _manifest(raw: bytes) -> dict[str, Any]:
    try:
        m = json.loads(raw)
    except (ValueError, RecursionError):
        raise ImportRefused("manifest.json is not valid JSON") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise ImportRefused(f"manifest.json is not an {FORMAT} manifest")
    v = m.get("format_version")
    if not isinstance(v, int) or not 1 <= v <= FORMAT_VERSION:
        raise ImportRefused(f"archive format version {v!r}; this server reads versions 1..{FORMAT_VERSION}: "
                            "upgrade this server")
    if not isinstance(m.get("files"), dict) or not isinstance(m.get("tables"), dict) or \
            not isinstance(m.get("phases", {}), dict) or \
            not all(isinstance(f, dict) for f in [*m["files"].values(), *m.get("phases", {}).values()]):
        raise ImportRefused("manifest.json lacks its 'files' or 'tables' mapping")
    return m


def _rows(root: Path, manifest: dict[str, Any], name: str) -> list[dict[str, Any]]:
    entry = manifest["tables"].get(name)
    if entry is None:
        return []
    path = root / _safe_name(f"tables/{name}.jsonl")
    if not isinstance(entry, dict) or entry.get("file") != f"tables/{name}.jsonl" or not path.is_file():
        raise ImportRefused(f"table {name!r}: its file is missing from the archive")
    rows = []
    for i, line in enumerate(path.read_text().splitlines(), 1):
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            raise ImportRefused(f"tables/{name}.jsonl line {i}: not valid JSON") from None
        if not isinstance(row, dict):
            raise ImportRefused(f"tables/{name}.jsonl line {i}: not a JSON object")
        rows.append(row)
    return rows


def _values(table: Table, row: dict[str, Any], where: str, **over) -> dict[str, Any]:
    """The row's values for ``table``'s columns (id left out), timestamps parsed."""
    out = {}
    for c in table.c:
        if c.name == "id" or c.name not in row and c.name not in over:
            continue
        v = over[c.name] if c.name in over else row[c.name]
        if isinstance(c.type, DateTime) and isinstance(v, str):
            try:
                v = datetime.fromisoformat(v)
            except ValueError:
                raise ImportRefused(f"{where}: {c.name}={v!r} is not an ISO timestamp") from None
        out[c.name] = v
    return out


def _insert(session: Session, table: Table, values: dict[str, Any], where: str) -> int:
    try:
        with session.begin_nested():
            return session.execute(insert(table).returning(table.c.id), values).scalar_one()
    except SQLAlchemyError as e:
        raise ImportRefused(f"{where}: the row was refused by the database: {str(e.orig if hasattr(e, 'orig') else e)[:300]}") from None


def _id(row: dict[str, Any], where: str, key: str = "id") -> int:
    v = row.get(key)
    if not isinstance(v, int):
        raise ImportRefused(f"{where}: {key} is missing or not an integer")
    return v


def import_competition(session: Session, storage: Storage, archive: Path, *, data_dir: Path,
                       slug: Optional[str] = None, max_bytes: int = MAX_BYTES) -> dict[str, Any]:
    """Import the archive; the caller commits. Returns ``{"slug", "phases": {old id: new id},
    "submissions": n, "notes": [...]}``."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = unpack(Path(archive), root, max_bytes)
        stored: list[str] = []  # artifact keys written, removed again if the import fails
        data_dirs_before = set(Path(data_dir).iterdir()) if Path(data_dir).is_dir() else set()
        try:
            return _load(session, storage, root, manifest, Path(data_dir), slug, stored)
        except BaseException as e:
            for key in stored:
                storage.delete(key)
            if Path(data_dir).is_dir():
                for d in set(Path(data_dir).iterdir()) - data_dirs_before:
                    shutil.rmtree(d, ignore_errors=True)
            if isinstance(e, (ValueError, TypeError, KeyError, AttributeError, OSError)) and \
                    not isinstance(e, PlatformError):  # a malformed row or file
                raise ImportRefused(f"the archive's content is not acceptable ({type(e).__name__}: "
                                    f"{str(e)[:300]}); import only archives written by export-competition") from None
            raise


def _load(session: Session, storage: Storage, root: Path, manifest: dict, data_dir: Path,
          slug: Optional[str], stored: list[str]) -> dict[str, Any]:
    notes = [f"unknown table {t!r} skipped (a newer export format?)" for t in manifest["tables"]
             if t not in KNOWN and not t.startswith(AUDIT_PREFIX)]
    comps = _rows(root, manifest, "competitions")
    if len(comps) != 1:
        raise ImportRefused("tables/competitions.jsonl must hold exactly one competition")
    comp = comps[0]
    slug = slug or comp.get("slug")
    if not isinstance(slug, str) or not re.fullmatch(SLUG, slug):
        raise ImportRefused(f"competition slug {slug!r} is not valid (lowercase letters, digits, '-' and '_')")
    if session.scalar(select(Competition.id).where(Competition.slug == slug)) is not None:
        raise Conflict(f"this server already has a competition {slug!r}; import under another slug (--slug NEW)")
    comp_id = _insert(session, Competition.__table__, _values(Competition.__table__, comp, "competition", slug=slug),
                      "competition")
    key_prefix = f"imported/{slug}-{uuid.uuid4().hex[:8]}"
    phase_map: dict[int, int] = {}
    for r in _rows(root, manifest, "phases"):
        where = f"phase {r.get('id')}"
        if not isinstance(r.get("settings") or {}, dict):
            raise ImportRefused(f"{where}: settings must be a JSON object")
        bundle, settings = r.get("bundle"), dict(r.get("settings") or {})
        files = manifest.get("phases", {}).get(str(r.get("id"))) or {}
        if manifest.get("with_data") and isinstance(files.get("bundle"), str):
            src = root / _safe_name(files["bundle"])
            bundle = str(_copy_tree(src, data_dir / slug / src.name))
        if isinstance(files.get("model_set"), str) and isinstance(settings.get("model_set"), str) \
                and (manifest.get("with_data") or not Path(settings["model_set"]).is_file()):
            src = root / _safe_name(files["model_set"])
            dest = data_dir / slug / "model_sets" / src.parent.name / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            settings["model_set"] = str(dest)
        if not isinstance(bundle, str) or not (Path(bundle) / "manifest.json").is_file():
            notes.append(f"{where}: bundle {bundle} is not on this server; copy it there or export --with-data")
        phase_map[_id(r, where)] = _insert(session, Phase.__table__, _values(
            Phase.__table__, r, where, competition_id=comp_id, bundle=bundle, settings=settings), where)
    team_map: dict[int, int] = {}
    created: set[int] = set()  # teams this import made (only they may receive imported tokens)
    for r in _rows(root, manifest, "teams"):
        where = f"team {r.get('id')}"
        if not isinstance(r.get("name"), str) or not TEAM_NAME.fullmatch(r["name"]):
            raise ImportRefused(f"{where}: the name must be 1 to 100 characters without control characters")
        existing = session.scalar(select(Team.id).where(Team.name == r.get("name")))
        if existing is not None:
            notes.append(f"team {r.get('name')!r} exists here: its submissions join it")
        if existing is None:
            existing = _insert(session, Team.__table__, _values(Team.__table__, r, where), where)
            created.add(existing)
        team_map[_id(r, where)] = existing
    for r in _rows(root, manifest, "api_tokens"):
        where = f"api token {r.get('id')}"
        if r.get("role") != "team" or r.get("team_id") not in team_map:
            raise ImportRefused(f"{where}: only team tokens of the exported teams can be imported")
        if team_map[r["team_id"]] not in created:  # never a new credential for a team of this server
            notes.append(f"{where}: not imported (its team already existed here)")
            continue
        if session.scalar(select(ApiToken.id).where(ApiToken.token_hash == r.get("token_hash"))) is None:
            _insert(session, ApiToken.__table__, _values(ApiToken.__table__, r, where,
                                                         team_id=team_map[r["team_id"]]), where)
    sub_map = _load_submissions(session, storage, root, manifest, phase_map, team_map, key_prefix, stored)
    score_map: dict[int, int] = {}
    for r in _rows(root, manifest, "scores"):
        where = f"score {r.get('id')}"
        if r.get("submission_id") not in sub_map or not isinstance(r.get("artifacts") or {}, dict):
            raise ImportRefused(f"{where}: its submission is not in the archive")
        try:
            arts = {k: f"{key_prefix}/{check_key(v)}" for k, v in (r.get("artifacts") or {}).items()
                    if isinstance(v, str)}
        except ValueError as e:
            raise ImportRefused(f"{where}: {e}") from None
        score_map[_id(r, where)] = _insert(session, Score.__table__, _values(
            Score.__table__, r, where, submission_id=sub_map[r["submission_id"]], artifacts=arts), where)
    for old, new in sub_map.items():
        old_score = session.scalar(select(Submission.score_id).where(Submission.id == new))
        if old_score is not None:
            if old_score not in score_map:
                raise ImportRefused(f"submission {old}: its score row {old_score} is not in the archive")
            session.execute(update(Submission).where(Submission.id == new).values(score_id=score_map[old_score]))
    for r in _rows(root, manifest, "quota_counters"):
        where = f"quota counter {r.get('team_id')}/{r.get('phase_id')}/{r.get('period')}"
        if r.get("phase_id") not in phase_map or r.get("team_id") not in team_map:
            raise ImportRefused(f"{where}: its phase or team is not in the archive")
        _insert_plain(session, QuotaCounter.__table__, _values(QuotaCounter.__table__, r, where, phase_id=phase_map[
            r["phase_id"]], team_id=team_map[r["team_id"]]), where)
    for r in _rows(root, manifest, "phase_baselines"):
        where = f"baseline {r.get('id')}"
        sub = r.get("submission_id")
        if r.get("phase_id") not in phase_map or (sub is not None and sub not in sub_map):
            raise ImportRefused(f"{where}: its phase or submission is not in the archive")
        _insert(session, PhaseBaseline.__table__, _values(PhaseBaseline.__table__, r, where, phase_id=phase_map[
            r["phase_id"]], submission_id=None if sub is None else sub_map[sub]), where)
    for r in _rows(root, manifest, "scorer_versions"):
        if isinstance(r.get("track"), str) and session.get(ScorerVersion, r["track"]) is None:
            _insert_plain(session, ScorerVersion.__table__, _values(ScorerVersion.__table__, r, "scorer version"),
                          "scorer version")
    notes += _load_audit(session, root, manifest, {"competition_id": {_id(comp, "competition"): comp_id},
                                                    "phase_id": phase_map, "submission_id": sub_map,
                                                    "team_id": team_map}, slug)
    session.flush()
    return {"slug": slug, "competition_id": comp_id, "phases": phase_map, "teams": len(team_map),
            "submissions": len(sub_map), "scores": len(score_map), "notes": notes}


def _insert_plain(session: Session, table: Table, values: dict[str, Any], where: str) -> None:
    try:
        with session.begin_nested():
            session.execute(insert(table), values)
    except SQLAlchemyError as e:
        raise ImportRefused(f"{where}: the row was refused by the database: {str(getattr(e, 'orig', e))[:300]}") from None


def _load_submissions(session: Session, storage: Storage, root: Path, manifest: dict, phase_map: dict,
                      team_map: dict, key_prefix: str, stored: list[str]) -> dict[int, int]:
    sub_map: dict[int, int] = {}
    for r in sorted(_rows(root, manifest, "submissions"), key=lambda r: _id(r, "submission")):
        where = f"submission {r['id']}"
        if r.get("phase_id") not in phase_map or r.get("team_id") not in team_map:
            raise ImportRefused(f"{where}: its phase or team is not in the archive")
        old_key = r.get("artifact_key")
        try:
            key = f"{key_prefix}/{check_key(old_key)}" if isinstance(old_key, str) else None
        except ValueError as e:
            raise ImportRefused(f"{where}: {e}") from None
        over: dict[str, Any] = {"phase_id": phase_map[r["phase_id"]], "team_id": team_map[r["team_id"]],
                                "artifact_key": key or "", "idempotency_key": None}
        if r.get("state") not in TERMINAL:
            over.update(state="cancelled", message="imported unfinished: cancelled (nothing is queued on import)",
                        heartbeat_at=None)
        sub_map[r["id"]] = _insert(session, Submission.__table__, _values(Submission.__table__, r, where, **over), where)
    _store_artifacts(storage, root, key_prefix, stored)
    return sub_map


def _store_artifacts(storage: Storage, root: Path, key_prefix: str, stored: list[str]) -> None:
    base = root / "artifacts"
    if not base.is_dir():
        return
    for f in sorted(base.rglob("*")):
        if f.is_file():
            key = f"{key_prefix}/{check_key(f.relative_to(base).as_posix())}"
            storage.put_file(key, f)
            stored.append(key)


def _copy_tree(src: Path, dest: Path) -> Path:
    if dest.exists():
        raise Conflict(f"{dest} already exists; choose another --data-dir or remove it")
    shutil.copytree(src, dest)
    return dest


def _retarget(target: str, maps: dict[str, dict[int, int]], slug: str) -> str:
    """An audit ``target`` ("phase 3", "competition old-slug") with this server's ids and slug."""
    kind, _, ident = target.partition(" ")
    if kind == "competition":
        return f"competition {slug}"
    if kind in TARGET_KINDS and ident.isdigit() and int(ident) in maps.get(f"{kind}_id", {}):
        return f"{kind} {maps[f'{kind}_id'][int(ident)]}"
    return target


def _load_audit(session: Session, root: Path, manifest: dict, maps: dict[str, dict[int, int]],
                slug: str) -> list[str]:
    """Audit tables of the archive into the same-named tables here, ids remapped; a table this
    server lacks is skipped with a note."""
    notes = []
    here = set(inspect(session.get_bind()).get_table_names())
    for name in sorted(t for t in manifest["tables"] if t.startswith(AUDIT_PREFIX)):
        if name not in here:
            notes.append(f"audit table {name!r} does not exist on this server: skipped")
            continue
        table = Table(name, MetaData(), autoload_with=session.get_bind())
        for r in _rows(root, manifest, name):
            over = {c: maps[c].get(r[c]) for c in maps if c in table.c and r.get(c) is not None}
            if isinstance(r.get("target"), str) and "target" in table.c:
                over["target"] = _retarget(r["target"], maps, slug)
            if "id" in table.c:
                _insert(session, table, _values(table, r, f"{name} row {r.get('id')}", **over), name)
            else:
                _insert_plain(session, table, _values(table, r, f"{name} row", **over), name)
    return notes
