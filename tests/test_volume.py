"""generate_volume: requested counts, determinism for a seed, municipalities that coexist."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from bench.volume import VolumeSpec, plan_municipality
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState, ReferenceCounter
from responsibility.models import Municipality, Unit

pytestmark = pytest.mark.django_db

SMALL = {"boards": 2, "units_per_board": 3, "today": "2026-11-01", "years": 2, "no_progress": True}


def generate(**options) -> str:
    out = StringIO()
    call_command("generate_volume", stdout=out, stderr=StringIO(), **{**SMALL, **options})
    return out.getvalue()


def snapshot(codes: list[str]) -> dict:
    deviations = Deviation.objects.filter(municipality__code__in=codes).order_by("municipality__code", "reference")
    first = list(
        deviations.values_list(
            "municipality__code",
            "reference",
            "unit__code",
            "state",
            "occurred_at",
            "reported_at",
            "category__code",
            "consequence",
            "probability",
            "risk_score",
            "reporter__username",
            "investigator__username",
            "assessor__username",
            "due_at",
            "closed_at",
            "created_at",
        )[:25]
    )
    cases = list(
        LexMariaCase.objects.filter(board__municipality__code__in=codes)
        .order_by("reference")
        .values_list("reference", "route", "state", "reporter_person__email", "board_mas__email", "decided_at")
    )
    return {
        "deviations": deviations.count(),
        "states": sorted(deviations.values_list("state", flat=True).distinct()),
        "units": Unit.objects.filter(municipality__code__in=codes).count(),
        "first": first,
        "cases": cases,
    }


def test_requested_counts():
    """Two municipalities with the requested deviations in total, the planned units, and a realistic skew."""
    stockholm_units = Unit.objects.filter(municipality__code="stockholm").count()
    output = generate(municipalities=2, deviations=400, seed=7)

    assert "Created 2 municipalities (vol-001, vol-002)" in output
    assert Municipality.objects.filter(code__startswith="vol-").count() == 2
    assert Deviation.objects.filter(municipality__code__startswith="vol-").count() == 400
    spec = VolumeSpec(seed=7, boards=2, units_per_board=3)
    planned = sum(len(plan_municipality(spec=spec, number=n).units) for n in (1, 2))
    assert Unit.objects.filter(municipality__code__startswith="vol-").count() == planned
    closed = Deviation.objects.filter(municipality__code__startswith="vol-", state=DeviationState.CLOSED).count()
    assert closed > 400 * 0.7  # most deviations are closed
    # The counters continue after the generated references, so a new report does not collide.
    counter = ReferenceCounter.objects.get(municipality__code="vol-001", prefix="AV", year=2026)
    assert Deviation.objects.filter(municipality__code="vol-001", reference=f"AV-2026-{counter.last:06d}").exists()
    assert Unit.objects.filter(municipality__code="stockholm").count() == stockholm_units


def test_same_seed_same_rows():
    """The same arguments give the same counts and the same first rows; another seed does not."""

    class Rollback(Exception):
        pass

    snapshots = []
    for seed in (3, 3, 4):
        try:
            with transaction.atomic():
                generate(municipalities=1, deviations=250, seed=seed)
                snapshots.append(snapshot(["vol-001"]))
                raise Rollback
        except Rollback:
            pass

    assert snapshots[0]["deviations"] == 250
    assert snapshots[0] == snapshots[1]
    assert snapshots[0]["first"] != snapshots[2]["first"]


def test_second_municipality_does_not_collide():
    """A second run adds vol-002 beside vol-001 (logins, codes, references apart); rerunning vol-001 skips it."""
    generate(municipalities=1, deviations=120, seed=1)
    generate(municipalities=1, deviations=80, seed=1, first=2)
    again = generate(municipalities=1, deviations=120, seed=1)

    assert "vol-001: exists, skipped" in again
    assert Deviation.objects.filter(municipality__code="vol-001").count() == 120
    assert Deviation.objects.filter(municipality__code="vol-002").count() == 80
    users = get_user_model().objects.filter(username__startswith="vol-")
    assert users.filter(username__startswith="vol-001-").exists()
    assert users.filter(username__startswith="vol-002-").exists()
    # Both municipalities number their deviations from 1: references are unique per municipality.
    assert Deviation.objects.filter(reference__endswith="-000001", municipality__code__startswith="vol-").count() >= 2
