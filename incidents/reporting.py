"""Reporting a deviation (SPEC §4): check and save a report, register it, give it its owner, tell whoever routing names.

A submitted report is written once, already registered: reference, deadline, routing on the event
date (:mod:`incidents.routing`) and notifications, without patient data in any text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import references
from core.services import Notice, notify_all
from core.transitions import lock
from core.users import load_logins, logins_of
from incidents import patient, routing
from incidents.models import Deviation, DeviationCategory, DeviationTransition, ReferenceCounter
from incidents.permissions import may_report_for
from incidents.workflow import DeviationTransitionError, Move, StaleDeviationError, State, due_for, stale_message
from responsibility.models import Unit
from responsibility.permissions import register_admin_users


def next_reference(*, municipality_id: int, year: int, prefix: str = "AV") -> str:
    """The next reference of a municipality's ``prefix`` series for ``year`` (AV, LM, KL, SV, …), row-locked."""
    return references.next_reference(ReferenceCounter, municipality_id=municipality_id, prefix=prefix, year=year)


@dataclass
class Report:
    """What a reporter typed (already parsed by the form)."""

    unit: Unit | None
    occurred_at: datetime | None
    discovered_at: datetime | None
    category: DeviationCategory | None
    event_kind: str
    description: str
    immediate_actions: str = ""
    patient_identifier: str = ""
    consequence: int | None = None
    probability: int | None = None
    reported_on_behalf_of: str = ""


def validate_report(
    *, user, report: Report, now: datetime | None = None, reportable: QuerySet[Unit] | None = None
) -> dict[str, list[str]]:
    """Check a report across fields; return errors by field (empty when fine).

    ``reportable`` replaces the units ``user`` may report for (an API client reports for its token's units).
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if report.unit is None:
        add("unit", _("Choose the unit where it happened."))
    elif not (
        may_report_for(user, report.unit) if reportable is None else reportable.filter(pk=report.unit.pk).exists()
    ):
        add("unit", _("You cannot report deviations for this unit."))
    if report.occurred_at is None:
        add("occurred_at", _("Enter when it happened."))
    elif report.occurred_at > now:
        add("occurred_at", _("The event cannot be in the future."))
    if report.discovered_at is None:
        add("discovered_at", _("Enter when it was discovered."))
    elif report.discovered_at > now:
        add("discovered_at", _("The discovery cannot be in the future."))
    if report.occurred_at and report.discovered_at and report.discovered_at < report.occurred_at:
        add("discovered_at", _("It cannot have been discovered before it happened."))
    if report.category is None or (
        report.unit is not None and report.category.municipality_id != report.unit.municipality_id
    ):
        add("category", _("Choose a category."))
    if not (report.description or "").strip():
        add("description", _("Describe what happened."))
    for field in ("consequence", "probability"):
        value = getattr(report, field)
        if value is None or not 1 <= int(value) <= 4:
            add(field, _("Choose a value from 1 to 4."))
    if report.patient_identifier:
        try:
            patient.normalize_personnummer(report.patient_identifier)
        except ValidationError as exc:
            errors.setdefault("patient_identifier", []).extend(exc.messages)
    return errors


def _apply_report(deviation: Deviation, report: Report) -> None:
    deviation.unit = report.unit
    if Unit.municipality.is_cached(report.unit):
        deviation.municipality = report.unit.municipality
    else:
        deviation.municipality_id = report.unit.municipality_id
    deviation.occurred_at = report.occurred_at
    deviation.discovered_at = report.discovered_at
    deviation.category = report.category
    deviation.event_kind = report.event_kind
    deviation.description = report.description.strip()
    deviation.immediate_actions = (report.immediate_actions or "").strip()
    deviation.reported_on_behalf_of = (report.reported_on_behalf_of or "").strip()
    deviation.consequence = int(report.consequence)
    deviation.probability = int(report.probability)
    deviation.risk_score = deviation.consequence * deviation.probability
    if report.patient_identifier:
        deviation.patient_identifier_encrypted = patient.encrypt_identifier(report.patient_identifier)
        deviation.patient_hash = patient.patient_hash(report.patient_identifier)
    else:
        deviation.patient_identifier_encrypted = ""
        deviation.patient_hash = ""


def deviation_save(
    *,
    user,
    report: Report,
    deviation: Deviation | None = None,
    submit: bool,
    version: int | None = None,
    reportable: QuerySet[Unit] | None = None,
    index: routing.RoutingIndex | None = None,
) -> Deviation:
    """Save a new or draft report; with ``submit`` register it (reference, deadline, routing, notifications).

    A submitted report is written once, already in its registered state (one row, one history entry).
    ``index``: a routing index for the event date when the caller registers many reports (bulk import).
    """
    errors = validate_report(user=user, report=report, reportable=reportable)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if deviation is None:
            deviation = Deviation(reporter=user, state=State.DRAFT)
        else:
            deviation = lock(Deviation.objects, deviation.pk)
            if deviation.reporter_id != user.pk:
                raise PermissionDenied(_("Only the reporter may change a draft."))
            if deviation.state != State.DRAFT:
                raise DeviationTransitionError(_("The report has already been submitted and can no longer be edited."))
            if version is not None and deviation.version != version:
                raise StaleDeviationError(stale_message())
            deviation.version += 1
        _apply_report(deviation, report)
        # validate_report checked the unit, the category and every check constraint with its own message; the
        # database enforces the foreign keys and constraints again, so full_clean need not look them up.
        deviation.full_clean(
            exclude=["reference", "reporter", "municipality", "unit", "category"], validate_constraints=False
        )
        route = _register(deviation=deviation, index=index) if submit else None
        deviation.save()
        if route is not None:
            routing.store_unit_managers(deviation=deviation, route=route)
            DeviationTransition.objects.create(
                deviation=deviation,
                from_state=State.DRAFT,
                to_state=State.REGISTERED,
                actor=user,
                reason=str(Move.SUBMIT.label),
            )
            notify_registered(deviation=deviation, route=route)
    return deviation


def _register(*, deviation: Deviation, index: routing.RoutingIndex | None = None) -> routing.Routing:
    """Give an unsaved or draft report its registration (reference, deadline, routing), inside the transaction."""
    now = timezone.now()
    deviation.reported_at = now
    deviation.reference = next_reference(municipality_id=deviation.municipality_id, year=timezone.localdate(now).year)
    deviation.state = State.REGISTERED
    deviation.due_at = due_for(deviation=deviation, state=State.REGISTERED, now=now)
    route = routing.route(deviation, index=index)
    routing.store_routing(deviation=deviation, route=route)
    if route.mas_needed:
        apply_owner(deviation, route.owner)
    return route


def apply_owner(deviation: Deviation, owner: routing.Owner) -> None:
    """Give ``deviation`` to ``owner``: the holder (or her deputy), or the fallback marked "Ansvar oklart"."""
    deviation.mas_person, deviation.mas_role = owner.person, owner.role
    deviation.mas_deputy_for = owner.deputy_for
    deviation.mas_unclear_reason = owner.unclear_reason
    if owner.person is not None and deviation.board_mas_copy_id == owner.person.pk:
        deviation.board_mas_copy = None  # she holds the case itself


def owner_text(deviation: Deviation) -> str:
    """Who holds the assessment, for the history and the sender: "X", "X (som ersättare för Y)" or the fallback."""
    if deviation.mas_person_id is None:
        name = _("the register administrators")
    elif deviation.mas_deputy_for_id:
        name = _("%(person)s (as deputy for %(holder)s)") % {
            "person": deviation.mas_person.full_name,
            "holder": deviation.mas_deputy_for.full_name,
        }
    else:
        name = deviation.mas_person.full_name
    if deviation.mas_unclear_reason:
        return _("The responsible MAS/MAR is unknown; the case went to %(name)s instead. %(reason)s") % {
            "name": name,
            "reason": deviation.mas_unclear_reason,
        }
    return _("Assessed by %(name)s.") % {"name": name}


def owner_users(deviation: Deviation) -> list:
    """Who holds the MAS/MAR assessment: its person, or the register admins where nobody resolved."""
    if deviation.mas_person_id is not None:
        return logins_of([deviation.mas_person])
    if deviation.mas_unclear_reason:
        return register_admin_users(municipality_id=deviation.municipality_id)
    return []


def notice_text(message: str, deviation: Deviation) -> str:
    """``message`` with the deviation's reference and unit (never patient data)."""
    return message % {"reference": deviation.reference, "unit": deviation.unit.name}


def notify_registered(*, deviation: Deviation, route: routing.Routing) -> int:
    """Tell whoever the routing names (one INSERT); texts hold only the reference and the unit, never patient data."""
    link = deviation.get_absolute_url()
    key = f"deviation:{deviation.pk}"
    load_logins([*route.managers, deviation.mas_person if deviation.mas_person_id else None, route.board_mas_copy])
    with translation.override(settings.LANGUAGE_CODE):
        notices = [
            Notice(
                recipients=logins_of(route.managers),
                kind="deviation_registered",
                subject=notice_text(_("New deviation %(reference)s at %(unit)s"), deviation),
                body=notice_text(
                    _("A deviation has been reported at %(unit)s. Open %(reference)s in MAS-portalen."), deviation
                ),
                link=link,
                dedupe_key=f"{key}:registered",
            )
        ]
        if route.mas_needed:
            notices.append(
                Notice(
                    recipients=owner_users(deviation),
                    kind="deviation_to_mas",
                    subject=notice_text(
                        _("Deviation %(reference)s at %(unit)s meets the threshold for MAS/MAR"), deviation
                    ),
                    body=notice_text(
                        _(
                            "A deviation at %(unit)s meets the municipality's threshold for MAS/MAR assessment. "
                            "Open %(reference)s in MAS-portalen."
                        ),
                        deviation,
                    ),
                    link=link,
                    dedupe_key=f"{key}:to_mas_at_registration",
                )
            )
        if route.board_mas_copy is not None:
            notices.append(
                Notice(
                    recipients=logins_of([route.board_mas_copy]),
                    kind="deviation_information_copy",
                    subject=notice_text(_("Information copy: deviation %(reference)s at %(unit)s"), deviation),
                    body=notice_text(
                        _(
                            "The contract says the board's MAS is informed of deviations at %(unit)s. "
                            "The copy holds no patient identity."
                        ),
                        deviation,
                    ),
                    link=link,
                    dedupe_key=f"{key}:information_copy",
                )
            )
        notices.append(
            Notice(
                recipients=reporter_users(deviation),
                kind="deviation_received",
                subject=notice_text(_("Your deviation report %(reference)s has been received"), deviation),
                body=notice_text(
                    _(
                        "Thank you. Your report %(reference)s about %(unit)s has been registered. "
                        "You can follow it under My reports."
                    ),
                    deviation,
                ),
                link=link,
                dedupe_key=f"{key}:received",
            )
        )
    return notify_all(notices=notices, first_time=True)  # registration happens once, in this transaction


def reporter_users(deviation: Deviation) -> list:
    """The reporter, while her login is active."""
    return [deviation.reporter] if deviation.reporter_id and deviation.reporter.is_active else []
