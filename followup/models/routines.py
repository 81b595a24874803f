"""Routines and their revision dates (SPEC §6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from followup.choices import (
    DutyArea,
    RoutineLevel,
    RoutineScope,
)


class Routine(models.Model):
    """A governing document (rutin, riktlinje) with an owner and a next revision date."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        "responsibility.Person", on_delete=models.PROTECT, related_name="routines", verbose_name=_("owner")
    )
    level = models.CharField(_("level"), max_length=12, choices=RoutineLevel.choices, default=RoutineLevel.ROUTINE)
    scope = models.CharField(
        _("applies to"), max_length=12, choices=RoutineScope.choices, default=RoutineScope.MUNICIPALITY
    )
    region = models.ForeignKey(
        "responsibility.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    board = models.ForeignKey(
        "responsibility.Board",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("board"),
    )
    provider = models.ForeignKey(
        "responsibility.CareProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("care provider"),
    )
    unit = models.ForeignKey(
        "responsibility.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    area = models.CharField(_("duty area"), max_length=24, choices=DutyArea.choices, blank=True)
    document_url = models.URLField(_("link to the document"), blank=True)
    version = models.CharField(_("version"), max_length=20, blank=True)
    adopted_on = models.DateField(_("adopted"), null=True, blank=True)
    next_revision = models.DateField(_("next revision"))
    active = models.BooleanField(_("in force"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("routine")
        verbose_name_plural = _("routines")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "title", "scope"], name="routine_title_unique"),
        ]
        indexes = [models.Index(fields=["active", "next_revision"], name="routine_revision_idx")]

    def __str__(self) -> str:
        return self.title
