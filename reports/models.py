"""Generated board reports and the patient safety narrative (SPEC §7)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TransitionRecord
from reports.choices import NarrativeState, ReportKind, ReportState, ScopeKind


def private_storage() -> FileSystemStorage:
    """Generated files live under PRIVATE_FILES_ROOT and are served only through a checked view."""
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT)


def report_path(instance: "GeneratedReport", filename: str) -> str:
    return f"reports/{instance.requested_at:%Y/%m}/{instance.pk}-{filename}"


class GeneratedReport(models.Model):
    """One ordered PDF: who ordered it, when, with which parameters, and how far its generation got."""

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    scope_kind = models.CharField(_("scope"), max_length=12, choices=ScopeKind.choices)
    scope_id = models.PositiveBigIntegerField(_("scope id"), null=True, blank=True)
    scope_label = models.CharField(_("scope name"), max_length=200)
    period_from = models.DateField(_("from"), null=True, blank=True)
    period_to = models.DateField(_("to"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="generated_reports",
        verbose_name=_("ordered by"),
    )
    requested_at = models.DateTimeField(_("ordered"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=ReportState.choices, default=ReportState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=report_path, storage=private_storage, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progressed_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    file_removed_at = models.DateTimeField(_("file removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"], name="report_requester_idx"),
            models.Index(fields=["state", "progressed_at"], name="report_state_progress_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max_100"),
            models.CheckConstraint(
                condition=Q(period_to__isnull=True)
                | Q(period_from__isnull=True)
                | Q(period_to__gte=models.F("period_from")),
                name="report_period_valid",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.scope_label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:generated_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (ReportState.DONE, ReportState.FAILED)

    @property
    def scope_token(self) -> str:
        """The scope as the form and the command write it (``board:12`` uses the id, not the code)."""
        return self.scope_kind if self.scope_id is None else f"{self.scope_kind}:{self.scope_id}"


class PatientSafetyNarrative(models.Model):
    """The written sections of a vårdgivare's patientsäkerhetsberättelse for a year (PSL 3 kap. 10 §).

    The structure follows SOSFS 2011:9 7 kap. 3 § and SKR's national template; the
    figures come from the data when the report is produced, the text from here.
    """

    provider = models.ForeignKey(
        "responsibility.CareProvider",
        on_delete=models.PROTECT,
        related_name="patient_safety_narratives",
        verbose_name=_("care provider"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    goals_and_strategies = models.TextField(_("Overall goals and strategies"), blank=True)
    organisation = models.TextField(_("Organisation of responsibility for patient safety"), blank=True)
    followup = models.TextField(_("How patient safety was followed up (self-assessment)"), blank=True)
    collaboration = models.TextField(_("Collaboration to prevent care injuries"), blank=True)
    risk_analysis = models.TextField(_("Risk analysis"), blank=True)
    deviations = models.TextField(_("Deviations, event analyses and Lex Maria"), blank=True)
    complaints = models.TextField(_("Complaints and comments"), blank=True)
    participation = models.TextField(_("Participation of patients and relatives"), blank=True)
    results = models.TextField(_("Results"), blank=True)
    goals_next_year = models.TextField(_("Goals and strategies for the coming year"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=NarrativeState.choices, default=NarrativeState.DRAFT)
    adopted_on = models.DateField(_("adopted by the board on"), null=True, blank=True)
    adopted_paragraph = models.CharField(
        _("paragraph of the board's minutes"),
        max_length=40,
        blank=True,
        help_text=_("As written in the minutes, e.g. § 42."),
    )
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adoption recorded by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patient safety narrative")
        verbose_name_plural = _("patient safety narratives")
        ordering = ["-year", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "year"], name="narrative_provider_year_unique"),
            models.CheckConstraint(
                condition=~Q(state=NarrativeState.ADOPTED) | Q(adopted_on__isnull=False),
                name="narrative_adopted_has_date",
                violation_error_message=_("An adopted report has an adoption date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("reports:narrative_edit", args=[self.provider_id, self.year])


class ReportTransition(TransitionRecord):
    """One move of a generated report between states: who (none for the generating job), when, why."""

    report = models.ForeignKey(GeneratedReport, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=10, choices=ReportState.choices)
    to_state = models.CharField(_("to"), max_length=10, choices=ReportState.choices)

    case_field = "report"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")


class NarrativeTransition(TransitionRecord):
    """One move of a patient safety narrative between states: who, when, why."""

    narrative = models.ForeignKey(PatientSafetyNarrative, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=10, choices=NarrativeState.choices)
    to_state = models.CharField(_("to"), max_length=10, choices=NarrativeState.choices)

    case_field = "narrative"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("narrative transition")
        verbose_name_plural = _("narrative transitions")


# The narrative sections in the order of the report: (field, figures shown with it).
NARRATIVE_SECTIONS = (
    ("goals_and_strategies", None),
    ("organisation", "responsibility"),
    ("followup", "followup"),
    ("collaboration", None),
    ("risk_analysis", None),
    ("deviations", "deviations"),
    ("complaints", None),
    ("participation", None),
    ("results", None),
    ("goals_next_year", None),
)
