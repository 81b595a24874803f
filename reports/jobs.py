"""Scheduled jobs of the reports: fail reports stuck without progress, remove old generated files."""

from __future__ import annotations

from datetime import date

from core.scheduling import Stage, scheduled_job
from reports.services import report_files_expire, reports_mark_stale


@scheduled_job("stale_reports", stage=Stage.CLEAN_UP)
def stale_reports(*, on: date, batch_size: int) -> dict[str, int]:
    """Mark queued or running reports without progress for REPORT_STALE_MINUTES as failed (the user may retry)."""
    return {"failed": reports_mark_stale()}


@scheduled_job("expired_report_files", stage=Stage.CLEAN_UP)
def expired_report_files(*, on: date, batch_size: int) -> dict[str, int]:
    """Remove generated PDFs older than REPORT_RETENTION_DAYS; the rows stay as a record of what was ordered."""
    return {"removed": report_files_expire(batch_size=batch_size)}
