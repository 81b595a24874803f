"""The register checks R1–R12 as dated data (SPEC §3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod
from responsibility.choices import (
    Severity,
)


class RuleDefinition(ValidityPeriod, models.Model):
    """A dated check of the register (R1–R12): a change of law is a new row, not new code."""

    code = models.CharField(_("code"), max_length=8)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    history = HistoricalRecords()

    objects = ActiveOnQuerySet.as_manager()
    period_start, period_end = "effective_from", "effective_to"

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["code", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "effective_from"], name="rule_code_from_unique")]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from})"
