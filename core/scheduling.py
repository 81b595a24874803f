"""Scheduled jobs: one registry, one runner, a row per run.

An app registers a job in its ``jobs.py``::

    from core.scheduling import scheduled_job

    @scheduled_job("delegations_expiring", stage=Stage.REMIND)
    def delegations_expiring(*, on: date, batch_size: int) -> dict[str, int]:
        ...  # idempotent: unique constraints, not check-then-insert
        return {"reminded": n}

``run_scheduled_jobs`` (the management command, the beat task and the tests)
runs every registered job for a date in dependency order — by stage (what
creates rows runs before what reminds about them, delivery and clean-up last),
then by ``after`` (named jobs of the same stage that must run first), then by
name — records a :class:`core.models.JobRun` per job and keeps going when
one fails.
"""

from __future__ import annotations

import enum
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from core.models import JobRun

logger = logging.getLogger(__name__)

JobFunc = Callable[..., dict]
DEFAULT_BATCH_SIZE = 500


class Stage(enum.IntEnum):
    """When in a run a job goes: rows are created and re-routed before anyone is reminded about them."""

    CREATE = 10
    UPDATE = 20
    REMIND = 30
    DELIVER = 40
    CLEAN_UP = 50


@dataclass(frozen=True)
class Job:
    """A registered job: its name, function, stage and the jobs of its stage it must follow."""

    name: str
    func: JobFunc
    stage: Stage
    after: tuple[str, ...] = ()


_REGISTRY: dict[str, Job] = {}


def scheduled_job(name: str, *, stage: Stage = Stage.REMIND, after: Iterable[str] = ()) -> Callable[[JobFunc], JobFunc]:
    """Register ``func`` as the scheduled job ``name``, run in ``stage`` after the jobs named in ``after``."""

    def register(func: JobFunc) -> JobFunc:
        _REGISTRY[name] = Job(name=name, func=func, stage=Stage(stage), after=tuple(after))
        return func

    return register


def _import_job_modules() -> None:
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.jobs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.jobs":
                raise


def job_order() -> list[Job]:
    """Every registered job in the order a run takes them: by stage, then ``after``, then by name."""
    _import_job_modules()
    jobs = sorted(_REGISTRY.values(), key=lambda j: (j.stage, j.name))
    position = {}
    ordered: list[Job] = []
    pending = list(jobs)
    while pending:
        for job in pending:
            waits = [a for a in job.after if a in _REGISTRY and a not in position and _REGISTRY[a].stage <= job.stage]
            if not waits:
                break
        else:  # a cycle: keep the stage/name order for what is left
            job = pending[0]
        position[job.name] = len(ordered)
        ordered.append(job)
        pending.remove(job)
    for job in ordered:
        for a in job.after:
            if a in _REGISTRY and _REGISTRY[a].stage > job.stage:
                raise ValueError(f"Job {job.name} must run after {a}, which runs in a later stage.")
    return ordered


def registered_jobs() -> dict[str, JobFunc]:
    """All jobs in run order, after importing every installed app's ``jobs`` module."""
    return {job.name: job.func for job in job_order()}


class TimeBudget:
    """The time a job may spend: it works in batches and stops after the batch in which this ran out."""

    def __init__(self, seconds: float | None = None):
        self.seconds = float(settings.JOB_TIME_BUDGET_SECONDS if seconds is None else seconds)
        self.ends = time.monotonic() + self.seconds

    @property
    def exhausted(self) -> bool:
        return time.monotonic() >= self.ends


def in_batches(step: Callable[[], int], *, budget: TimeBudget | None = None, max_batches: int | None = None) -> dict:
    """Call ``step`` (one bounded batch; returns how many rows it took) until a batch is empty or time is out.

    Returns ``{"batches": n, "rows": total, "complete": bool}``; ``complete`` is False when the
    budget ran out with work left (the next run continues: rows done are not selected again).
    """
    budget = budget or TimeBudget()
    batches = rows = 0
    while True:
        taken = step()
        if not taken:
            return {"batches": batches, "rows": rows, "complete": True}
        batches += 1
        rows += taken
        if budget.exhausted or (max_batches is not None and batches >= max_batches):
            return {"batches": batches, "rows": rows, "complete": False}


def run_scheduled_jobs(*, on: date | None = None, only: str | None = None, batch_size: int | None = None) -> list:
    """Run the registered jobs for ``on`` (today by default) in dependency order; return their JobRun rows."""
    on = on or timezone.localdate()
    batch_size = batch_size or settings.JOB_BATCH_SIZE
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
