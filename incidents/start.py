"""Start-page items of the deviation workflow for each role."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from core.start import StartItem, StartTable
from incidents.lexmaria.models import LexMariaState
from incidents.lexmaria.selectors import lex_maria_cases_visible_to
from incidents.lexmaria.services import OPEN_STATES as LEX_MARIA_OPEN_STATES
from incidents.models import DeviationState
from incidents.selectors import assessment_queue_for, my_reports, overdue_q, queue_for
from responsibility.choices import Role
from responsibility.permissions import user_roles

LATEST_REPORTS = 5


def _queue_url(state: str = "") -> str:
    return reverse("incidents:lex_maria_queue") + (f"?state={state}" if state else "")


def _counts(queue) -> dict[str, int]:
    """How many deviations, and how many of them overdue, in one query."""
    return queue.order_by().aggregate(count=Count("pk"), overdue=Count("pk", filter=overdue_q()))


def _lex_maria_by_step(user) -> list[StartItem]:
    """Open Lex Maria cases the user may see, per step, with the nearest deadline: one query."""
    rows = (
        lex_maria_cases_visible_to(user=user)
        .filter(state__in=LEX_MARIA_OPEN_STATES)
        .values("state")
        .annotate(n=Count("pk"), next_due=Min("due_at"), late=Count("pk", filter=Q(due_at__lt=timezone.now())))
        .order_by()
    )
    by_state = {r["state"]: r for r in rows}
    items = []
    for state in LEX_MARIA_OPEN_STATES:
        row = by_state.get(state)
        if row is None:
            continue
        detail = ""
        if row["next_due"] is not None:
            detail = _("next deadline %(date)s") % {
                "date": formats.date_format(timezone.localtime(row["next_due"]), "Y-m-d")
            }
        items.append(
            StartItem(
                _("Lex Maria: %(step)s") % {"step": LexMariaState(state).label},
                _queue_url(state),
                count=row["n"],
                overdue=row["late"] or None,
                detail=detail,
            )
        )
    if not items:
        items.append(StartItem(_("Open Lex Maria cases"), _queue_url(), count=0))
    return items


def _board_lex_maria(user) -> list[StartItem]:
    """The board's Lex Maria cases: open, overdue, closed this year (one query)."""
    now = timezone.now()
    year_start = datetime(timezone.localdate().year, 1, 1, tzinfo=timezone.get_current_timezone())
    figures = lex_maria_cases_visible_to(user=user).aggregate(
        open=Count("pk", filter=Q(state__in=LEX_MARIA_OPEN_STATES)),
        overdue=Count("pk", filter=Q(state__in=LEX_MARIA_OPEN_STATES, due_at__lt=now)),
        closed=Count("pk", filter=Q(state=LexMariaState.CLOSED, closed_at__gte=year_start)),
    )
    return [
        StartItem(
            _("The board's Lex Maria queue: open cases"),
            _queue_url(),
            count=figures["open"],
            overdue=figures["overdue"] or None,
        ),
        StartItem(_("Lex Maria cases past their deadline"), _queue_url(), count=figures["overdue"]),
        StartItem(_("Lex Maria cases closed this year"), _queue_url(LexMariaState.CLOSED), count=figures["closed"]),
    ]


def _latest_reports(user) -> StartItem:
    rows = []
    for d in my_reports(user=user).only(
        "pk",
        "reference",
        "state",
        "created_at",
        "feedback_to_reporter",
        "rejection_reason",
        "description",
        "unit__name",
        "category__name",
    )[:LATEST_REPORTS]:
        feedback = d.feedback_to_reporter or d.rejection_reason
        label = str(d) if d.reference else _("Draft: %(start)s") % {"start": d.description[:40] or "…"}
        url = (
            reverse("incidents:deviation_edit", args=[d.pk])
            if d.state == DeviationState.DRAFT
            else reverse("incidents:deviation_detail", args=[d.pk])
        )
        rows.append(
            (
                url,
                [
                    label,
                    formats.date_format(timezone.localtime(d.created_at), "Y-m-d"),
                    d.get_state_display(),
                    (feedback[:140] if feedback else _("Not yet")),
                ],
            )
        )
    table = StartTable(
        _("Your latest reports, their state and the feedback you got"),
        [_("Reference"), _("Reported"), _("State"), _("Feedback")],
        rows,
    )
    return StartItem(_("Your latest reports"), reverse("incidents:my_reports"), table=table)


def sections_for(*, user, role: str) -> list[StartItem]:
    items: list[StartItem] = []
    if role == Role.REPORTER:
        items.append(StartItem(_("Report a deviation"), reverse("incidents:deviation_create")))
        mine = my_reports(user=user)
        items.append(StartItem(_("My reports"), reverse("incidents:my_reports"), count=mine.count()))
        items.append(_latest_reports(user))
    if role in (Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER):
        queue = queue_for(user=user).filter(state__in=(DeviationState.REGISTERED, DeviationState.INVESTIGATING))
        items.append(
            StartItem(
                _("Deviations to investigate"),
                reverse("incidents:deviation_list") + "?state=investigating",
                **_counts(queue),
            )
        )
    if role in (Role.MAS, Role.MAR):
        items.append(
            StartItem(
                _("Deviations to assess"),
                reverse("incidents:assessment_queue"),
                **_counts(assessment_queue_for(user=user)),
            )
        )
        if Role.LEX_MARIA_REPORTER not in user_roles(user):  # else shown once, in that role's section
            items.extend(_lex_maria_by_step(user))
        items.append(StartItem(_("Access log review"), reverse("incidents:access_log")))
    if role == Role.LEX_MARIA_REPORTER:
        items.extend(_lex_maria_by_step(user))
    if role == Role.BOARD_OFFICIAL:
        items.extend(_board_lex_maria(user))
    return items
