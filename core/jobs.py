"""The base layer's scheduled jobs."""

from __future__ import annotations

from datetime import date

from core.scheduling import Stage, scheduled_job
from core.services import notification_digest_send


@scheduled_job("notification_digest", stage=Stage.DELIVER)
def notification_digest(*, on: date, batch_size: int) -> dict[str, int]:
    """Once a day: one digest e-mail (through the outbox) per user who chose the daily digest."""
    return notification_digest_send(on=on, batch_size=batch_size)
