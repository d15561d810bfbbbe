"""Celery workers: the app, the scoring task, the reaper and the per-track dispatch."""
