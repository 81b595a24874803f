"""Tenancy on the volume data: 34 municipalities, each with its own boards, units, providers,
people, deviations, Lex Maria cases and follow-ups (the benchmark's generator, small), beside
the demo municipality.

For the first and the last municipality, the MAS, the board official and the register admin
open every page of the URLconf that takes no parameter (lists, queues, exports, search, reports,
start page); for every municipality the MAS opens the start page (dashboard) and searches. No
page may show a unit code, an e-mail address or a reference of another municipality, and each
must show some of its own. The scheduled jobs then run once for all of them: nobody is told
about another municipality's
cases. (tests/test_tenancy.py covers each app's views, commands and jobs against one other
municipality object by object.)
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.crawl.cases import url_patterns

pytestmark = pytest.mark.django_db

MUNICIPALITIES = 34
SAMPLED = (1, 34)
SPAN = 10_000  # municipality n's references are moved to n·10,000 + their number (see _renumber)
# Unit, board and region codes of generated municipality n start with vNNN-; their people's
# e-mail addresses end in @vol-NNN.volym.example; references carry n in the ten-thousands.
CODE_RE = re.compile(r"\bv(\d{3})-[rb]\d")
EMAIL_RE = re.compile(r"@vol-(\d{3})\.volym\.example")
REFERENCE_RE = re.compile(r"\b(?:AV|LM|KL|SV)-\d{4}-\d{6}\b")
DAILY = ("home", "search")  # the dashboard and the global search: the pages that gather across everything


def _renumber(number: int) -> None:
    from incidents.models import Deviation, LexMariaCase

    code = f"vol-{number:03d}"
    for model, where in (
        (Deviation, {"municipality__code": code}),
        (LexMariaCase, {"deviation__municipality__code": code}),
    ):
        for pk, reference in model.objects.filter(**where).exclude(reference="").values_list("pk", "reference"):
            prefix, year, serial = reference.split("-")
            model.objects.filter(pk=pk).update(reference=f"{prefix}-{year}-{number * SPAN + int(serial):06d}")


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker):
    """The 34 municipalities, generated once for this module inside a transaction rolled back at its end
    (each test runs in a savepoint within it)."""
    from django.db import transaction

    from bench.volume import VolumeSpec, generate

    spec = VolumeSpec(
        municipalities=MUNICIPALITIES,
        first=1,
        deviations=MUNICIPALITIES * 25,
        years=1,
        boards=2,
        units_per_board=2,
        today=timezone.localdate(),
        seed=34,
    )
    with django_db_blocker.unblock(), transaction.atomic():
        generate(spec=spec)
        for number in range(1, MUNICIPALITIES + 1):
            _renumber(number)
        yield
        transaction.set_rollback(True)


def _holder(number: int, role: str):
    from responsibility.models import Assignment

    assignment = (
        Assignment.objects.filter(
            person__municipality__code=f"vol-{number:03d}",
            role=role,
            person__user__isnull=False,
            valid_to__isnull=True,
        )
        .select_related("person__user")
        .order_by("pk")
        .first()
    )
    assert assignment is not None, (number, role)
    return assignment.person.user


def _admin(number: int):
    from responsibility.choices import Profession
    from responsibility.models import Municipality, Person

    user = get_user_model().objects.create_user(f"admin-vol-{number:03d}", is_staff=True, is_superuser=True)
    Person.objects.create(
        municipality=Municipality.objects.get(code=f"vol-{number:03d}"),
        user=user,
        first_name="Registeradministratör",
        last_name=f"{number:03d}",
        profession=Profession.ADMINISTRATOR,
        title="Registeradministratör",
    )
    return user


def _owners() -> dict[str, int]:
    """Every reference and the number of its municipality (0: the demo municipality)."""
    from complaints.models import CollaborationDeviation, Complaint
    from incidents.models import Deviation, LexMariaCase

    def number(code: str) -> int:
        return int(code[4:]) if code.startswith("vol-") else 0

    owners: dict[str, int] = {}
    for rows in (
        Deviation.objects.exclude(reference="").values_list("reference", "municipality__code"),
        LexMariaCase.objects.values_list("reference", "deviation__municipality__code"),
        Complaint.objects.values_list("reference", "municipality__code"),
        CollaborationDeviation.objects.values_list("reference", "municipality__code"),
    ):
        for reference, code in rows:
            assert owners.setdefault(reference, number(code)) == number(code), f"{reference} is in two municipalities"
    return owners


def _foreign(body: str, number: int, owners: dict[str, int]) -> set[str]:
    """What ``body`` names of any municipality other than ``number`` (0: the demo municipality)."""
    found = {f"unit code v{m}" for m in CODE_RE.findall(body) if int(m) != number}
    found |= {f"e-mail of vol-{m}" for m in EMAIL_RE.findall(body) if int(m) != number}
    found |= {ref for ref in REFERENCE_RE.findall(body) if owners.get(ref, number) != number}
    return found


def _own(body: str, number: int, owners: dict[str, int]) -> bool:
    return any(int(m) == number for m in CODE_RE.findall(body)) or any(
        owners.get(ref) == number for ref in REFERENCE_RE.findall(body)
    )


def _text(response) -> str | None:
    kind = response.get("Content-Type", "")
    if not (kind.startswith("text/") or "json" in kind) or getattr(response, "streaming", False):
        return None
    return response.content.decode(errors="replace")


def test_no_page_shows_one_municipality_anothers_data(volume, client):
    from responsibility.choices import Role

    pages = [
        p
        for p in url_patterns()
        if not p.params and not p.route.startswith("/django-admin/") and "logout" not in p.name and "<" not in p.route
    ]
    assert len(pages) > 40
    owners = _owners()
    leaks: dict[str, set[str]] = {}
    for number in SAMPLED:
        for who, user in (
            ("MAS", _holder(number, Role.MAS)),
            ("board official", _holder(number, Role.BOARD_OFFICIAL)),
            ("register admin", _admin(number)),
        ):
            client.force_login(user)
            shown_own = False
            for page in pages:
                response = client.get(page.route, {"q": "v0"} if "search" in page.name else None)
                body = _text(response)
                if body is None:
                    continue
                if found := _foreign(body, number, owners):
                    leaks[f"vol-{number:03d} {who} {page.route}"] = found
                shown_own = shown_own or _own(body, number, owners)
            assert shown_own, f"vol-{number:03d} {who} saw nothing of their own municipality"
    assert leaks == {}


def test_every_municipalitys_mas_sees_only_their_own_daily_pages(volume, client):
    from responsibility.choices import Role

    owners = _owners()
    leaks: dict[str, set[str]] = {}
    for number in range(1, MUNICIPALITIES + 1):
        client.force_login(_holder(number, Role.MAS))
        bodies = []
        for name in DAILY:
            response = client.get(
                reverse(name), {"q": str(timezone.localdate().year)} if name.endswith("search") else None
            )
            assert response.status_code == 200, (number, name)
            bodies.append(response.content.decode())
            if found := _foreign(bodies[-1], number, owners):
                leaks[f"vol-{number:03d} {name}"] = found
        assert any(_own(body, number, owners) for body in bodies), f"vol-{number:03d}: the MAS saw nothing of their own"
    assert leaks == {}


def test_a_day_of_jobs_tells_nobody_about_another_municipality(volume):
    from core.models import Notification
    from core.scheduling import run_scheduled_jobs

    owners = _owners()
    before = set(Notification.objects.values_list("pk", flat=True))
    run_scheduled_jobs()
    made = Notification.objects.exclude(pk__in=before).select_related("recipient__person__municipality")
    assert made.count() > MUNICIPALITIES  # every municipality has overdue work in a year of data
    leaks = []
    for notification in made:
        person = getattr(notification.recipient, "person", None)
        code = person.municipality.code if person else ""
        text = f"{notification.subject} {notification.body}"
        # The demo municipality's people (number 0) must not see any generated municipality's data.
        found = _foreign(text, int(code[4:]) if code.startswith("vol-") else 0, owners)
        if found:
            leaks.append((notification.recipient.username, sorted(found)))
    assert leaks == []
