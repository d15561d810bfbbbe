"""The scorer versions this worker runs, and storing them for the API (``core.scorer_versions``)."""
from __future__ import annotations

import logging
import socket

from core import scorer_versions
from core.db import session_factory
from evaluators.registry import TRACKS, get_track

log = logging.getLogger(__name__)


def current_versions() -> dict[str, str]:
    """{track: scorer version} of every track this worker can load (loading imports its scorer)."""
    out = {}
    for track in TRACKS:
        try:
            out[track] = str(get_track(track).scorer_version)
        except ImportError as e:  # a worker image without this track's packages
            log.warning("track %s cannot be loaded on this worker (%s); its version is not stored", track, e)
    return out


def store_current_versions() -> dict[str, str]:
    versions = current_versions()
    with session_factory()() as session, session.begin():
        scorer_versions.record(session, versions, socket.gethostname())
    log.info("scorer versions stored: %s", versions)
    return versions
