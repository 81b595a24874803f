"""Follow-up plans and follow-ups, findings and actions, delegations and routines (SPEC §6).

Contracts themselves live in :mod:`responsibility.models`; this app registers
them through its own views and follows them up.
"""

from __future__ import annotations

import os
import secrets
from datetime import date

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import ActiveOnQuerySet, ValidityPeriod
from followup.choices import (
    FOLLOWUP_OPEN_STATES,
    ActionState,
    AnswerStatus,
    DutyArea,
    FindingSeverity,
    FollowUpKind,
    FollowUpState,
    FollowUpTrigger,
    PlanScope,
    ReminderKind,
    RoutineLevel,
    RoutineScope,
)


class PrivateStorage(FileSystemStorage):
    """Files under ``settings.PRIVATE_FILES_ROOT`` (read when used, not at import); never served directly."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_FILES_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage() -> FileSystemStorage:
    """Files outside the web root; served only by a view that checks permission."""
    return PrivateStorage(base_url=None)


def new_token() -> str:
    return secrets.token_urlsafe(24)


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
