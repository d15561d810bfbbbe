"""The team CLI's leaderboard table fits the width it is given: columns that do not fit go into
further blocks of the same rows, with their headings whole."""
from __future__ import annotations

from client.cli import print_board


def _board(n_cols: int) -> dict:
    cols = [f"model:whitebox_detector_{i}" for i in range(n_cols // 2)] + [f"scene:s{i:02d}" for i in range(n_cols - n_cols // 2)]
    return {
        "phase": {"track": "driving", "name": "final", "ranking": "best"},
        "scorer_version": "driving-1",
        "columns": cols,
        "rows": [{"rank": 1, "team": "alpha", "total": 0.75, "columns": {c: 0.5 + i / 1000 for i, c in enumerate(cols)}},
                 {"rank": None, "team": "beta", "total": None, "columns": {}}],
        "baselines": [{"label": "reference", "total": 0.25, "columns": {cols[-1]: 0.125}}],
    }


def test_a_wide_board_is_split_into_blocks_that_fit(capsys):
    board = _board(12)
    print_board(board, width=80)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    for i, c in enumerate(board["columns"]):  # every heading whole, every value printed
        assert c in out and f"{0.5 + i / 1000:.4f}" in out
    blocks = [line for line in lines if line.startswith("  (columns ")]
    assert len(blocks) > 1 and blocks[-1].endswith("of 12)")
    assert sum(1 for line in lines if line.split()[:2] == ["1", "alpha"]) == len(blocks)  # rows repeat per block
    assert "0.1250" in lines[-2] and lines[-1].startswith("  (ref: baseline rows")


def test_a_narrow_board_is_one_table(capsys):
    print_board(_board(2), width=120)
    out = capsys.readouterr().out
    assert "(columns" not in out and out.count("alpha") == 1 and "hidden" in out
