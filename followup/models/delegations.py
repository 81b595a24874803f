"""Delegations of health-care tasks (SOSFS 1997:14)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod


class Delegation(ValidityPeriod, models.Model):
    """A delegation of a health-care task (SOSFS 1997:14): written, personal, time-limited, revocable."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    from_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        related_name="delegations_given",
        verbose_name=_("delegated by (licensed)"),
    )
    to_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        related_name="delegations_received",
        verbose_name=_("delegated to"),
    )
    unit = models.ForeignKey(
        "responsibility.Unit", on_delete=models.PROTECT, related_name="delegations", verbose_name=_("unit")
    )
    tasks = models.TextField(_("tasks"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    revoked_at = models.DateField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ActiveOnQuerySet.as_manager()
    period_revoked = "revoked_at"  # revoked on a date: no longer valid that day

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["valid_to", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="delegation_period_valid",
                violation_error_message=_("'Valid to' cannot be before 'valid from'."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="delegation_revocation_has_reason",
                violation_error_message=_("A revocation needs a reason."),
            ),
        ]
        indexes = [models.Index(fields=["unit", "valid_to"], name="delegation_unit_to_idx")]

    def __str__(self) -> str:
        return f"{self.to_person} – {self.unit} – {self.valid_from}–{self.valid_to}"
