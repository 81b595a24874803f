"""Choices of the board reports (SPEC §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    DEVIATIONS = "deviations", _("Deviation report")
    LEX_MARIA = "lex_maria", _("Lex Maria summary")
    FOLLOWUP = "followup", _("Contract follow-up report")
    RESPONSIBILITY = "responsibility", _("Allocation of responsibility")
    PATIENT_SAFETY = "patient_safety", _("Patient safety report")


# Kinds that take one date (the register on a date) or a calendar year instead of a period.
DATE_KINDS = (ReportKind.RESPONSIBILITY,)
YEAR_KINDS = (ReportKind.PATIENT_SAFETY,)


class ScopeKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("The whole municipality")
    REGION = "region", _("Region")
    BOARD = "board", _("Board")
    PROVIDER = "provider", _("Care provider")


class ReportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class NarrativeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review before the board")
    ADOPTED = "adopted", _("Adopted by the board")


class ReportMove(models.TextChoices):
    """A move of a generated report (the table is ``reports.services.REPORT_TRANSITIONS``)."""

    START = "start", _("Generation started")
    TAKE_OVER = "take_over", _("Generation taken over after an interrupted run")
    FINISH = "finish", _("Generated")
    FAIL = "fail", _("Generation failed")
    RETRY = "retry", _("Ordered again")


class NarrativeMove(models.TextChoices):
    """A move of a patient safety narrative (named by the state it leads to; ``reports.narratives.NARRATIVE_TRANSITIONS``)."""

    REVIEW = "review", _("Sent for review")
    DRAFT = "draft", _("Taken back to draft")
    ADOPTED = "adopted", _("Adopted by the board")
