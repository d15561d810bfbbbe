"""One scoring run of one submission, from claim to terminal state.

The claim (``queued -> running``) and every later transition are conditional on the run's
attempt number, so a redelivered task, a stale worker or the reaper can never score a
submission twice. Failure classes: SubmissionTimedOut / soft time limit -> ``timeout``,
SubmissionRejected -> ``user``, anything else -> ``infra`` (retried, no quota used).
"""
from __future__ import annotations

import json
import logging
import math
import os
import shutil
import socket
import traceback
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import update

from core import lifecycle, outcomes, phase_split, scorer_versions
from core.db import session_factory
from core.models import CANCELLED, RUNNING, SCORED, Score, Submission, ranked_total
from core.settings import get_settings
from core.storage import get_storage
from evaluators.common.errors import SubmissionRejected, SubmissionTimedOut
from evaluators.common.parts import parts_of
from evaluators.common.result import Result
from evaluators.registry import get_track

from .heartbeat import Heartbeat, RunAbandoned
from .logtail import TailHandler

log = logging.getLogger(__name__)
INFRA_MESSAGE = ("internal error while scoring (not your fault); the organizers can see the details. "
                 "Infra failures are retried automatically and never count against your quota.")


def execute(submission_id: int) -> str:
    settings = get_settings()
    make_session = session_factory()
    with make_session() as session, session.begin():
        attempt = lifecycle.claim(session, submission_id, f"{socket.gethostname()}:{os.getpid()}")
    if attempt is None:
        log.info("submission %s is not queued; nothing to do (redelivered or cancelled)", submission_id)
        return "skipped"
    with make_session() as session:
        sub = session.get(Submission, submission_id)
        track, bundle, scoring = sub.phase.track, Path(sub.phase.bundle), dict(sub.phase.settings or {})
        private = list(sub.phase.split_private or []) if sub.phase.split else None
        key, filename, soft_limit = sub.artifact_key, sub.filename, sub.phase.soft_time_limit
    workdir = settings.resolved_workdir() / f"sub-{submission_id}-run-{attempt}"
    shutil.rmtree(workdir, ignore_errors=True)
    beat = Heartbeat(make_session, submission_id, attempt, settings.heartbeat_seconds)
    with TailHandler(settings.log_tail_kib * 1024) as tail:
        log.info("scoring submission %s (track %s, run %s)", submission_id, track, attempt)
        beat.start()
        try:
            outcome = _run(beat, track, key, filename, bundle, scoring, soft_limit, workdir, private)
        except RunAbandoned:  # the signal landed outside the run itself
            outcome = ("lost", None)
        finally:
            beat.stop()
        if outcome[0] != "lost" and beat.lost:
            outcome = ("lost", None)
        log.info("run finished: %s", outcome[0])
        state = finish(make_session, submission_id, attempt, outcome, tail.text(), workdir)
    shutil.rmtree(workdir, ignore_errors=True)  # pictures and results are in the storage now
    return state


def _run(beat: Heartbeat, track: str, key: str, filename: str, bundle: Path, scoring: dict, soft_limit: int,
         workdir: Path, private: list[str] | None = None) -> tuple[str, object]:
    try:
        artifact = get_storage().get_file(key, workdir / "input" / filename)
        beat.progress("running", 0.0)
        plugin = get_track(track)
        # a split phase: both parts scored in this one run (core.phase_split)
        parts = None if private is None else parts_of(list(plugin.sample_strata(bundle)), private)
        # the worker's device (AISC_DEVICE) unless the phase names one (e.g. a gpu phase asking for cuda)
        kwargs = {} if parts is None else {"parts": parts}
        result = plugin.run(artifact, bundle, scoring, progress=beat.progress, workdir=workdir / "out",
                            device=get_settings().device, **kwargs)
        if parts is not None:
            phase_split.require_parts(result.parts)  # a scorer that ignored the split: infra
        return ("scored", result)
    except RunAbandoned:
        return ("lost", None)
    except SoftTimeLimitExceeded:
        return ("timeout", f"scoring ran past the time limit of {soft_limit} s")
    except SubmissionTimedOut as e:
        return ("timeout", str(e))
    except SubmissionRejected as e:
        return ("user", str(e))
    except Exception as e:  # noqa: BLE001 - everything else is the platform's problem
        log.error("infra failure: %s\n%s", e, traceback.format_exc())
        return ("infra", f"{type(e).__name__}: {e}")
    finally:
        beat.stop()  # disarm before anything else can be interrupted


def finish(make_session, submission_id: int, attempt: int, outcome, log_text: str, workdir: Path) -> str:
    kind, payload = outcome
    if kind == "lost":  # cancelled or taken over: keep this run's log only if it was cancelled
        with make_session() as session, session.begin():
            session.execute(update(Submission).where(Submission.id == submission_id, Submission.attempts == attempt,
                                                     Submission.state == CANCELLED).values(log_tail=log_text))
        return "lost"
    if kind == "scored":
        return _record_score(make_session, submission_id, attempt, payload, log_text, workdir)
    if kind in ("user", "timeout"):
        outcomes.fail_run(make_session, submission_id, attempt, kind, payload, log_tail=log_text)
        return f"failed/{kind}"
    return _infra_failure(make_session, submission_id, attempt, log_text)


def _infra_failure(make_session, submission_id: int, attempt: int, log_text: str) -> str:
    return outcomes.infra_failure(make_session, submission_id, attempt, log_tail=log_text, final_message=INFRA_MESSAGE,
                                  retry_message="retrying after an internal error ({used} of {limit} runs used)")


def _jsonable(value):
    """Plain JSON types: numpy scalars and arrays become lists and numbers, NaN and infinity
    become None (Postgres rejects them in JSON), anything else unknown becomes its str()."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _finite(numbers: dict) -> dict[str, float]:
    """Leaderboard columns and timings: finite floats only (a NaN column is dropped, logged)."""
    out = {}
    for k, v in numbers.items():
        v = float(v)
        if math.isfinite(v):
            out[str(k)] = v
        else:
            log.warning("dropping the non-finite value %s of %r", v, k)
    return out


def _store_artifacts(submission_id: int, attempt: int, result: Result, workdir: Path) -> dict[str, str]:
    storage, stored = get_storage(), {}
    base = f"results/{submission_id}/run-{attempt}"
    for name, path in sorted(result.artifacts.items()):
        p = Path(path)
        p = p if p.is_absolute() else workdir / "out" / p
        if not p.is_file():
            log.warning("artifact %s (%s) does not exist; skipped", name, p)
            continue
        key = f"{base}/{len(stored):02d}-{p.name}"
        storage.put_file(key, p)
        stored[name] = key
    result_json = workdir / "result.json"
    result_json.write_text(json.dumps(_jsonable(result.to_dict()), indent=2, sort_keys=True))
    storage.put_file(f"{base}/result.json", result_json)
    return stored


def _record_score(make_session, submission_id: int, attempt: int, result: Result, log_text: str,
                  workdir: Path) -> str:
    try:
        stored = _store_artifacts(submission_id, attempt, result, workdir)
    except Exception as e:  # noqa: BLE001 - storage trouble is the platform's problem
        log.error("storing the results failed: %s\n%s", e, traceback.format_exc())
        return _infra_failure(make_session, submission_id, attempt, log_text)
    with make_session() as session, session.begin():
        if not lifecycle.transition(session, submission_id, (RUNNING,), SCORED, attempt=attempt,
                                    stage="done", progress=100.0, log_tail=log_text, message="; ".join(result.messages)[:4000]):
            return "lost"
        sub = session.get(Submission, submission_id)
        previous = session.get(Score, sub.score_id) if sub.score_id else None
        subjective = previous.subjective if previous is not None else None
        weight = sub.phase.subjective_weight
        parts = phase_split.stored_parts(result.parts, subjective, weight, _finite) if sub.phase.split else {}
        score = Score(submission_id=submission_id, scorer_version=str(result.scorer_version),
                      # a split phase ranks its public part while it runs (core.phase_split)
                      total=parts[phase_split.PUBLIC]["total"] if parts else ranked_total(result.score, subjective, weight),
                      scorer_score=float(result.score), subjective=subjective, valid=bool(result.valid),
                      columns=_finite(result.columns), parts=parts,
                      messages=[str(m) for m in result.messages], details=_jsonable(result.details),
                      artifacts=stored, timings=_finite(result.timings))
        session.add(score)
        session.flush()
        sub.score_id, sub.score_total, sub.score_version = score.id, score.total, result.scorer_version
        scorer_versions.record(session, {sub.phase.track: str(result.scorer_version)}, socket.gethostname())
    return "scored"
