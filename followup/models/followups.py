"""Follow-up plans, follow-ups and their checklist answers (SPEC §6)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TransitionRecord
from followup.choices import (
    FOLLOWUP_OPEN_STATES,
    AnswerStatus,
    DutyArea,
    FollowUpKind,
    FollowUpState,
    FollowUpTrigger,
    PlanScope,
)
from followup.models.checklists import ChecklistTemplate, ChecklistTemplateItem
from followup.models.storage import private_storage


class FollowUpPlan(models.Model):
    """Recurring follow-up of a contract's units, one unit or all units of a board.

    Each covered unit is due every ``interval_months`` from ``starts_on``; with
    ``spread_units`` the units' first dates are spread over the interval, so
    that "every unit within three years" is ``interval_months=36, spread_units=True``.
    """

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=FollowUpKind.choices, default=FollowUpKind.CONTRACT_REVIEW
    )
    scope = models.CharField(_("covers"), max_length=10, choices=PlanScope.choices)
    contract = models.ForeignKey(
        "responsibility.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_plans",
        verbose_name=_("contract"),
    )
    unit = models.ForeignKey(
        "responsibility.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_plans",
        verbose_name=_("unit"),
    )
    board = models.ForeignKey(
        "responsibility.Board",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_plans",
        verbose_name=_("board"),
    )
    checklist_template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="plans", verbose_name=_("checklist template")
    )
    interval_months = models.PositiveSmallIntegerField(
        _("every N months"), default=12, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    spread_units = models.BooleanField(
        _("spread the units over the interval"),
        default=False,
        help_text=_("For example every unit within three years: 36 months, spread."),
    )
    starts_on = models.DateField(_("first date"))
    ends_on = models.DateField(_("last date"), null=True, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("create the follow-up this many days before its date"), default=30)
    auditor = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auditor"),
        help_text=_("A person with an active quality auditor assignment."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=PlanScope.CONTRACT, contract__isnull=False, unit__isnull=True, board__isnull=True)
                    | Q(scope=PlanScope.UNIT, contract__isnull=True, unit__isnull=False, board__isnull=True)
                    | Q(scope=PlanScope.BOARD, contract__isnull=True, unit__isnull=True, board__isnull=False)
                ),
                name="plan_exactly_one_scope",
                violation_error_message=_("A plan covers exactly one contract, one unit or one board."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="plan_period_valid",
                violation_error_message=_("The last date cannot be before the first date."),
            ),
            models.CheckConstraint(
                condition=Q(interval_months__gte=1, interval_months__lte=120), name="plan_interval_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followup:plan_list") + f"#plan-{self.pk}"


class FollowUp(models.Model):
    """One follow-up (avtalsuppföljning, tillsyn, egenkontroll, journalgranskning) of a unit and/or a contract."""

    municipality = models.ForeignKey("responsibility.Municipality", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    trigger = models.CharField(_("trigger"), max_length=16, choices=FollowUpTrigger.choices)
    trigger_reference = models.CharField(
        _("reference of the trigger"),
        max_length=120,
        blank=True,
        help_text=_("For example the deviation's reference or the board's decision. No patient data."),
    )
    plan = models.ForeignKey(
        FollowUpPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="followups", verbose_name=_("plan")
    )
    period_start = models.DateField(
        _("scheduled period"), null=True, blank=True, help_text=_("Set for planned follow-ups: the occurrence's date.")
    )
    unit = models.ForeignKey(
        "responsibility.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("unit"),
    )
    contract = models.ForeignKey(
        "responsibility.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("contract"),
    )
    board = models.ForeignKey(
        "responsibility.Board",
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("board"),
        help_text=_("The unit's board, or the contract's managing board."),
    )
    checklist_template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="followups", verbose_name=_("checklist template")
    )
    scheduled_date = models.DateField(_("scheduled date"))
    auditor = models.ForeignKey(
        "responsibility.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audited_followups",
        verbose_name=_("auditor"),
    )
    state = models.CharField(_("state"), max_length=12, choices=FollowUpState.choices, default=FollowUpState.PLANNED)
    summary = models.TextField(_("summary"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["scheduled_date", "id"]
        constraints = [
            # The scheduler creates each occurrence of a plan exactly once.
            models.UniqueConstraint(
                fields=["plan", "unit", "period_start"],
                condition=Q(plan__isnull=False, unit__isnull=False),
                name="followup_plan_unit_period_unique",
            ),
            models.UniqueConstraint(
                fields=["plan", "period_start"],
                condition=Q(plan__isnull=False, unit__isnull=True),
                name="followup_plan_period_unique",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(contract__isnull=False),
                name="followup_unit_or_contract",
                violation_error_message=_("A follow-up concerns a unit, a contract or both."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(trigger=FollowUpTrigger.PLAN, plan__isnull=False, period_start__isnull=False)
                    | (~Q(trigger=FollowUpTrigger.PLAN) & Q(plan__isnull=True))
                ),
                name="followup_plan_iff_planned",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "scheduled_date"], name="followup_state_date_idx"),
            models.Index(fields=["board", "state"], name="followup_board_state_idx"),
            models.Index(fields=["auditor", "state"], name="followup_auditor_idx"),
        ]

    def __str__(self) -> str:
        target = self.unit or self.contract
        return f"{self.get_kind_display()} – {target} – {self.scheduled_date}"

    def get_absolute_url(self) -> str:
        return reverse("followup:followup_detail", args=[self.pk])

    def is_overdue_on(self, on: date) -> bool:
        return self.state in FOLLOWUP_OPEN_STATES and self.scheduled_date < on


class FollowUpTransition(TransitionRecord):
    """One move of a follow-up between states: who (none for a job), when, why."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=16, choices=FollowUpState.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=FollowUpState.choices)

    case_field = "follow_up"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("follow-up transition")
        verbose_name_plural = _("follow-up transitions")


def answer_attachment_path(instance, filename: str) -> str:
    return f"followup/{instance.follow_up_id}/{instance.attachment_token}"


class ChecklistAnswer(models.Model):
    """The answer to one checklist item in one follow-up; the question is copied so later edits keep history."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="answers")
    template_item = models.ForeignKey(
        ChecklistTemplateItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("checklist item")
    )
    area = models.CharField(_("duty area"), max_length=24, choices=DutyArea.choices)
    question = models.TextField(_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(_("assessment"), max_length=16, choices=AnswerStatus.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to=answer_attachment_path, storage=private_storage, blank=True, max_length=200
    )
    attachment_token = models.CharField(max_length=40, blank=True, editable=False)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_content_type = models.CharField(_("file type"), max_length=100, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["follow_up", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "template_item"], name="answer_once_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.get_status_display() or '—'}"
