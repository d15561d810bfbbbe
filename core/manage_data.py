"""The ``core.manage`` commands that move competition data: export, import, baseline rows.
Each prints a one-line result (JSON where it is data) and returns the exit status: 0, or 2
with ``error: ...`` on stderr for a refused request."""
from __future__ import annotations

import json
import sys
from argparse import Namespace

from .audit import actor_name
from .db import session_scope
from .errors import PlatformError
from .settings import VAR


def run(args: Namespace) -> int:
    try:
        return _COMMANDS[args.command](args)
    except PlatformError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _export(args: Namespace) -> int:
    from .competition_export import export_competition
    from .storage import get_storage

    with session_scope() as session:
        m = export_competition(session, get_storage(), args.slug, args.out, with_data=args.with_data,
                               with_token_hashes=args.with_token_hashes)
    print(json.dumps({"archive": str(args.out), "tables": {k: v["rows"] for k, v in m["tables"].items()},
                      "files": len(m["files"]), "missing": m["missing"]}))
    return 0


def _import(args: Namespace) -> int:
    from .competition_import import import_competition
    from .storage import get_storage

    with session_scope() as session:
        r = import_competition(session, get_storage(), args.archive, data_dir=args.data_dir or VAR / "imported",
                               slug=args.slug)
    print(json.dumps(r))
    return 0


def _phase(session, phase_id: int):
    from .submissions import get_phase

    return get_phase(session, phase_id)


def _list(args: Namespace) -> int:
    from . import baselines

    with session_scope() as session:
        for b in baselines.rows(session, _phase(session, args.phase_id)):
            print(json.dumps(b.as_dict()))
    return 0


def _add(args: Namespace) -> int:
    from . import baselines

    if (args.submission is None) == (args.run is None) or (args.run is not None and not args.name):
        print("error: give either --submission ID, or --run ID and --name NAME", file=sys.stderr)
        return 2
    with session_scope() as session:
        phase = _phase(session, args.phase_id)
        if args.submission is not None:
            b = baselines.from_submission(session, phase, args.submission, label=args.label, actor=actor_name(None))
        else:
            b = baselines.from_regression(session, phase, args.run, args.name, run_phase=args.run_phase,
                                          label=args.label, actor=actor_name(None))
        print(f"baseline {b.id} on phase {phase.id}: {b.label}")
    return 0


def _remove(args: Namespace) -> int:
    from . import baselines

    with session_scope() as session:
        baselines.remove(session, _phase(session, args.phase_id), args.baseline_id, actor=actor_name(None))
    print(f"baseline {args.baseline_id} removed")
    return 0


_COMMANDS = {"export-competition": _export, "import-competition": _import, "baselines": _list,
             "add-baseline": _add, "remove-baseline": _remove}
