"""Every page for every demo role on real-shaped data: no 500, no foreign data, the expected status.

The URL patterns come from the URLconf (see tests/crawl/harness.py); the expected
statuses are one table (tests/crawl/expectations.py). The data is the demo after
a user who acted on cases was deactivated, another was erased and the scheduled
jobs ran (tests/crawl/scenario.py).
"""

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import DEMO_ROLE_SECTIONS
from tests.crawl import harness
from tests.crawl.expect import expected
from tests.crawl.expectations import EXPECTED, NOT_CRAWLED
from tests.crawl.fixtures import world  # noqa: F401 - the shared, rolled-back scenario

# Two files so that xdist (--dist loadfile) runs them side by side: the admin's crawl
# includes every Django admin page and takes as long as the other roles together.
HEAVY_ROLES = ["admin", harness.ANONYMOUS]
ROLES = [r for r in DEMO_ROLE_SECTIONS if r not in HEAVY_ROLES]
assert set(ROLES) | set(HEAVY_ROLES) == {*DEMO_ROLE_SECTIONS, harness.ANONYMOUS}


def _describe(o: harness.Outcome, allowed) -> str:
    return f"{o.case.method} {o.case.url} ({o.case.pattern}, {o.case.kind}): {o.status}, expected {allowed}"


def check_role(role: str, record_property) -> None:
    """Crawl as ``role``: no 500, no foreign data, every status as the table says, every pattern filled."""
    user = None if role == harness.ANONYMOUS else get_user_model().objects.get(username=role)
    patterns = harness.url_patterns()
    result = harness.crawl_role(role, user, patterns, skip=set(NOT_CRAWLED))
    record_property("crawl_cases", len(result.outcomes))
    record_property("crawl_role", role)
    if os.environ.get("MASPORTAL_CRAWL_RECORD"):
        out = Path(os.environ["MASPORTAL_CRAWL_RECORD"]) / f"{role}.json"
        out.write_text(json.dumps([{"case": asdict(o.case), "status": o.status} for o in result.outcomes]))
    # A 5xx only where the table names it (the health check's 503 while the worker is down).
    errors = [
        o
        for o in result.outcomes
        if o.status >= 500
        and o.status not in (expected(EXPECTED, o.case.pattern, role, o.case.kind, o.case.method) or ())
    ]
    leaks = [o for o in result.outcomes if o.leaks]
    wrong = []
    for o in result.outcomes:
        allowed = expected(EXPECTED, o.case.pattern, role, o.case.kind, o.case.method)
        if allowed is None or o.status not in allowed:
            wrong.append(_describe(o, allowed))
    assert not result.unfilled, (
        f"URL patterns the crawl cannot fill (add them to PARAMETERS or NOT_CRAWLED): {result.unfilled}"
    )
    # Every pattern is requested as this role (anonymous too), not only those with objects it may see.
    uncovered = {p.name for p in patterns} - set(NOT_CRAWLED) - {o.case.pattern for o in result.outcomes}
    assert not uncovered, f"URL patterns with no case for {role}: {sorted(uncovered)}"
    assert not errors, "500s:\n" + "\n".join(f"{o.case.method} {o.case.url}" for o in errors)
    assert not leaks, "foreign data:\n" + "\n".join(f"{o.case.method} {o.case.url}: {o.leaks}" for o in leaks)
    assert not wrong, f"{len(wrong)} statuses differ from tests/crawl/expectations.py:\n" + "\n".join(wrong[:60])


@pytest.mark.usefixtures("world", "db")
@pytest.mark.parametrize("role", ROLES)
def test_crawl(role, record_property):
    """No page answers 500 or shows another scope's data, and every status is the table's."""
    check_role(role, record_property)


def test_every_pattern_is_crawled_or_excused():
    """A new URL pattern is crawled (or listed with a reason); the table names no pattern that is gone."""
    names = {p.name for p in harness.url_patterns()}
    assert not set(NOT_CRAWLED) - names, "NOT_CRAWLED lists patterns that no longer exist"
    assert not set(EXPECTED) - names - set(NOT_CRAWLED), "EXPECTED lists patterns that no longer exist"
    django_admin = {n for n in names if n.startswith("admin:") or n.startswith("/django-admin/")}
    missing = sorted(names - django_admin - set(EXPECTED) - set(NOT_CRAWLED))
    assert not missing, f"URL patterns without expected statuses: {missing}"


@pytest.mark.usefixtures("world", "db")
def test_leak_check_finds_another_scopes_reference_and_personnummer(client):
    """The foreign-data check is not blind: a page the MAS may see holds data the contractor's MAS may not."""
    from incidents.permissions import can_see_patient_data
    from incidents.selectors import deviations_visible_to

    users = get_user_model().objects
    mas, contractor = users.get(username="mas"), users.get(username="entreprenor-mas")
    refs, pnrs = harness.forbidden_for(contractor)
    deviation = next(
        d
        for d in deviations_visible_to(user=mas).exclude(patient_identifier_encrypted=b"").order_by("pk")
        if d.reference in refs and can_see_patient_data(user=mas, deviation=d)
    )
    client.force_login(mas)
    body = client.get(f"/avvikelser/{deviation.pk}/").content.decode()

    leaks = harness.leaks_in(body, refs, pnrs)

    assert deviation.reference in leaks
    assert any(len(leak) == 10 and leak.isdigit() for leak in leaks)  # the patient's personnummer


@pytest.mark.django_db
def test_a_pattern_without_a_way_to_fill_it_is_reported():
    """A new URL with a parameter the crawl does not know is reported as unfilled (and fails test_crawl)."""
    new_page = harness.Pattern(name="incidents:new_page", route="/avvikelser/<int:pk>/ny-sida/", params=("pk",))

    result = harness.crawl_role("mas", None, [new_page], skip=set())

    assert result.unfilled == ["incidents:new_page"]
    assert result.outcomes == []


@pytest.mark.usefixtures("world", "db")
def test_every_deviation_and_lex_maria_page_renders_for_everyone_who_sees_it(client, record_property):
    """Not a sample: every deviation and Lex Maria case page answers 200 to every role that may see it."""
    from incidents.lexmaria.selectors import lex_maria_cases_visible_to
    from incidents.models import DeviationState
    from incidents.selectors import deviations_visible_to

    failures, pages = [], 0
    for username in DEMO_ROLE_SECTIONS:
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        urls = [
            f"/avvikelser/{pk}/"
            for pk in deviations_visible_to(user=user).exclude(state=DeviationState.DRAFT).values_list("pk", flat=True)
        ]
        urls += [
            f"/avvikelser/lex-maria/{pk}/" for pk in lex_maria_cases_visible_to(user=user).values_list("pk", flat=True)
        ]
        for url in urls:
            status = client.get(url).status_code
            pages += 1
            if status != 200:
                failures.append(f"{username} {url}: {status}")
    record_property("crawl_cases", pages)
    assert pages > 300
    assert not failures, "\n".join(failures)
