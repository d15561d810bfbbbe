"""Celery configuration shared by the API (which only sends tasks, by name) and the
workers (which run them). Queues: ``cpu``, ``gpu`` for scoring, ``control`` for the reaper, ``notify`` for the
notification outbox."""
from __future__ import annotations

from functools import lru_cache

from celery import Celery

from .settings import Settings, get_settings

SCORE_TASK = "aisc.score_submission"
REAP_TASK = "aisc.reap"
REGRESS_TASK = "aisc.regress"  # one regression run of the reference solutions (scoring queue)
REGRESS_SCHEDULE_TASK = "aisc.regress_schedule"  # beat: enqueue a run (control queue)
REGRESS_CHECK_TASK = "aisc.regress_check"  # beat: enqueue a run when scorer versions changed (control)
NOTIFY_TASK = "aisc.notify"  # beat: drain the notification outbox (notify queue)
QUEUES = ("cpu", "gpu", "control", "notify")


def transport_options(settings: Settings) -> dict:
    if settings.resolved_broker_url().startswith("sqla+"):
        return {}  # the SQLAlchemy transport hands its options to create_engine()
    opts = {"visibility_timeout": settings.visibility_timeout_seconds, "polling_interval": 0.2}
    if settings.broker_key_prefix:
        opts["global_keyprefix"] = settings.broker_key_prefix
    return opts


def celery_config(settings: Settings) -> dict:
    return {
        "broker_url": settings.resolved_broker_url(),
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "task_default_queue": "cpu",
        "task_create_missing_queues": True,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": transport_options(settings),
        "worker_hijack_root_logger": False,
        "beat_schedule": {"reaper": {"task": REAP_TASK, "schedule": settings.reaper_seconds,
                                     "options": {"queue": "control", "expires": settings.reaper_seconds * 2}},
                          "notify": {"task": NOTIFY_TASK, "schedule": settings.notify_seconds,
                                     "options": {"queue": "notify", "expires": settings.notify_seconds * 2}},
                          **regression_schedule(settings)},
    }


def regression_schedule(settings: Settings) -> dict:
    """Beat entries for the regression runs; none when ``regress_seconds`` is 0."""
    if settings.regress_seconds <= 0:
        return {}
    check = settings.reaper_seconds  # cheap: one query
    return {"regression": {"task": REGRESS_SCHEDULE_TASK, "schedule": settings.regress_seconds,
                           "options": {"queue": "control", "expires": settings.regress_seconds}},
            "regression-version-check": {"task": REGRESS_CHECK_TASK, "schedule": check,
                                         "options": {"queue": "control", "expires": check * 2}}}


@lru_cache(maxsize=2)
def _client(broker: str) -> Celery:
    app = Celery("aisc-client")
    app.conf.update(celery_config(get_settings()))
    return app


def client() -> Celery:
    return _client(get_settings().resolved_broker_url())


def send_regress_task(run_id: int, queue: str, hard_time_limit: int) -> None:
    client().send_task(REGRESS_TASK, args=[run_id], queue=queue, time_limit=hard_time_limit)


def send_score_task(submission_id: int, queue: str, soft_time_limit: int, hard_time_limit: int) -> None:
    client().send_task(SCORE_TASK, args=[submission_id], queue=queue,
                       soft_time_limit=soft_time_limit, time_limit=hard_time_limit)
