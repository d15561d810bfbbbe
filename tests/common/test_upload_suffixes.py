"""Every track says which file endings it takes (the phase page checks them before uploading),
and the core reads them from the track, not from a list of its own."""
from __future__ import annotations

from core.tracks import TRACKS, upload_suffixes


def test_every_track_names_its_file_endings():
    got = {t: upload_suffixes(t) for t in TRACKS}
    assert got == {"face": (".zip",), "driving": (".png",), "deepfake": (".tar",)}
    assert upload_suffixes("no-such-track") == ()
