"""The REST half of the demo: create the demo teams, submit every baseline, follow the
scoring with progress, carry the results over to later phases, print the leaderboards.

  AISC_ADMIN_TOKEN=... python -m client.demo_submit --demo-dir var/demo --url http://127.0.0.1:8000
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from .cli import page_url, print_board, show_final
from .http import ApiError, Client
from .settings import client_settings


def team_token(admin: Client, tokens_dir: Path, team: str) -> str:
    path = tokens_dir / f"{team}.token"
    try:
        token = admin.http.post("/api/v1/admin/teams", json={"name": team})
        admin._check(token)
        value = token.json()["token"]
        path.write_text(value)
        path.chmod(0o600)
        return value
    except ApiError as e:
        if e.status == 409 and path.is_file():
            return path.read_text().strip()
        raise


def phase_ids(client: Client) -> dict[tuple[str, str], int]:
    comps = client.get("/api/v1/competitions")
    return {(p["track"], p["name"]): p["id"] for c in comps if c["slug"] == "aisc-demo" for p in c["phases"]}


def print_results_pages(pages: dict[str, list[tuple[str, int]]], public_url: str, tokens_dir: Path) -> None:
    """Each demo team's results pages, and how to sign in to see them."""
    print(f"[demo] results pages: sign in at {public_url.rstrip('/')}/login with the team's token "
          f"(in {tokens_dir}/<team>.token)")
    for team, subs in pages.items():
        print(f"  {team}:")
        for where, sub_id in subs:
            print(f"    {where:24s} {page_url(public_url, sub_id)}")
    print(flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m client.demo_submit", description=__doc__)
    p.add_argument("--demo-dir", type=Path, required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--admin-token", default=client_settings().admin_token,
                   help="organizer token (default: $AISC_ADMIN_TOKEN)")
    args = p.parse_args(argv)
    if not args.admin_token:
        p.error("an organizer token is needed: --admin-token or $AISC_ADMIN_TOKEN")
    baselines = json.loads((args.demo_dir / "baselines.json").read_text())
    tokens_dir = args.demo_dir / "teams"
    tokens_dir.mkdir(parents=True, exist_ok=True)
    admin = Client(args.url, args.admin_token)
    phases = phase_ids(admin)
    runs, pages = [], {}  # pages: team -> [(track/phase, submission id)]
    for b in baselines:
        token = team_token(admin, tokens_dir, b["team"])
        team = Client(args.url, token)
        digest = hashlib.sha256(Path(b["file"]).read_bytes()).hexdigest()[:32]
        st = team.submit(phases[(b["track"], b["phase"])], Path(b["file"]), idempotency_key=f"demo-{digest}")
        print(f"[demo] {b['team']}: submitted {Path(b['file']).name} to {b['track']}/{b['phase']} "
              f"as submission {st['id']} ({st['state']})", flush=True)
        runs.append((b, team, st["id"]))
        pages.setdefault(b["team"], []).append((f"{b['track']}/{b['phase']}", st["id"]))
    failed = 0
    for b, team, sub_id in runs:
        print(f"[demo] waiting for {b['team']} (submission {sub_id}) ...", flush=True)
        st = team.wait(sub_id, on_update=lambda s: print(
            f"    {s['state']:9s} {s['stage']:14s} {s['progress']:5.1f}%"
            + (f"  queue position {s['queue_position']}" if s["queue_position"] else ""), flush=True))
        show_final(st)
        failed += st["state"] != "scored"
    for track in sorted({b["track"] for b in baselines}):
        names = [name for (t, name) in phases if t == track]
        first = phases[(track, names[0])]
        for later in names[1:]:  # the AISC "preliminary evaluation": re-score each team's last submission
            queued = admin.http.post(f"/api/v1/admin/phases/{phases[(track, later)]}/carry-over",
                                     params={"from_phase": first}).json().get("queued", [])
            print(f"[demo] {track}/{later}: carried over {len(queued)} submissions", flush=True)
            for sub_id in queued:
                st = admin.wait(sub_id, on_update=lambda s: print(
                    f"    {s['team']}: {s['state']:9s} {s['stage']:14s} {s['progress']:5.1f}%", flush=True))
                pages.setdefault(st["team"], []).append((f"{track}/{later}", sub_id))
                failed += st["state"] != "scored"
    print()
    for (track, name), pid in phases.items():
        print_board(admin.leaderboard(pid))
        print(f"  page: {args.url.rstrip('/')}/leaderboard/{pid}\n")
    print(f"[demo] the competition's pages: {args.url.rstrip('/')}/competitions/aisc-demo\n")
    print_results_pages(pages, client_settings().public_url or args.url, tokens_dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
