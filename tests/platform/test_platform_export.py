"""Whole-competition export and import (core.competition_export / _import) through the real
command line, between two real Postgres databases (two servers) with their own storage: the
quick demo competition round trip reproduces every leaderboard row for row, baseline rows
included. And the import refuses hostile archives (traversal, links, sizes, altered files)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from core import baselines, scorer_versions
from core.competition import load_file
from core.competition_import import ImportRefused, unpack
from core.db import make_engine, session_scope
from core.leaderboard import rank
from core.migrate import upgrade
from core.models import Competition, Phase, RegressionRun, Score, Submission, Team
from core.storage import LocalStorage, get_storage
from core.tokens import issue_token
from platform_db import create_database, drop_database
from platform_procs import ROOT

T0 = datetime(2026, 1, 1, 12, 0, 0)
AUDIT = "audit_export_probe"  # stands for the audit-log table another change adds (core.audit's shape)
AUDIT_DDL = f"CREATE TABLE IF NOT EXISTS {AUDIT} (id serial PRIMARY KEY, action text, target text)"


def _demo_yaml(tmp: Path, slug: str) -> Path:
    """The quick demo competition (authoring.demo_competition, face track), under a fresh slug."""
    from authoring.demo_competition import build

    comp_path, base_path = build(ROOT / "var" / "test-cache" / "demo-quick", quick=True, tracks=["face"])
    spec = yaml.safe_load(comp_path.read_text())
    spec["slug"] = slug
    out = comp_path.parent / f"{slug}.yaml"  # beside the demo's page texts (pages/*.md, relative paths)
    out.write_text(yaml.safe_dump(spec, sort_keys=False))
    return out, [Path(b["file"]).read_bytes() for b in json.loads(base_path.read_text())]


def _submit(s, storage, phase, team, body: bytes, minutes: int, totals: list[tuple[str, float]] | None,
            state="scored", dq=False) -> Submission:
    """A submission with a real stored artifact and its score rows (one per (version, total))."""
    key = f"uploads/{phase.id}/{team.id}/{uuid.uuid4().hex}/sub.zip"
    f = Path(os.environ["AISC_WORKDIR"]) / uuid.uuid4().hex
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(body)
    storage.put_file(key, f)
    sub = Submission(phase_id=phase.id, team_id=team.id, state=state, filename="sub.zip", artifact_key=key,
                     size_bytes=len(body), sha256=hashlib.sha256(body).hexdigest(), quota_day="2026-01-01",
                     created_at=T0 + timedelta(minutes=minutes, microseconds=123457), disqualified=dq,
                     failure_class="user" if state == "failed" else None)
    s.add(sub)
    s.flush()
    for version, total in totals or []:
        art = f"results/{sub.id}/1/overview.png"
        storage.put_file(art, f)
        sc = Score(submission_id=sub.id, scorer_version=version, total=total, scorer_score=total,
                   columns={"model:dlib": total, "model:facenet": total / 3}, artifacts={"overview": art})
        s.add(sc)
        s.flush()
        sub.score_id, sub.score_total, sub.score_version = sc.id, total, version
    return sub


def _board(s, phase) -> dict:
    version = scorer_versions.current(s, phase.track) or ""
    return {"version": version,
            "rows": [(r.rank, r.team, r.total, r.submitted_at, r.columns, r.valid) for r in rank(s, phase, version)],
            "baselines": [(b.label, b.source, b.total, b.columns, b.scorer_version)
                          for b in baselines.rows(s, phase)]}


def _boards(s, slug: str) -> dict:
    comp = s.query(Competition).filter_by(slug=slug).one()
    pages = (comp.title, comp.description, comp.rules, comp.terms, comp.registration,
             {t: (v or {}).get("submit") for t, v in (comp.track_pages or {}).items()})
    return {"pages": pages, **{f"{p.track}/{p.name}": _board(s, p) for p in comp.phases}}


def _cli(env: dict, *args: str) -> dict:
    r = subprocess.run([sys.executable, "-m", "core.manage", *args], cwd=ROOT, env={**os.environ, **env},
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture
def second_server(platform_env):
    """A second database and storage directory: another server."""
    name = f"aisc_test_{uuid.uuid4().hex[:10]}"
    url = create_database(name)
    upgrade(url)
    engine = make_engine(url)
    yield {"url": url, "engine": engine, "storage": platform_env["tmp"] / f"storage-{name}"}
    engine.dispose()
    drop_database(name)


def test_round_trip_reproduces_every_leaderboard(platform_env, second_server):
    tmp, slug = platform_env["tmp"], f"demo-{uuid.uuid4().hex[:6]}"
    storage = get_storage()
    with session_scope() as s:
        yaml_path, (unchanged, naive_patch) = _demo_yaml(tmp, slug)  # the demo's baseline uploads
        comp, _ = load_file(s, yaml_path)
        yaml_path.unlink()  # written beside the shared demo cache's page texts: leave the cache as found
        prelim, final = sorted(comp.phases, key=lambda p: p.opens_at)
        final.ranking, final.visibility, final.revealed = "last", "private", True
        teams = [Team(name=f"exp-{i}-{uuid.uuid4().hex[:6]}") for i in range(4)]
        s.add_all(teams)
        s.flush()
        a, b, c, organizers = teams
        a.invite_code = invite = f"join_{uuid.uuid4().hex}"  # a credential: stays out of the archive
        _submit(s, storage, prelim, a, unchanged, 1, [("face-1", 0.5), ("face-2", 0.625)])
        _submit(s, storage, prelim, a, naive_patch, 2, [("face-2", 0.75)])
        _submit(s, storage, prelim, b, b"PK b1", 3, [("face-2", 0.75)])  # ties a, later
        _submit(s, storage, prelim, b, b"PK b2", 4, [("face-2", 0.99)], dq=True)
        _submit(s, storage, prelim, c, b"PK c1", 5, [("face-1", 0.9)])  # old version only
        _submit(s, storage, prelim, c, b"PK c2", 6, None, state="failed")
        flagged = _submit(s, storage, prelim, organizers, b"PK ref", 7, [("face-2", 0.875)])
        _submit(s, storage, final, a, b"PK a3", 8, [("face-2", 0.25)])
        _submit(s, storage, final, a, b"PK a4", 9, [("face-2", 0.125)])  # a's last
        _submit(s, storage, final, c, b"PK c3", 10, [("face-2", 0.5)])
        scorer_versions.record(s, {"face": "face-2"})
        token_a = issue_token(s, "team", a)
        run = RegressionRun(status="passed", scorer_versions={"face": "face-2"},
                            rows=[{"kind": "method", "name": "tsinghua-patch", "track": "face", "phase": "preliminary",
                                   "measured": 0.8125, "columns": {"model:dlib": 0.9}, "status": "pass"}])
        s.add(run)
        s.flush()
        baselines.from_submission(s, prelim, flagged.id, label="organizers' reference", actor="cli")
        baselines.from_regression(s, final, run.id, "tsinghua-patch", run_phase="preliminary", actor="cli")
        s.execute(text(AUDIT_DDL))
        for target in (f"phase {final.id}", f"competition {slug}", "phase 2147483647", f"submission {flagged.id}"):
            s.execute(text(f"INSERT INTO {AUDIT} (action, target) VALUES ('x', :t)"), {"t": target})
    with second_server["engine"].begin() as c2:
        c2.execute(text(AUDIT_DDL))
    with session_scope() as s:
        before = _boards(s, slug)
    assert before[f"face/{prelim.name}"]["rows"][0][1] == a.name  # the flagged 0.875 is not ranked
    assert organizers.name not in [r[1] for k, b in before.items() if k != "pages" for r in b["rows"]]
    assert len(before[f"face/{final.name}"]["rows"]) == 2 and before[f"face/{final.name}"]["baselines"]

    out = tmp / f"{slug}.tar"
    exported = _cli({}, "export-competition", slug, str(out), "--with-data")
    assert exported["tables"]["submissions"] == 10 and exported["tables"]["scores"] == 10
    assert exported["tables"][AUDIT] == 3 and "api_tokens" not in exported["tables"] and not exported["missing"]
    with tarfile.open(out) as tar:
        names = tar.getnames()
    assert "competition.yaml" in names and any(n.startswith("model_sets/") for n in names)
    assert any(n.startswith("bundles/") and n.endswith(".png") for n in names)  # --with-data

    with tarfile.open(out) as tar:
        text_members = b"".join(
            tar.extractfile(m).read() for m in tar if m.isfile() and not m.name.startswith(("artifacts/", "bundles/")))
        assert hashlib.sha256(token_a.encode()).hexdigest().encode() not in text_members
        assert invite.encode() not in text_members
    with_hashes = _cli({}, "export-competition", slug, str(tmp / f"{slug}-tokens.tar"), "--with-token-hashes")
    assert with_hashes["tables"]["api_tokens"] == 1

    env2 = {"AISC_DATABASE_URL": second_server["url"], "AISC_STORAGE_URL": str(second_server["storage"])}
    imported = _cli(env2, "import-competition", str(out), "--data-dir", str(tmp / "data-2"))
    assert imported["slug"] == slug and imported["submissions"] == 10
    with sessionmaker(bind=second_server["engine"])() as s2:
        assert _boards(s2, slug) == before  # every leaderboard, row for row, baselines included
        storage2 = LocalStorage(second_server["storage"])
        for sub in s2.query(Submission).all():
            got = b"".join(storage2.iter_bytes(sub.artifact_key))
            assert hashlib.sha256(got).hexdigest() == sub.sha256
        for p in s2.query(Phase).all():
            assert Path(p.bundle, "manifest.json").is_file() and str(tmp / "data-2") in p.bundle
        # the rows about this competition (not the other one's phase), their targets renumbered
        phase2 = s2.query(Phase).filter(Phase.id.in_(imported["phases"].values()), Phase.name == final.name).one()
        sub2 = s2.query(Submission).filter_by(score_total=0.875).one()
        assert s2.execute(text(f"SELECT target FROM {AUDIT} ORDER BY id")).scalars().all() == [
            f"phase {phase2.id}", f"competition {slug}", f"submission {sub2.id}"]
    # token hashes go only to teams the import creates: never a new credential for a team already here
    again = _cli(env2, "import-competition", str(tmp / f"{slug}-tokens.tar"), "--slug", f"{slug}-t")
    assert any("its team already existed here" in n for n in again["notes"])
    with sessionmaker(bind=second_server["engine"])() as s2:
        assert s2.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 0
    with session_scope() as s:
        s.execute(text(f"DROP TABLE {AUDIT}"))
    r = subprocess.run([sys.executable, "-m", "core.manage", "import-competition", str(out)], cwd=ROOT,
                       env={**os.environ, **env2}, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and f"already has a competition {slug!r}" in r.stderr


def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _manifest(files: dict[str, bytes]) -> tuple[tarfile.TarInfo, bytes]:
    m = {"format": "aisc-competition-export", "format_version": 1, "tables": {},
         "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in files.items()}}
    return _file("manifest.json", json.dumps(m).encode())


@pytest.mark.parametrize("case, message", [
    ("traversal", "unsafe path"), ("absolute", "unsafe path"), ("symlink", "link or special file"),
    ("hardlink", "link or special file"), ("too_big", "more than 1000 bytes"), ("altered", "does not match"),
    ("unlisted", "not listed in the manifest"), ("no_manifest", "no manifest.json"), ("not_tar", "not a readable tar"),
    ("future", "format version 99")])
def test_import_refuses_hostile_archives(tmp_path, case, message):
    ok = {"tables/teams.jsonl": b"{}\n"}
    members = [_manifest(ok), _file("tables/teams.jsonl", b"{}\n")]
    if case == "traversal":
        members.append(_file("artifacts/../../evil.txt", b"x"))
    elif case == "absolute":
        members.append(_file("/tmp/evil.txt", b"x"))
    elif case in ("symlink", "hardlink"):
        info = tarfile.TarInfo("artifacts/link")
        info.type = tarfile.SYMTYPE if case == "symlink" else tarfile.LNKTYPE
        info.linkname = "/etc/passwd"
        members.append((info, None))
    elif case == "too_big":
        members.append(_file("artifacts/big", b"x" * 2000))
    elif case == "altered":
        members = [_manifest(ok), _file("tables/teams.jsonl", b"[]\n")]
    elif case == "unlisted":
        members.append(_file("artifacts/extra", b"x"))
    elif case == "no_manifest":
        members = members[1:]
    elif case == "future":
        members[0] = _file("manifest.json", json.dumps({"format": "aisc-competition-export", "format_version": 99,
                                                        "files": {}, "tables": {}}).encode())
    archive = tmp_path / "in.tar"
    if case == "not_tar":
        archive.write_bytes(b"not a tar at all" * 100)
    else:
        _tar(archive, members)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(ImportRefused, match=message):
        unpack(archive, dest, max_bytes=1000)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()


def _archive(path: Path, tables: dict[str, list[dict]], extra: dict[str, bytes]) -> Path:
    files = {f"tables/{n}.jsonl": "".join(json.dumps(r) + "\n" for r in rows).encode() for n, rows in tables.items()}
    files.update(extra)
    m = {"format": "aisc-competition-export", "format_version": 1, "with_data": True,
         "phases": {"2": {"bundle": "bundles/face-p", "model_set": None}},
         "tables": {n: {"file": f"tables/{n}.jsonl", "rows": len(r)} for n, r in tables.items()},
         "files": {n: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in files.items()}}
    return _tar(path, [_file("manifest.json", json.dumps(m).encode()), *(_file(n, d) for n, d in files.items())])


@pytest.mark.parametrize("case, message", [
    ("team_name", "without control characters"), ("artifact_key", "bad storage key"),
    ("slug", "slug 'Bad Slug\\\\n' is not valid"), ("timestamp", "not an ISO timestamp"),
    ("orphan_score", "its submission is not in the archive")])
def test_import_refuses_hostile_rows_and_writes_nothing(platform_env, tmp_path, case, message):
    from core.competition_import import import_competition

    slug = f"h-{uuid.uuid4().hex[:6]}"
    comp = {"id": 1, "slug": "Bad Slug\n" if case == "slug" else slug, "title": "<script>x</script>",
            "created_at": "yesterday" if case == "timestamp" else "2026-01-01T00:00:00"}
    team = {"id": 5, "name": "evil\x1b[2J" if case == "team_name" else f"t-{slug}", "created_at": "2026-01-01T00:00:00"}
    phase = {"id": 2, "competition_id": 1, "track": "face", "name": "p", "opens_at": "2026-01-01T00:00:00",
             "closes_at": "2026-02-01T00:00:00", "bundle": "/nonexistent", "settings": {}, "quota_daily": 1,
             "max_upload_bytes": 10}
    sub = {"id": 9, "phase_id": 2, "team_id": 5, "state": "scored", "filename": "f", "size_bytes": 1,
           "sha256": "0" * 64, "quota_day": "2026-01-01",
           "artifact_key": "../../etc/passwd" if case == "artifact_key" else "uploads/x"}
    score = {"id": 3, "submission_id": 99 if case == "orphan_score" else 9, "scorer_version": "v", "total": 1.0,
             "scorer_score": 1.0}
    archive = _archive(tmp_path / "h.tar", {"competitions": [comp], "phases": [phase], "teams": [team],
                                            "submissions": [sub], "scores": [score]},
                       {"artifacts/uploads/x": b"PK", "bundles/face-p/manifest.json": b"{}"})
    (tmp_path / "data").mkdir()
    storage = get_storage()
    with session_scope() as s:
        with pytest.raises(ImportRefused, match=message):
            import_competition(s, storage, archive, data_dir=tmp_path / "data")
        s.rollback()
        assert s.query(Competition).filter_by(slug=slug).count() == 0
    assert not any((tmp_path / "data").iterdir())  # what the failed import wrote is gone
    assert not list((Path(os.environ["AISC_STORAGE_URL"]) / "imported").glob(f"{slug}-*/uploads/x"))
