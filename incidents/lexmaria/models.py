"""Lex Maria cases, their steps and reminders (SPEC §5); models of the ``incidents`` app."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TransitionRecord
from incidents.models import Deviation, ReminderKind
from responsibility.choices import LexMariaRoute


class LexMariaState(models.TextChoices):
    """How far a case has come: the furthest milestone reached (the steps themselves are not a line)."""

    DECIDED = "decided", _("Decided: report")
    PATIENT_INFORMED = "patient_informed", _("Patient informed")
    ANALYSED = "analysed", _("Event analysis done")
    BOARD_INFORMED = "board_informed", _("Board informed")
    REPORTED = "reported_to_ivo", _("Reported to IVO")
    IVO_DECIDED = "ivo_decided", _("IVO decision received")
    CLOSED = "closed", _("Closed")


class LexMariaCase(models.Model):
    """A Lex Maria case opened by a 'yes' decision; its steps follow SPEC §5 and its route the contract."""

    deviation = models.OneToOneField(Deviation, on_delete=models.PROTECT, related_name="lex_maria_case")
    reference = models.CharField(_("reference"), max_length=20)
    route = models.CharField(_("route"), max_length=32, choices=LexMariaRoute.choices)
    state = models.CharField(_("state"), max_length=20, choices=LexMariaState.choices, default=LexMariaState.DECIDED)
    board = models.ForeignKey(
        "responsibility.Board",
        on_delete=models.PROTECT,
        related_name="lex_maria_cases",
        verbose_name=_("responsible board"),
    )
    purchasing_board = models.ForeignKey(
        "responsibility.Board",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("purchasing board"),
    )
    reporter_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reports to IVO"),
    )
    reporter_deputy_for = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reports as deputy for"),
    )
    # "Ansvar oklart" (SPEC §3): no anmälningsansvarig resolved; the fallback holds the case until the
    # register is corrected and the re-routing job gives it to the reporter (nobody = the register admins).
    owner_unclear_reason = models.TextField(_("responsibility unclear: reason"), blank=True)
    fallback_person = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("holds the case until routed"),
    )
    board_mas = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the board's MAS (forwards)"),
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"))
    motivation = models.TextField(_("motivation"))
    patient_informed_at = models.DateField(_("patient informed"), null=True, blank=True)
    patient_informed_by = models.CharField(_("informed by"), max_length=120, blank=True)
    patient_not_informed_reason = models.TextField(_("why the patient could not be informed"), blank=True)
    patient_statement = models.TextField(_("the patient's description"), blank=True)
    analysis_leader = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analysis leader"),
    )
    analysis_team = models.TextField(_("analysis team"), blank=True)
    analysis_timeline = models.TextField(_("timeline"), blank=True)
    analysis_causes = models.TextField(_("causes"), blank=True)
    analysis_actions = models.TextField(_("actions"), blank=True)
    analysed_at = models.DateField(_("event analysis done"), null=True, blank=True)
    forwarded_by_board_mas_at = models.DateField(_("forwarded by the board's MAS"), null=True, blank=True)
    board_informed_at = models.DateField(_("board informed"), null=True, blank=True)
    ivo_sent_at = models.DateField(_("sent to IVO"), null=True, blank=True)
    ivo_case_number = models.CharField(_("IVO case number"), max_length=40, blank=True)
    investigation_sent_at = models.DateField(_("investigation sent to IVO"), null=True, blank=True)
    ivo_decision_at = models.DateField(_("IVO decision received"), null=True, blank=True)
    ivo_outcome = models.TextField(_("IVO outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Lex Maria case")
        verbose_name_plural = _("Lex Maria cases")
        ordering = ["-decided_at", "-id"]
        indexes = [
            models.Index(fields=["board", "state", "decided_at"], name="lexmaria_board_state_idx"),
            models.Index(fields=["purchasing_board", "state"], name="lexmaria_purchasing_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("incidents:lex_maria_detail", args=[self.pk])


class LexMariaStepNotApplicable(models.Model):
    """A step of a case marked not applicable, with the reason (SPEC §5: done or not applicable to close)."""

    case = models.ForeignKey(LexMariaCase, on_delete=models.CASCADE, related_name="not_applicable")
    step = models.CharField(_("step"), max_length=24)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("step not applicable")
        verbose_name_plural = _("steps not applicable")
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="lexmaria_step_na_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step}"


class LexMariaTransition(TransitionRecord):
    """One step of a Lex Maria case: who, when, why."""

    case = models.ForeignKey(LexMariaCase, on_delete=models.CASCADE, related_name="transitions")
    step = models.CharField(_("step"), max_length=24, blank=True)
    from_state = models.CharField(_("from"), max_length=20, choices=LexMariaState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=LexMariaState.choices)

    case_field = "case"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("Lex Maria step")
        verbose_name_plural = _("Lex Maria steps")


class LexMariaReminder(models.Model):
    """That a Lex Maria case was reminded about the deadline of its next step (state and due time), once per kind."""

    case = models.ForeignKey(LexMariaCase, on_delete=models.CASCADE, related_name="reminders")
    state = models.CharField(_("state"), max_length=20, choices=LexMariaState.choices)
    due_at = models.DateTimeField(_("deadline"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("Lex Maria reminder")
        verbose_name_plural = _("Lex Maria reminders")
        constraints = [
            models.UniqueConstraint(fields=["case", "state", "due_at", "kind"], name="lexmaria_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state} {self.kind}"
