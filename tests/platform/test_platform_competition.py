"""Competition YAML validation: clear errors for the organizer."""
from __future__ import annotations

import pytest
import yaml

from core.competition import CompetitionError, parse
from platform_helpers import fake_bundle, phase_spec


def _yaml(tracks: dict, **top) -> str:
    return yaml.safe_dump({"slug": "demo", "title": "Demo", "tracks": tracks, **top})


def test_valid_file_resolves_relative_paths(tmp_path):
    fake_bundle(tmp_path)
    (tmp_path / "models.yaml").write_text("models: []\n")
    spec = parse(_yaml({"face": {"phases": [phase_spec("p1", "fake-bundle", scoring={"model_set": "models.yaml"})]}}),
                 tmp_path)
    p = spec.tracks["face"].phases[0]
    assert p.bundle == str(tmp_path / "fake-bundle") and p.scoring["model_set"] == str(tmp_path / "models.yaml")


@pytest.mark.parametrize("tracks, expected", [
    ({"faces": {"phases": [phase_spec("p", "fake-bundle")]}}, "unknown track 'faces'; known tracks: face, driving, deepfake"),
    ({"face": {"phases": [phase_spec("p", "missing")]}}, "is not a bundle directory (no manifest.json)"),
    ({"face": {"phases": [phase_spec("a", "fake-bundle", closes="2030-01-01T00:00:00Z"),
                          phase_spec("b", "fake-bundle", opens="2029-06-01T00:00:00Z")]}}, "phases 'a'"),
    ({"face": {"phases": [phase_spec("p", "fake-bundle", ranking="mean")]}}, "ranking: Input should be 'best' or 'last'"),
    ({"face": {"phases": [phase_spec("p", "fake-bundle", quota={"daily": 0})]}}, "quota.daily: Input should be greater than or equal to 1"),
    ({"face": {"phases": [phase_spec("p", "fake-bundle", closes="2019-01-01T00:00:00Z")]}}, "closes"),
    ({"face": {"phases": [phase_spec("p", "fake-bundle", limits={"soft_seconds": 10, "hard_seconds": 5})]}},
     "hard_seconds (5) must be greater than soft_seconds (10)"),
    ({"face": {"phases": [{**phase_spec("p", "fake-bundle"), "qouta": 3}]}}, "qouta: Extra inputs are not permitted"),
])
def test_invalid_files_say_what_is_wrong(tmp_path, tracks, expected):
    fake_bundle(tmp_path)
    with pytest.raises(CompetitionError) as e:
        parse(_yaml(tracks), tmp_path)
    assert expected in str(e.value)


def test_not_yaml(tmp_path):
    with pytest.raises(CompetitionError, match="not valid YAML"):
        parse("slug: [", tmp_path)
    with pytest.raises(CompetitionError, match="must be a YAML mapping"):
        parse("- a\n- b\n", tmp_path)
