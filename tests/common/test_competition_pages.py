"""Unit tests of the competition pages' parts: the safe Markdown renderer, the YAML's page
texts (inline or a .md file next to the YAML), the leaderboard's column groups, phase states,
and the demo competition's page texts."""
from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace

import pytest
import yaml

from api.board_view import group_means, groups, label
from api.markdown import render
from core import phase_state
from core.competition import CompetitionError, CompetitionSpec, _markdown_file, _starting_kit


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "<a href='javascript:alert(1)'>x</a>",
    "[x](file:///etc/passwd)",
    "<iframe src=https://evil.example></iframe>",
    '<div style="position:fixed">x</div>',
])
def test_hostile_markdown_is_neutralised(hostile):
    html = str(render(hostile))
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<div" not in html
    assert "href=\"javascript" not in html.lower() and "href=\"vbscript" not in html.lower()
    assert "href=\"data:" not in html and "src=\"data:" not in html and "href=\"file:" not in html


def test_markdown_keeps_safe_parts():
    html = str(render("# Title\n\n[rules](https://example.org/r) [here](#terms) [mail](mailto:a@b.c)\n\n|a|\n|-|\n|1|"))
    assert "<h3>Title</h3>" in html  # shifted under the page's own h1/h2
    assert '<a href="https://example.org/r" rel="nofollow noopener noreferrer">rules</a>' in html
    assert 'href="#terms"' in html and 'href="mailto:a@b.c"' in html and "<table>" in html
    assert str(render("")) == "" and str(render(None)) == ""


def test_page_texts_inline_or_from_a_file(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text("1. Be fair.\n")
    spec = CompetitionSpec.model_validate({"slug": "c", "title": "C", "rules": "docs/rules.md",
                                           "description": "Plain *text* that mentions rules.md",
                                           "tracks": {"face": {"phases": [
                                               {"name": "p", "opens": "2026-01-01T00:00:00Z", "closes": "2026-02-01T00:00:00Z",
                                                "bundle": "b", "quota": {"daily": 1}}]}}})
    assert spec.terms == "" and spec.tracks["face"].submit == "" and spec.tracks["face"].starting_kit is None
    assert _markdown_file(spec, "rules", "rules", tmp_path) == [] and spec.rules == "1. Be fair.\n"
    assert _markdown_file(spec, "description", "description", tmp_path) == []
    assert spec.description == "Plain *text* that mentions rules.md"  # not a bare path: inline text
    spec.terms = "missing.md"
    problem, = _markdown_file(spec, "terms", "terms", tmp_path)
    assert problem.startswith("terms: missing.md names a Markdown file that cannot be read")
    tspec = spec.tracks["face"]
    tspec.starting_kit = "nope.zip"
    problem, = _starting_kit(tspec, "tracks.face.starting_kit", tmp_path)
    assert "is not a file" in problem
    (tmp_path / "kit.zip").write_bytes(b"kit")
    tspec.starting_kit = "kit.zip"
    assert _starting_kit(tspec, "tracks.face.starting_kit", tmp_path) == [] and tspec._kit == tmp_path / "kit.zip"


def test_page_text_errors_name_their_place(tmp_path):
    from core.competition import parse

    text = yaml.safe_dump({"slug": "c", "title": "C", "terms": "terms.md", "tracks": {"face": {
        "submit": "submit.md", "starting_kit": "kit.zip", "phases": [
            {"name": "p", "opens": "2026-01-01T00:00:00Z", "closes": "2026-02-01T00:00:00Z",
             "bundle": "b", "quota": {"daily": 1}}]}}})
    with pytest.raises(CompetitionError) as e:
        parse(text, tmp_path)
    msg = str(e.value)
    assert "terms: terms.md names a Markdown file" in msg and "tracks.face.submit: submit.md" in msg
    assert "tracks.face.starting_kit:" in msg
    with pytest.raises(CompetitionError) as e:  # a YAML sent over HTTP names no server file
        parse(text, tmp_path, page_files=False)
    assert "terms: terms.md names a Markdown file; files are read only from a competition loaded" in str(e.value)
    assert "tracks.face.starting_kit: a starting kit is a file; files are read only" in str(e.value)


def test_leaderboard_groups_have_readable_labels():
    cols = ["area", "kind:person", "kind:truck", "model:blackbox_yolov8n", "model:whitebox_yolov3",
            *[f"scene:val_truck_0{i}" for i in range(1, 6)]]
    layout = groups(cols)
    assert [g["title"] for g in layout] == ["Models", "Scenes", "Kinds of scene", "Other"]
    assert [g["collapse"] for g in layout] == [False, True, False, False]
    assert [c["label"] for c in layout[0]["columns"]] == ["blackbox yolov8n", "whitebox yolov3"]
    assert layout[3]["columns"] == [{"key": "area", "label": "Area"}]
    assert label("precision@5") == "Precision@5"
    means = group_means({f"scene:val_truck_0{i}": i / 10 for i in range(1, 6)}, layout)
    assert means == {"scene": pytest.approx(0.3)}
    assert group_means(None, layout) == {"scene": None}


def test_face_board_with_a_liveness_column_groups_it_after_the_models():
    layout = groups(["model:dlib_resnet", "model:mobilefacenet", "live:antispoof"])
    assert [(g["title"], g["noun"]) for g in layout] == [("Models", "models"),
                                                         ("Still pass as live (liveness)", "liveness model")]
    assert layout[1]["columns"] == [{"key": "live:antispoof", "label": "antispoof"}]


def test_phase_state():
    ph = SimpleNamespace(opens_at=datetime(2026, 1, 1), closes_at=datetime(2026, 2, 1))
    assert phase_state.state(ph, datetime(2025, 12, 31)) == "upcoming"
    assert phase_state.next_change(ph, datetime(2025, 12, 31)) == ph.opens_at
    assert phase_state.state(ph, datetime(2026, 1, 1)) == "open"
    assert phase_state.next_change(ph, datetime(2026, 1, 15)) == ph.closes_at
    assert phase_state.state(ph, datetime(2026, 2, 1)) == "closed"
    assert phase_state.next_change(ph, datetime(2026, 3, 1)) is None


def test_demo_competition_fills_the_pages(tmp_path, monkeypatch):
    from authoring import demo_competition, demo_pages

    example = tmp_path / "face" / "unchanged.zip"
    example.parent.mkdir()
    example.write_bytes(b"PK\x05\x06" + bytes(18))
    stub = SimpleNamespace(build_demo=lambda out, quick: {
        "phases": {"preliminary": {"bundle": str(tmp_path / "bundle"), "settings": {}}},
        "baselines": {"unchanged": str(example)}})
    monkeypatch.setattr(demo_competition, "available_tracks", lambda wanted: ["face"])
    monkeypatch.setattr(demo_competition.importlib, "import_module", lambda name: stub)
    comp_path, _ = demo_competition.build(tmp_path, quick=True)
    data = yaml.safe_load(comp_path.read_text())
    CompetitionSpec.model_validate(data)
    for field, text in (("description", demo_pages.DESCRIPTION), ("rules", demo_pages.RULES),
                        ("terms", demo_pages.TERMS)):
        assert (tmp_path / data[field]).read_text() == text
    face = data["tracks"]["face"]
    assert (tmp_path / face["submit"]).read_text() == demo_pages.SUBMIT["face"]
    assert (tmp_path / face["starting_kit"]).resolve() == example.resolve()
    assert json.loads((tmp_path / "baselines.json").read_text())[0]["file"] == str(example)
