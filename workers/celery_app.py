"""The Celery app.

  celery -A workers.celery_app worker -Q cpu -c 1          # scoring on CPU
  celery -A workers.celery_app worker -Q gpu -c 1          # a GPU machine takes only GPU work
  celery -A workers.celery_app worker -Q control -c 1 -B   # the beat-scheduled reaper
"""
from __future__ import annotations

import logging

from celery import Celery

from core.queue import REAP_TASK, SCORE_TASK, celery_config
from core.settings import get_settings

from .execution import execute
from .reaper import reap_once

app = Celery("aisc")
app.conf.update(celery_config(get_settings()))
logging.getLogger("workers").setLevel(logging.INFO)


@app.task(name=SCORE_TASK, acks_late=True)
def score_submission(submission_id: int) -> str:
    return execute(submission_id)


@app.task(name=REAP_TASK, acks_late=True)
def reap() -> dict:
    return reap_once()
