"""Writes of follow-up (SPEC §6): plans, follow-ups, checklists, findings, reminders.

Each state change is one service through the one transition helper (:data:`FOLLOWUPS`): lock the
row, check the move against the table, return early when already there, save with ``update_fields``.
A plan's occurrences and the follow-ups they create are :mod:`followup.plans`, corrective actions
:mod:`followup.actions`, delegations :mod:`followup.delegations`, routines :mod:`followup.routines`,
contracts :mod:`followup.contracts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.transitions import Machine, Transition, lock, transition_row
from core.uploads import clean_filename
from core.users import active_users
from followup.choices import (
    FollowUpMove,
    FollowUpState,
    FollowUpTrigger,
    PlanScope,
)
from followup.models import (
    ChecklistAnswer,
    ChecklistTemplate,
    Finding,
    FollowUp,
    FollowUpPlan,
    FollowUpTransition,
    Reminder,
    new_token,
)
from followup.permissions import (
    can_create_followup,
    can_manage_plans,
    can_perform,
    is_auditor_for,
)
from responsibility.models import Contract, Municipality, Person, Unit
from responsibility.tenancy import person_of, require_same_municipality

# --- helpers ------------------------------------------------------------------


# The one table of follow-up moves (SPEC §6): planned → in progress (checklist laid out) → completed.
FOLLOWUP_TRANSITIONS: dict[str, Transition] = {
    FollowUpMove.START: Transition((FollowUpState.PLANNED,), FollowUpState.IN_PROGRESS, ("performer",)),
    FollowUpMove.COMPLETE: Transition((FollowUpState.IN_PROGRESS,), FollowUpState.COMPLETED, ("performer",)),
}

FOLLOWUPS = Machine(
    model=FollowUp,
    table=FOLLOWUP_TRANSITIONS,
    state_labels=FollowUpState,
    move_labels=FollowUpMove,
    kinds=lambda *, user, obj: frozenset({"performer"}) if can_perform(user, obj) else frozenset(),
    versioned=False,
    touch=(),
    refused=lambda move, state: _("This follow-up is already completed."),
    denied=lambda: _("You may not perform this follow-up."),
    record=transition_row(FollowUpTransition, "follow_up"),
)


def default_template_ensure() -> ChecklistTemplate:
    """The default checklist of the MAS duty areas, created if missing (e.g. after a test flush)."""
    from followup.constants import (
        DEFAULT_TEMPLATE_CODE,
        DEFAULT_TEMPLATE_DESCRIPTION,
        DEFAULT_TEMPLATE_ITEMS,
        DEFAULT_TEMPLATE_NAME,
    )
    from followup.models import ChecklistTemplateItem

    template, _created = ChecklistTemplate.objects.get_or_create(
        code=DEFAULT_TEMPLATE_CODE,
        defaults={"name": DEFAULT_TEMPLATE_NAME, "description": DEFAULT_TEMPLATE_DESCRIPTION},
    )
    for order, (code, area, question, basis) in enumerate(DEFAULT_TEMPLATE_ITEMS, start=1):
        ChecklistTemplateItem.objects.get_or_create(
            template=template,
            code=code,
            defaults={"area": area, "question": question, "legal_basis": basis, "order": order * 10},
        )
    return template


# --- plans ---------------------------------------------------------------------------


def plan_save(*, plan: FollowUpPlan, actor) -> FollowUpPlan:
    """Validate and save a follow-up plan: one scope, and an auditor who holds the role."""
    if not can_manage_plans(actor):
        raise PermissionDenied
    errors = {}
    if plan.auditor_id and plan.auditor is not None:
        unit = plan.unit if plan.scope == PlanScope.UNIT else None
        board_id = (
            plan.board_id
            if plan.scope == PlanScope.BOARD
            else (plan.contract.managing_board_id if plan.contract_id else None)
        )
        if not is_auditor_for(person=plan.auditor, unit=unit, board_id=board_id, on=plan.starts_on):
            errors["auditor"] = _("The auditor must hold an active quality auditor assignment covering the plan.")
    if (
        plan.scope == PlanScope.CONTRACT
        and plan.contract_id
        and plan.contract.valid_to
        and (plan.starts_on > plan.contract.valid_to)
    ):
        errors["starts_on"] = _("The plan starts after the contract has ended.")
    if errors:
        raise ValidationError(errors)
    if plan.created_by_id is None and actor is not None and actor.is_authenticated:
        plan.created_by = actor
    plan.full_clean()
    plan.save()
    return plan


# --- follow-ups ---------------------------------------------------------------------------


def followup_create(
    *,
    actor,
    municipality: Municipality,
    kind: str,
    trigger: str,
    scheduled_date: date,
    unit: Unit | None = None,
    contract: Contract | None = None,
    auditor: Person | None = None,
    checklist_template: ChecklistTemplate | None = None,
    trigger_reference: str = "",
) -> FollowUp:
    """Create an ad-hoc follow-up (incident, board request, the unit's own request)."""
    if not can_create_followup(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if trigger == FollowUpTrigger.PLAN:
        errors["trigger"] = _("Planned follow-ups are created from their plan.")
    if unit is None and contract is None:
        errors["unit"] = _("Choose a unit, a contract or both.")
    if contract is not None and not contract.is_active_on(scheduled_date):
        errors["scheduled_date"] = _("The date is outside the contract period (%(start)s – %(end)s).") % {
            "start": contract.valid_from.isoformat(),
            "end": contract.valid_to.isoformat() if contract.valid_to else "…",
        }
    if contract is not None and unit is not None and not contract.units.filter(pk=unit.pk).exists():
        errors["unit"] = _("The unit is not covered by the contract.")
    board_id = unit.board_id if unit is not None else (contract.managing_board_id if contract else None)
    if auditor is not None and not is_auditor_for(person=auditor, unit=unit, board_id=board_id, on=scheduled_date):
        errors["auditor"] = _("The auditor must hold an active quality auditor assignment covering the unit.")
    try:
        require_same_municipality(
            municipality, unit=unit, contract=contract, auditor=auditor, checklist_template=checklist_template
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    template = checklist_template or (
        ChecklistTemplate.objects.filter(active=True)
        .filter(Q(municipality=municipality) | Q(municipality__isnull=True))
        .order_by("id")
        .first()
    )
    if template is None:
        errors["checklist_template"] = _("There is no active checklist template.")
    if errors:
        raise ValidationError(errors)
    follow_up = FollowUp(
        municipality=municipality,
        kind=kind,
        trigger=trigger,
        trigger_reference=trigger_reference,
        unit=unit,
        contract=contract,
        board_id=board_id,
        checklist_template=template,
        scheduled_date=scheduled_date,
        auditor=auditor,
        created_by=actor,
    )
    follow_up.full_clean()
    follow_up.save()
    return follow_up


def followup_start(*, follow_up: FollowUp, actor) -> FollowUp:
    """Move a planned follow-up to in progress and lay out its checklist; harmless when already started."""

    def apply(f: FollowUp) -> list[str]:
        f.started_at = timezone.now()
        if f.auditor_id is None:
            f.auditor = person_of(actor)
        return ["started_at", "auditor"]

    with transaction.atomic():
        follow_up = FOLLOWUPS.move(follow_up, move=FollowUpMove.START, actor=actor, apply=apply)
        items = follow_up.checklist_template.items.filter(active=True).order_by("order", "id")
        have = set(follow_up.answers.values_list("template_item_id", flat=True))
        ChecklistAnswer.objects.bulk_create(
            [
                ChecklistAnswer(
                    follow_up=follow_up, template_item=item, area=item.area, question=item.question, order=item.order
                )
                for item in items
                if item.pk not in have
            ],
            ignore_conflicts=True,
        )
    return follow_up


@dataclass
class AnswerInput:
    status: str = ""
    comment: str = ""
    attachment: object | None = None


def followup_save_checklist(
    *,
    follow_up: FollowUp,
    actor,
    answers: dict[int, AnswerInput],
    summary: str | None = None,
    submit: bool = False,
) -> list[ChecklistAnswer]:
    """Save the checklist; with ``submit`` complete it when every item is answered.

    Returns the answers still missing. A half-filled checklist is saved as a
    draft (nothing is lost) and stays in progress.
    """
    if not can_perform(actor, follow_up):
        raise PermissionDenied
    texts = [summary or "", *(a.comment for a in answers.values())]
    if any("\x00" in text for text in texts):
        # Null characters cannot be stored (PostgreSQL refuses them) and never come from a real keyboard.
        raise ValidationError(_("The text contains characters that cannot be saved. Nothing was saved."))
    now = timezone.now()
    with transaction.atomic():
        follow_up = lock(FollowUp.objects, follow_up.pk)
        if follow_up.state == FollowUpState.COMPLETED:
            raise ValidationError(_("This follow-up is already completed."))
        if follow_up.state == FollowUpState.PLANNED:
            follow_up = followup_start(follow_up=follow_up, actor=actor)
        current = {a.pk: a for a in follow_up.answers.all()}
        for answer_id, data in answers.items():
            answer = current.get(answer_id)
            if answer is None:
                continue
            fields = []
            if data.status != answer.status or data.comment != answer.comment:
                answer.status, answer.comment = data.status, data.comment
                fields += ["status", "comment"]
            if data.attachment is not None:
                answer.attachment_token = new_token()
                answer.attachment_name = clean_filename(getattr(data.attachment, "name", ""))
                answer.attachment_content_type = getattr(data.attachment, "content_type", "")[:100] or ""
                answer.attachment.save(answer.attachment_token, data.attachment, save=False)
                fields += ["attachment", "attachment_token", "attachment_name", "attachment_content_type"]
            if fields:
                answer.answered_by, answer.answered_at = actor, now
                answer.save(update_fields=[*fields, "answered_by", "answered_at"])
        if summary is not None and summary != follow_up.summary:
            follow_up.summary = summary
            follow_up.save(update_fields=["summary"])
        missing = [a for a in sorted(current.values(), key=lambda a: (a.order, a.pk)) if not a.status]
        if submit and not missing:

            def complete(f: FollowUp) -> list[str]:
                f.completed_at, f.completed_by = now, actor
                return ["completed_at", "completed_by"]

            follow_up = FOLLOWUPS.move(follow_up, move=FollowUpMove.COMPLETE, actor=actor, apply=complete)
    return missing


def finding_create(
    *,
    follow_up: FollowUp,
    actor,
    description: str,
    area: str = "",
    severity: str = "",
    answer: ChecklistAnswer | None = None,
) -> Finding:
    """Record a finding in a follow-up being performed."""
    if not can_perform(actor, follow_up):
        raise PermissionDenied
    if follow_up.state == FollowUpState.CANCELLED:
        raise ValidationError(_("This follow-up is cancelled."))
    if answer is not None and answer.follow_up_id != follow_up.pk:
        raise ValidationError({"answer": _("The checklist item belongs to another follow-up.")})
    finding = Finding(follow_up=follow_up, description=description.strip(), created_by=actor, answer=answer)
    if area:
        finding.area = area
    elif answer is not None:
        finding.area = answer.area
    if severity:
        finding.severity = severity
    if not finding.description:
        raise ValidationError({"description": _("Describe the finding.")})
    finding.full_clean()
    finding.save()
    return finding


# --- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderItem:
    """One reminder to record and send: about which object and deadline, to whom, with which text."""

    kind: str
    object_id: int
    due_date: date
    recipients: Iterable
    subject: str
    body: str = ""
    link: str = ""


def reminders_send(*, items: Iterable[ReminderItem], on: date) -> int:
    """Record and send reminders once per (kind, object, due date, recipient), all in two INSERTs.

    The Reminder rows and the notifications are written with ``ignore_conflicts`` (unique constraints), so
    a second run or a concurrent worker writes nothing twice. Returns how many notifications were new.
    """
    from core.services import Notice, notify_all

    rows, notices = [], []
    for item in items:
        users = active_users(item.recipients)
        if not users:
            continue
        rows += [
            Reminder(kind=item.kind, object_id=item.object_id, due_date=item.due_date, recipient=u, sent_on=on)
            for u in users
        ]
        notices.append(
            Notice(
                recipients=users,
                kind=item.kind,
                subject=item.subject,
                body=item.body,
                link=item.link,
                dedupe_key=f"{item.kind}:{item.object_id}:{item.due_date.isoformat()}",
            )
        )
    if not rows:
        return 0
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return notify_all(notices=notices)


def reminder_send(
    *,
    kind: str,
    object_id: int,
    due_date: date,
    recipients: Iterable,
    on: date,
    subject: str,
    body: str = "",
    link: str = "",
) -> int:
    """:func:`reminders_send` for one reminder; return how many notifications were new."""
    return reminders_send(
        items=[
            ReminderItem(
                kind=kind,
                object_id=object_id,
                due_date=due_date,
                recipients=recipients,
                subject=subject,
                body=body,
                link=link,
            )
        ],
        on=on,
    )
