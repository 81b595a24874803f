"""Background generation of ordered reports.

Late acknowledgement: the broker keeps the message until the report is done or
failed, so a worker killed in the middle (SIGKILL, OOM, a lost machine) does
not lose it — it is delivered again (at once when the pool sees its child die,
else after the broker's visibility timeout) and :func:`reports.services.report_generate`
takes the abandoned row over. ``stale_reports`` fails whatever is still stuck.
Time limits come from ``CELERY_TASK_ANNOTATIONS`` (settings).
"""

from celery import shared_task

from reports import services


@shared_task(name=services.GENERATE_TASK, acks_late=True, reject_on_worker_lost=True)
def generate_report(report_id: int) -> str:
    """Generate one ordered PDF (the service records progress and the outcome on the row)."""
    return services.report_generate(report_id=report_id).state
