"""The base layer's Celery tasks. Their names keep the ``masportal.`` prefix they were registered with."""

from celery import shared_task

from core import scheduling, services


@shared_task(name="masportal.heartbeat")
def heartbeat() -> None:
    """Prove the worker runs (beat records its own side when publishing)."""
    services.heartbeat_record(source="worker")


@shared_task(name=services.DELIVER_TASK)
def deliver_notifications() -> dict:
    """Deliver pending notification e-mails."""
    return services.deliver_pending_notifications()


@shared_task(name="masportal.run_scheduled_jobs")
def run_scheduled_jobs(only: str | None = None) -> list[int]:
    """Run every scheduled job (or only the one named) for today; beat calls this nightly, stale_reports often."""
    return [r.pk for r in scheduling.run_scheduled_jobs(only=only)]
