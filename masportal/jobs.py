"""Scheduled jobs: one registry, one runner, a row per run.

An app registers a job in its ``jobs.py``::

    from masportal.jobs import scheduled_job

    @scheduled_job("delegations_expiring")
    def delegations_expiring(*, on: date, batch_size: int) -> dict[str, int]:
        ...  # idempotent: unique constraints, not check-then-insert
        return {"reminded": n}

``run_scheduled_jobs`` (the management command, the beat task and the tests)
runs every registered job for a date, records a :class:`masportal.models.JobRun`
per job and keeps going when one fails.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import date
from importlib import import_module

from django.apps import apps
from django.utils import timezone

logger = logging.getLogger(__name__)

JobFunc = Callable[..., dict]
_REGISTRY: dict[str, JobFunc] = {}
DEFAULT_BATCH_SIZE = 500


def scheduled_job(name: str) -> Callable[[JobFunc], JobFunc]:
    def register(func: JobFunc) -> JobFunc:
        _REGISTRY[name] = func
        return func

    return register


def registered_jobs() -> dict[str, JobFunc]:
    """All jobs, after importing every installed app's ``jobs`` module."""
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise
    return dict(sorted(_REGISTRY.items()))


def run_scheduled_jobs(*, on: date | None = None, only: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> list:
    """Run the registered jobs for ``on`` (today by default); return their JobRun rows."""
    from masportal.models import JobRun

    on = on or timezone.localdate()
    jobs = registered_jobs()
    if only is not None:
        if only not in jobs:
            raise KeyError(only)
        jobs = {only: jobs[only]}
    runs = []
    for name, func in jobs.items():
        run = JobRun.objects.create(name=name, run_for=on, started_at=timezone.now())
        try:
            counts = func(on=on, batch_size=batch_size) or {}
            run.counts = counts
            run.status = JobRun.Status.OK
        except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
            logger.exception("Scheduled job %s failed", name)
            run.status = JobRun.Status.FAILED
            run.errors = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[:5000]
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "status", "errors", "finished_at"])
        runs.append(run)
    return runs
