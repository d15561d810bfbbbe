"""The Celery app.

  celery -A workers.celery_app worker -Q cpu -c 1          # scoring on CPU
  celery -A workers.celery_app worker -Q gpu -c 1          # a GPU machine takes only GPU work
  celery -A workers.celery_app worker -Q control,notify -c 1 -B   # the reaper and notifications
  celery -A workers.celery_app beat                        # or beat alone: every worker also
                                                           # consumes 'control' (see below)
"""
from __future__ import annotations

import logging

from celery import Celery
from celery.signals import celeryd_after_setup, worker_ready

from core.queue import NOTIFY_TASK, REAP_TASK, REGRESS_CHECK_TASK, REGRESS_SCHEDULE_TASK, REGRESS_TASK, SCORE_TASK, celery_config
from core.settings import get_settings
from core.web_sessions import purge_now as purge_web_sessions

from . import notify, regression, versions
from .execution import execute
from .reaper import reap_once

app = Celery("aisc")
app.conf.update(celery_config(get_settings()))
logging.getLogger("workers").setLevel(logging.INFO)


@celeryd_after_setup.connect
def _also_consume_control(sender, instance, **kwargs) -> None:
    """Every worker also takes the reaper's ``control`` queue and the ``notify`` queue (cheap,
    seconds), so the beat schedule works even where no dedicated control worker runs."""
    if get_settings().workers_consume_control:
        instance.app.amqp.queues.select_add("control")
        instance.app.amqp.queues.select_add("notify")


@worker_ready.connect
def _store_scorer_versions(sender, **kwargs) -> None:
    """The API ranks leaderboards by the versions the workers run (core.scorer_versions)."""
    versions.store_current_versions()


@app.task(name=SCORE_TASK, acks_late=True)
def score_submission(submission_id: int) -> str:
    return execute(submission_id)


@app.task(name=REAP_TASK, acks_late=True)
def reap() -> dict:
    purge_web_sessions()  # expired and signed-out browser sessions
    return reap_once()


@app.task(name=REGRESS_TASK, acks_late=True)
def regress(run_id: int) -> str:
    return regression.run(run_id)


@app.task(name=REGRESS_SCHEDULE_TASK, acks_late=True)
def regress_schedule() -> dict:
    return regression.schedule()


@app.task(name=REGRESS_CHECK_TASK, acks_late=True)
def regress_check() -> dict:
    return regression.check()


@app.task(name=NOTIFY_TASK, acks_late=True)
def notify_drain() -> dict:
    return notify.drain_once()
