"""Who and what the bench measures, and where its report POSTs go.

The pages are measured for the largest board of the largest generated municipality, its busiest unit in egen
regi and the people there. Every report the bench posts (in process, in the load run and in the soak) goes to a
unit of another municipality (or, with one municipality, another board), so no measured page grows while it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class Subjects:
    municipality: object
    board: object
    unit: object
    unit_manager: object
    mas: object
    official: object
    deviation: object | None
    category: object | None  # the commonest category in the MAS's assessment queue (the list's filter)
    post_unit: object  # where reports are posted
    poster: object  # the reporter who posts them
    today: date
    counts: dict


def find_subjects() -> Subjects:
    from django.db.models import Count
    from django.utils import timezone

    from incidents.lexmaria.models import LexMariaCase
    from incidents.models import Deviation
    from responsibility.choices import AssignmentKind, Role
    from responsibility.models import Assignment, Board, Municipality, Unit

    today = timezone.localdate()
    generated = Municipality.objects.filter(code__startswith="vol-").annotate(n=Count("units")).order_by("-n", "code")
    municipality = generated.first()
    if municipality is None:
        raise SystemExit("No generated municipality (vol-NNN) in the bench database: run without --skip-generate.")
    board = _largest_board(Board.objects.filter(municipality=municipality))
    unit = _busiest_own_unit(Unit.objects.filter(board=board))
    active = Assignment.active_q(today)

    def user_of(role, **scope):
        a = (
            Assignment.objects.filter(active, role=role, person__user__isnull=False, deputy_for__isnull=True, **scope)
            .select_related("person__user")
            .order_by("pk")
            .first()
        )
        return a.person.user if a else None

    # A deviation with patient data under investigation: opening it writes an access-log row.
    deviation = (
        Deviation.objects.filter(unit=unit, state__in=["actions", "closed"])
        .exclude(patient_hash="")
        .order_by("-pk")
        .first()
        or Deviation.objects.filter(unit=unit).exclude(state="draft").order_by("-pk").first()
    )
    mas = user_of(Role.MAS, region=board.region_id)
    category = (
        Deviation.objects.filter(mas_person__user=mas, state="awaiting_mas_assessment")
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")
        .first()
    )
    other = generated.exclude(pk=municipality.pk).first()
    if other is not None:
        post_unit = _busiest_own_unit(
            Unit.objects.filter(board=_largest_board(Board.objects.filter(municipality=other)))
        )
    else:
        others = Board.objects.filter(municipality=municipality).exclude(pk=board.pk)
        post_board = _largest_board(others) if others.exists() else board
        post_unit = _busiest_own_unit(Unit.objects.filter(board=post_board).exclude(pk=unit.pk))
    counts = {
        "municipalities": Municipality.objects.count(),
        "units": Unit.objects.count(),
        "deviations": Deviation.objects.count(),
        "lex_maria_cases": LexMariaCase.objects.count(),
        "assignments": Assignment.objects.count(),
        "board_units": Unit.objects.filter(board=board).count(),
        "board_deviations_last_year": Deviation.objects.filter(
            unit__board=board, occurred_at__year=today.year - 1
        ).count(),
    }
    from django.apps import apps

    counts["follow_ups"] = apps.get_model("followup", "FollowUp").objects.count()
    counts["access_log"] = apps.get_model("incidents", "PatientDataAccess").objects.count()
    counts["notifications"] = apps.get_model("core", "Notification").objects.count()
    from incidents.models import DeviationCategory

    return Subjects(
        municipality=municipality,
        board=board,
        unit=unit,
        unit_manager=user_of(Role.UNIT_MANAGER, unit=unit, kind=AssignmentKind.FOLLOW_UP),
        mas=mas,
        official=user_of(Role.BOARD_OFFICIAL, board=board),
        deviation=deviation,
        category=DeviationCategory.objects.get(pk=category["category"]) if category else None,
        post_unit=post_unit,
        poster=_reporter_of(post_unit, today=today),
        today=today,
        counts=counts,
    )


def _largest_board(boards):
    from django.db.models import Count

    return boards.annotate(n=Count("units")).order_by("-n", "code").first()


def _busiest_own_unit(units):
    """The unit with the most deviations, preferring egen regi (its deviations go to the region's MAS)."""
    from django.db.models import Count

    units = units.annotate(n=Count("deviations")).order_by("-n", "code")
    return units.filter(operating_form="own").first() or units.first()


def _reporter_of(unit, *, today: date):
    from responsibility.choices import Role
    from responsibility.models import Assignment

    assignment = (
        Assignment.objects.filter(
            Assignment.active_q(today),
            role=Role.REPORTER,
            unit=unit,
            person__user__isnull=False,
            person__title="Undersköterska",
        )
        .select_related("person__user")
        .order_by("pk")
        .first()
    )
    if assignment is None:
        raise SystemExit(f"No reporter with a login on unit {unit.code}: the bench cannot post reports.")
    return assignment.person.user


def first_url(candidates: list[tuple[str, list, str]]) -> str | None:
    """The first of (url name, args, query) that exists, as a path."""
    from django.urls import NoReverseMatch, reverse

    for name, args, query in candidates:
        try:
            return reverse(name, args=args) + (f"?{query}" if query else "")
        except NoReverseMatch:
            continue
    return None


def report_overrides(html: str, s: Subjects) -> dict:
    """Values the generic form filler cannot guess: the unit the reports go to, a low risk, a patient."""
    from bench.volume_data import personnummer

    overrides = {}
    for name, value in (
        ("unit", str(s.post_unit.pk)),
        ("consequence", "1"),
        ("probability", "2"),
        ("patient_identifier", personnummer(4711)),
        ("reported_on_behalf_of", ""),
    ):
        if f'name="{name}"' in html:
            overrides[name] = value
    return overrides


def report_form_data(html: str, s: Subjects) -> dict[str, str]:
    """The report form on ``html`` filled in for the poster's unit."""
    from bench.web import fill_form

    return fill_form(html, today=s.today, overrides=report_overrides(html, s))
