"""Findings of a follow-up and the corrective actions they lead to (SPEC §6, closed loop)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import (
    ActionState,
    DutyArea,
    FindingSeverity,
)
from followup.models.followups import ChecklistAnswer, FollowUp


class Finding(models.Model):
    """A deficiency (brist) or observation recorded in a follow-up."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="findings")
    answer = models.ForeignKey(
        ChecklistAnswer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("checklist item"),
    )
    area = models.CharField(_("duty area"), max_length=24, choices=DutyArea.choices, default=DutyArea.OTHER)
    severity = models.CharField(
        _("severity"), max_length=12, choices=FindingSeverity.choices, default=FindingSeverity.DEFICIENCY
    )
    description = models.TextField(_("finding"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["follow_up", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class Action(models.Model):
    """A corrective action for a finding. Done only when the auditor has verified it."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        "responsibility.Person", on_delete=models.PROTECT, related_name="followup_actions", verbose_name=_("owner")
    )
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=16, choices=ActionState.choices, default=ActionState.OPEN)
    report_note = models.TextField(_("what was done"), blank=True)
    reported_done_at = models.DateTimeField(_("reported done"), null=True, blank=True)
    reported_done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported done by"),
    )
    sent_back_reason = models.TextField(_("reason for sending back"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=ActionState.VERIFIED) | Q(verified_at__isnull=False),
                name="action_verified_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "deadline"], name="action_state_deadline_idx"),
            models.Index(fields=["owner", "state"], name="action_owner_state_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    def get_absolute_url(self) -> str:
        return reverse("followup:action_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.state == ActionState.VERIFIED

    def is_overdue_on(self, on: date) -> bool:
        return self.state != ActionState.VERIFIED and self.deadline < on


class ActionTransition(models.Model):
    """One move of an action between states: who, when, why."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=16, choices=ActionState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=ActionState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("action transition")
        verbose_name_plural = _("action transitions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.from_state} → {self.to_state}"
