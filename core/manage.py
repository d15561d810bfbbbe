"""Organizer command line: ``python -m core.manage <command>``.

  init-db                      create the database if missing, then the schema (alembic upgrade head)
  load-competition FILE.yaml   validate and create/update a competition
  create-team NAME             create a team and print its API token (shown once) and invite code
  create-admin [--label L]     print a new organizer token (shown once)
  phases                       list phases with their ids
  export-competition SLUG OUT.tar [--with-data] [--with-token-hashes]
                               write the whole competition (core.competition_export)
  import-competition IN.tar [--slug NEW] [--data-dir DIR]
                               load an exported competition on this server (core.competition_import)
  baselines PHASE_ID           list the phase's baseline rows (marked, unranked)
  add-baseline PHASE_ID (--submission ID | --run ID --name NAME [--run-phase P]) [--label L]
  remove-baseline PHASE_ID BASELINE_ID

create-team, create-admin and load-competition write an audit row (``core.audit``) with actor ``cli``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import select

from . import audit
from .db import session_scope
from .models import Competition, Phase


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.manage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db")
    p = sub.add_parser("load-competition")
    p.add_argument("file", type=Path)
    p = sub.add_parser("create-team")
    p.add_argument("name")
    p.add_argument("--json", action="store_true", help="print {'team', 'token', 'invite_code'} as JSON")
    p = sub.add_parser("create-admin")
    p.add_argument("--label", default="organizer")
    sub.add_parser("phases")
    p = sub.add_parser("export-competition")
    p.add_argument("slug")
    p.add_argument("out", type=Path)
    p.add_argument("--with-data", action="store_true", help="every bundle file, not only the manifests")
    p.add_argument("--with-token-hashes", action="store_true", help="the teams' token hashes (secret-equivalent)")
    p = sub.add_parser("import-competition")
    p.add_argument("archive", type=Path)
    p.add_argument("--slug", help="import under another slug")
    p.add_argument("--data-dir", type=Path, default=None, help="where bundles of a --with-data archive go "
                   "(default var/imported)")
    p = sub.add_parser("baselines")
    p.add_argument("phase_id", type=int)
    p = sub.add_parser("add-baseline")
    p.add_argument("phase_id", type=int)
    p.add_argument("--submission", type=int)
    p.add_argument("--run", type=int, help="a finished regression run's id")
    p.add_argument("--name", help="the method or baseline name in the run's table")
    p.add_argument("--run-phase")
    p.add_argument("--label")
    p = sub.add_parser("remove-baseline")
    p.add_argument("phase_id", type=int)
    p.add_argument("baseline_id", type=int)
    args = parser.parse_args(argv)
    if args.command in ("export-competition", "import-competition", "baselines", "add-baseline", "remove-baseline"):
        from .manage_data import run

        return run(args)

    if args.command == "init-db":
        from .migrate import ensure_database, upgrade
        from .settings import get_settings

        if ensure_database(get_settings().resolved_database_url()):
            print("created the database")
        upgrade()
        print("database schema is up to date")
        return 0
    if args.command == "load-competition":
        from .competition import CompetitionError, load_file

        try:
            with session_scope() as session:
                comp, notes = load_file(session, args.file)
                audit.record(session, audit.actor_name(None), "competition.load", f"competition {comp.slug}",
                             notes=notes)
                print(f"competition {comp.slug}: " + "; ".join(notes))
        except CompetitionError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        return 0
    if args.command == "create-team":
        from .tokens import create_team

        try:
            with session_scope() as session:
                team, token = create_team(session, args.name)
                audit.record(session, audit.actor_name(None), "team.create", f"team {team.id}", name=team.name)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(json.dumps({"team": team.name, "token": token, "invite_code": team.invite_code}) if args.json else
              f"team {team.name} created; API token (shown once, keep it secret):\n{token}\n"
              f"invite code (members who register join the team with it on /team):\n{team.invite_code}")
        return 0
    if args.command == "create-admin":
        from .tokens import issue_token

        with session_scope() as session:
            token = issue_token(session, "admin", label=args.label)
            audit.record(session, audit.actor_name(None), "token.create", "admin token", label=args.label)
        print(token)
        return 0
    if args.command == "phases":
        with session_scope() as session:
            for ph, slug in session.execute(select(Phase, Competition.slug).join(Competition)).all():
                print(f"{ph.id:4d}  {slug}/{ph.track}/{ph.name}  {ph.opens_at:%Y-%m-%d}..{ph.closes_at:%Y-%m-%d}"
                      f"  quota {ph.quota_daily}/day  {ph.ranking}  {ph.visibility}")
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
