"""Organizer command line: ``python -m core.manage <command>``.

  init-db                      create the database if missing, then the schema (alembic upgrade head)
  load-competition FILE.yaml   validate and create/update a competition
  create-team NAME             create a team and print its API token (shown once)
  create-admin [--label L]     print a new organizer token (shown once)
  phases                       list phases with their ids
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy import select

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
    p.add_argument("--json", action="store_true", help="print {'team', 'token'} as JSON")
    p = sub.add_parser("create-admin")
    p.add_argument("--label", default="organizer")
    sub.add_parser("phases")
    args = parser.parse_args(argv)

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
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(json.dumps({"team": team.name, "token": token}) if args.json else
              f"team {team.name} created; API token (shown once, keep it secret):\n{token}")
        return 0
    if args.command == "create-admin":
        from .tokens import issue_token

        with session_scope() as session:
            print(issue_token(session, "admin", label=args.label))
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
