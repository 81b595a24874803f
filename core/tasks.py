"""Cross-cutting Celery tasks."""

from celery import shared_task

from core import services


@shared_task(name="masportal.heartbeat")
def heartbeat() -> None:
    """Prove the worker runs (beat records its own side when publishing)."""
    services.heartbeat_record(source="worker")


@shared_task(name="masportal.deliver_notifications")
def deliver_notifications() -> dict:
    """Deliver pending notification e-mails."""
    return services.deliver_pending_notifications()


@shared_task(name="masportal.run_scheduled_jobs")
def run_scheduled_jobs(only: str | None = None) -> list[int]:
    """Run every scheduled job (or only the one named) for today; beat calls this nightly, stale_reports often."""
    from core.jobs import run_scheduled_jobs as run

    return [r.pk for r in run(only=only)]
