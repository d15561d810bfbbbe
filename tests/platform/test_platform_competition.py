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


@pytest.mark.parametrize("track, scoring, limits, expected", [
    ("driving", {"area_weight": "x"}, {}, "tracks.driving.phases.p.scoring.area_weight='x': Input should be a valid number"),
    ("driving", {"area_wieght": 0.2}, {}, "tracks.driving.phases.p.scoring: unknown keys ['area_wieght']; known keys are"),
    ("face", {"connectivity": 6}, {}, "tracks.face.phases.p.scoring.connectivity=6: Input should be 4 or 8"),
    ("deepfake", {"memory_mb": "lots"}, {}, "tracks.deepfake.phases.p.scoring.memory_mb='lots': Input should be a valid integer"),
    ("deepfake", {"gpu": "yes"}, {}, "tracks.deepfake.phases.p.scoring.gpu='yes': Input should be a valid boolean"),
    # the upload cap is the track's (driving: 64 MiB); the phase's limits may only lower it
    ("driving", {}, {"max_upload_mb": 100}, "limits.max_upload_mb: 100 MB is above the driving track's upload cap of 64 MB"),
])
def test_scoring_settings_are_checked_by_the_track_with_their_place(tmp_path, track, scoring, limits, expected):
    fake_bundle(tmp_path)
    limits = {"soft_seconds": 60, "hard_seconds": 90, **limits}
    with pytest.raises(CompetitionError) as e:
        parse(_yaml({track: {"phases": [phase_spec("p", "fake-bundle", scoring=scoring, limits=limits)]}}), tmp_path)
    assert expected in str(e.value)


def test_upload_cap_comes_from_the_track_settings(tmp_path, platform_env):
    from platform_helpers import load_competition

    from core.db import session_factory
    from core.models import Phase

    bundle = fake_bundle(tmp_path)  # a face bundle of one pair: 64 KiB per pair + 1 MiB
    ids = load_competition(tmp_path, {
        "face": [phase_spec("f", bundle)],
        "driving": [phase_spec("d", bundle, scoring={"max_upload_bytes": 5 << 20})],
        "deepfake": [phase_spec("k", bundle, scoring={"max_image_mb": 300}, limits={
            "soft_seconds": 60, "hard_seconds": 90, "max_upload_mb": 200})]})
    with session_factory()() as s:
        caps = {key: s.get(Phase, pid).max_upload_bytes for key, pid in ids.items()}
    assert caps == {"face/f": 64 * 1024 + (1 << 20), "driving/d": 5 << 20, "deepfake/k": 200 << 20}
