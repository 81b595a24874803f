"""Background generation of ordered reports."""

from celery import shared_task

from reports import services


@shared_task(name="reports.generate_report", soft_time_limit=600, time_limit=660)
def generate_report(report_id: int) -> str:
    """Generate one ordered PDF (the service records progress and the outcome on the row)."""
    return services.report_generate(report_id=report_id).state
