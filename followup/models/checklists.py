"""Checklist templates and their items (SPEC §6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import (
    DutyArea,
)


class ChecklistTemplate(models.Model):
    """An editable checklist built on the MAS duty areas; shared when ``municipality`` is empty."""

    municipality = models.ForeignKey(
        "responsibility.Municipality", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    """One question of a checklist template, in one duty area."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=60)
    area = models.CharField(_("duty area"), max_length=24, choices=DutyArea.choices)
    question = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="checklist_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: {self.question}"
