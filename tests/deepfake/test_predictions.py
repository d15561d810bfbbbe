"""Strict predictions.jsonl validation: every error names its line and what to fix."""
import json

import numpy as np
import pytest

from evaluators.common.errors import SubmissionRejected
from evaluators.deepfake.predictions import parse_predictions

PROBES = ["pa", "pb"]
GALLERY = [f"g{i}" for i in range(7)]


def line(probe, ids=("g0", "g1", "g2", "g3", "g4"), sims=(0.9, 0.8, 0.7, 0.6, 0.5), **extra):
    obj = {"probe": probe, "top5": [{"gallery": g, "similarity": s} for g, s in zip(ids, sims)], **extra}
    return json.dumps(obj)


def parse(lines, novelty=False):
    return parse_predictions(lines, PROBES, GALLERY, need_novelty=novelty)


def test_valid_file_parses():
    p = parse([line("pb", novel_prob=0.25), line("pa", ids=("g6", "g5", "g4", "g3", "g2"), novel_prob=1)], True)
    assert p.probes == ["pb", "pa"]
    assert p.top5[1] == ["g6", "g5", "g4", "g3", "g2"]
    assert p.similarity.shape == (2, 5)
    np.testing.assert_allclose(p.novel_prob, [0.25, 1.0])
    renamed = p.renamed({"pa": "x", "pb": "y"}, {g: g.upper() for g in GALLERY})
    assert renamed.probes == ["y", "x"] and renamed.top5[0][0] == "G0"


@pytest.mark.parametrize("lines, message", [
    (["{not json", line("pb")], "line 1: is not valid JSON"),
    ([line("pa"), "[1, 2]"], "line 2: is a JSON list"),
    ([line("pa"), line("pzz")], "line 2: probe 'pzz' is not a file in /input/probe"),
    ([line("pa"), line("pa")], "line 2: probe 'pa' was already given on line 1"),
    ([line("pa", ids=("g0", "g1", "g2", "g3")), line("pb")], "line 1: probe 'pa': \"top5\" must be a list of exactly 5"),
    ([line("pa", ids=("g0", "g0", "g2", "g3", "g4")), line("pb")], "line 1: probe 'pa': top5 repeats a gallery id"),
    ([line("pa", ids=("g0", "g1", "g2", "g3", "nope")), line("pb")], "top5[4] gallery 'nope' is not a file"),
    ([line("pa"), line("pb").replace("0.9", "NaN")], "line 2: is not valid JSON"),
    ([line("pa"), line("pb", sims=(0.9, "high", 0.7, 0.6, 0.5))], "top5[1] similarity 'high' is not a finite number"),
    ([line("pa"), line("pb", sims=(0.9, True, 0.7, 0.6, 0.5))], "top5[1] similarity True is not a finite number"),
    ([line("pa", novel_prob=1.5), line("pb", novel_prob=0)], "line 1: probe 'pa': novel_prob 1.5 must be"),
    ([line("pa", extra_key=1), line("pb")], "line 1: has unknown key(s) ['extra_key']"),
    ([line("pa")], "1 of 2 probes have no line (e.g. pb)"),
    ([line("pa"), "", line("pb")], "line 2: is empty"),
    ([b"\xff\xfe", line("pb")], "line 1: is not UTF-8 text"),
])
def test_invalid_lines_are_named(lines, message):
    with pytest.raises(SubmissionRejected) as e:
        parse(lines)
    assert message in str(e.value)
    assert str(e.value).startswith("predictions.jsonl is invalid")


def test_novel_prob_required_when_novelty_is_scored():
    with pytest.raises(SubmissionRejected, match="line 2: probe 'pb': novel_prob is required"):
        parse([line("pa", novel_prob=0.1), line("pb")], novelty=True)
    with pytest.raises(SubmissionRejected, match="given on some lines but missing on 1"):
        parse([line("pa", novel_prob=0.1), line("pb")], novelty=False)


def test_trailing_newline_is_fine_and_errors_are_capped():
    assert parse([line("pa"), line("pb"), ""]).probes == ["pa", "pb"]
    with pytest.raises(SubmissionRejected) as e:
        parse(["{"] * 50)
    assert "stopped after the first errors" in str(e.value)
    assert str(e.value).count("\n") == 10
