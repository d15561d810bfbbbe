"""Team command line: ``python -m client.cli [--url URL] [--token TOKEN] <command>``.

  phases                         list competitions and phase ids
  submit PHASE_ID FILE [--wait]  upload a submission (retries reuse one idempotency key)
  status SUBMISSION_ID [--wait]  state, stage, progress, queue position, quota, score
  leaderboard PHASE_ID           the leaderboard as a table

URL and token default to $AISC_URL (http://127.0.0.1:8000) and $AISC_TOKEN. The results page
printed by ``status`` and ``submit`` uses $AISC_PUBLIC_URL (the server's public address), else the URL.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import uuid
from pathlib import Path

from .http import ApiError, Client
from .settings import client_settings


def show_progress(st: dict) -> None:
    pos = f"  queue position {st['queue_position']}" if st.get("queue_position") else ""
    print(f"  submission {st['id']}: {st['state']:9s} {st['stage']:12s} {st['progress']:5.1f}%{pos}", flush=True)


def page_url(public_url: str, submission_id: int) -> str:
    return f"{public_url.rstrip('/')}/submissions/{submission_id}"


def show_final(st: dict, public_url: str | None = None) -> None:
    q = st["remaining_quota"]
    print(f"submission {st['id']} ({st['track']}/{st['phase']}): {st['state']}"
          + (f" [{st['failure_class']}]" if st.get("failure_class") else ""))
    if public_url:
        print(f"  results page: {page_url(public_url, st['id'])}  (sign in with your team token)")
    if st.get("message"):
        print(f"  message: {st['message']}")
    if st.get("score"):
        print(f"  score {st['score']['total']:.6f}  (scorer {st['score']['scorer_version']})")
        for k, v in sorted(st["score"]["columns"].items()):
            print(f"    {k:30s} {v:.6f}")
    print(f"  quota left today: {q['daily_left']}/{q['daily_limit']}"
          + (f", in total: {q['total_left']}/{q['total_limit']}" if q.get("total_limit") else ""))


def _num(value, width: int = 9) -> str:
    return f"{value:{width}.4f}" if value is not None else f"{'hidden':>{width}s}"


def _column_blocks(cols: list[str], room: int) -> list[list[tuple[str, int]]]:
    """``cols`` with their cell widths (the whole heading, 9 to 30 characters), in blocks that
    each fit ``room`` characters; at least one column a block."""
    blocks: list[list[tuple[str, int]]] = [[]]
    used = 0
    for c in cols:
        w = min(max(len(c), 9), 30)
        if blocks[-1] and used + 1 + w > room:
            blocks.append([])
            used = 0
        blocks[-1].append((c, w))
        used += 1 + w
    return blocks


def print_board(board: dict, width: int | None = None) -> None:
    """The leaderboard as text, ``width`` characters wide at most (default: the terminal's, else
    80); columns that do not fit go into further blocks of the same rows. Before a private
    phase's reveal a team's own row has no rank or total ("hidden"); a split phase adds its
    private ranking when it is shown."""
    width = width or shutil.get_terminal_size((80, 24)).columns
    cols = board["columns"]
    ph = board["phase"]
    print(f"leaderboard {ph['track']}/{ph['name']} (ranking: {ph['ranking']}, scorer {board['scorer_version']})")
    if not board.get("complete", True):
        print("  (private until the organizers reveal it: you see only your own entry)")
    split = ph.get("split")
    if split:
        print(f"  (public part: {split['n_public']} samples; private part: {split['n_private']} samples)")
    head = f"{'#':>3} {'team':20s} {'total':>9s}"
    blocks = _column_blocks(cols, max(width - len(head), 10))

    def cells(values: dict, block) -> str:
        return "".join(f" {values[c]:{w}.4f}" if c in values else " " * (w + 1) for c, w in block)

    first = 1
    for block in blocks:
        if len(blocks) > 1:
            print(f"  (columns {first}-{first + len(block) - 1} of {len(cols)})")
        first += len(block)
        print(head + "".join(f" {c[:w]:>{w}s}" for c, w in block))
        for r in board["rows"]:
            rank = "-" if r["rank"] is None else r["rank"]
            print((f"{rank:>3} {r['team'][:20]:20s} {_num(r['total'])}" + cells(r.get("columns") or {}, block)).rstrip())
        if not board["rows"]:
            print("  (no scored submissions yet)")
        for b in board.get("baselines") or []:  # marked rows: reference solutions, organizer baselines
            total = "not scored" if b["total"] is None else f"{b['total']:9.4f}"
            print((f"{'ref':>3} {b['label'][:20]:20s} {total:>9s}" + cells(b["columns"], block)).rstrip())
    if board.get("baselines"):
        print("  (ref: baseline rows, not ranked among the teams and not counted in prizes)")
    final = sorted((r for r in board["rows"] if r.get("private")),
                   key=lambda r: (r["private"]["rank"] is None, r["private"]["rank"] or 0))
    if final:
        print("private part (final ranking; change = public rank - private rank):")
        print(f"{'#':>3} {'team':20s} {'total':>9s} {'public #':>8s} {'change':>6s}")
        for r in final:
            p = r["private"]
            change = "" if p["rank_change"] is None else f"{p['rank_change']:+d}"
            print(f"{'-' if p['rank'] is None else p['rank']:>3} {r['team'][:20]:20s} {_num(p['total'])} "
                  f"{r['rank']:>8} {change:>6s}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m client.cli", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    env = client_settings()
    parser.add_argument("--url", default=env.url)
    parser.add_argument("--token", default=env.token)
    parser.add_argument("--json", action="store_true", help="print raw JSON")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("phases")
    p = sub.add_parser("submit")
    p.add_argument("phase_id", type=int)
    p.add_argument("file", type=Path)
    p.add_argument("--wait", action="store_true")
    p.add_argument("--idempotency-key", default=None)
    p = sub.add_parser("status")
    p.add_argument("submission_id", type=int)
    p.add_argument("--wait", action="store_true")
    p = sub.add_parser("leaderboard")
    p.add_argument("phase_id", type=int)
    args = parser.parse_args(argv)
    client = Client(args.url, args.token)
    try:
        if args.command == "phases":
            out = client.get("/api/v1/competitions")
            if args.json:
                print(json.dumps(out, indent=2))
            for c in out:
                print(c["title"])
                for ph in c["phases"]:
                    print(f"  {ph['id']:4d}  {ph['track']}/{ph['name']}  quota {ph['quota_daily']}/day  {ph['visibility']}")
            return 0
        if args.command == "submit":
            if not args.file.is_file():
                print(f"error: {args.file} is not a file", file=sys.stderr)
                return 2
            key = args.idempotency_key or uuid.uuid4().hex
            st = client.submit(args.phase_id, args.file, key)
            print(f"submission {st['id']} accepted ({st['state']}); idempotency key {key}")
            if args.wait:
                st = client.wait(st["id"], None if args.json else show_progress)
        elif args.command == "status":
            st = client.wait(args.submission_id, None if args.json else show_progress) if args.wait \
                else client.status(args.submission_id)
        else:
            board = client.leaderboard(args.phase_id)
            print(json.dumps(board, indent=2) if args.json else "", end="")
            if not args.json:
                print_board(board)
            return 0
        print(json.dumps(st, indent=2)) if args.json else show_final(st, client_settings().public_url or args.url)
        return 0 if st["state"] != "failed" else 1
    except ApiError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
