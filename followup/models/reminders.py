"""Reminders and escalations sent once (the unique constraint makes a second run send nothing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from followup.choices import (
    ReminderKind,
)


class Reminder(models.Model):
    """A reminder or escalation sent once: the unique constraint makes a second job run send nothing."""

    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    object_id = models.PositiveBigIntegerField(_("object"))
    due_date = models.DateField(_("due date"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    sent_on = models.DateField(_("sent for date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "due_date", "recipient"], name="reminder_once"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="reminder_object_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.due_date}"
