"""Register administration in the browser: permissions, forms, refusals and history."""

import html
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibility.admin_views import unit_page_url
from responsibility.choices import AssignmentKind, OperatingForm, Profession, ProviderKind, Role, UnitType
from responsibility.models import (
    Assignment,
    Board,
    CareProvider,
    Contract,
    Person,
    Region,
    Unit,
    UnitOperatingPeriod,
)

pytestmark = pytest.mark.django_db


def _admin_urls() -> list[str]:
    assignment = Assignment.objects.order_by("pk").first()
    return [
        reverse("responsibility:admin_home"),
        reverse("responsibility:region_list"),
        reverse("responsibility:region_create"),
        reverse("responsibility:region_edit", args=[Region.objects.first().pk]),
        reverse("responsibility:board_list"),
        reverse("responsibility:board_create"),
        reverse("responsibility:board_edit", args=[Board.objects.first().pk]),
        reverse("responsibility:provider_list"),
        reverse("responsibility:provider_create"),
        reverse("responsibility:provider_edit", args=[CareProvider.objects.first().pk]),
        reverse("responsibility:unit_admin_list"),
        reverse("responsibility:unit_create"),
        reverse("responsibility:unit_edit", args=["hage-01"]),
        reverse("responsibility:unit_change_operation", args=["hage-01"]),
        reverse("responsibility:person_list"),
        reverse("responsibility:person_create"),
        reverse("responsibility:person_edit", args=[Person.objects.first().pk]),
        reverse("responsibility:assignment_list"),
        reverse("responsibility:assignment_create") + "?unit=hage-01&role=MAS",
        reverse("responsibility:assignment_edit", args=[assignment.pk]),
        reverse("responsibility:assignment_history", args=[assignment.pk]),
        reverse("responsibility:history_recent"),
        reverse("responsibility:import_upload", args=["units"]),
        reverse("responsibility:import_upload", args=["assignments"]),
        reverse("responsibility:import_template", args=["units"]),
        reverse("responsibility:import_template", args=["assignments"]),
    ]


def test_anonymous_users_are_sent_to_login(client):
    """Every administration page sends an anonymous visitor to the login page."""
    for url in _admin_urls() + [reverse("responsibility:unit_history", args=["hage-01"])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_non_admins_are_refused_every_admin_page(client, demo_user):
    """A MAS, a board official and a contractor's MAS get 403 on every administration page."""
    for username in ("mas", "tjansteman", "entreprenor-mas"):
        client.force_login(demo_user(username))
        for url in _admin_urls():
            assert client.get(url).status_code == 403, (username, url)


def test_admin_opens_every_admin_page(client, demo_user):
    """The register admin opens every administration page."""
    client.force_login(demo_user("admin"))
    for url in _admin_urls() + [reverse("responsibility:unit_history", args=["hage-01"])]:
        assert client.get(url).status_code == 200, url


def test_non_admin_posts_change_nothing(client, demo_user):
    """A MAS posting to the create and edit forms gets 403 and the register is unchanged."""
    client.force_login(demo_user("mas"))
    board = Board.objects.get(code="hagersten-liljeholmen")
    counts = (Region.objects.count(), Board.objects.count(), Unit.objects.count(), Assignment.objects.count())
    posts = [
        (reverse("responsibility:region_create"), {"code": "x", "name": "X"}),
        (reverse("responsibility:board_create"), {"code": "x", "name": "X"}),
        (reverse("responsibility:board_edit", args=[board.pk]), {"code": board.code, "name": "Hacked"}),
        (reverse("responsibility:unit_create"), {"code": "x-01", "name": "X"}),
        (reverse("responsibility:unit_change_operation", args=["hage-01"]), {"from_date": "2030-01-01"}),
        (reverse("responsibility:assignment_create"), {"role": "MAS"}),
        (reverse("responsibility:import_upload", args=["units"]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert (Region.objects.count(), Board.objects.count(), Unit.objects.count(), Assignment.objects.count()) == counts
    board.refresh_from_db()
    assert board.name != "Hacked"


def test_unit_history_is_visible_to_those_who_see_the_unit(client, demo_user):
    """The unit's staff see its history; to a contractor's MAS who does not see the unit it does not exist (404)."""
    url = reverse("responsibility:unit_history", args=["hage-01"])
    client.force_login(demo_user("enhetschef"))
    assert client.get(url).status_code == 200
    client.force_login(demo_user("entreprenor-mas"))
    assert client.get(url).status_code == 404


# --- forms ------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, demo_user):
    client.force_login(demo_user("admin"))
    return client


def _unit_data(**overrides) -> dict:
    board = Board.objects.get(code="hagersten-liljeholmen")
    provider = CareProvider.objects.get(kind=ProviderKind.MUNICIPAL, board=board)
    data = {
        "code": "hage-77",
        "name": "Lönnen vård- och omsorgsboende",
        "unit_type": UnitType.CARE_HOME,
        "board": board.pk,
        "provider": provider.pk,
        "operating_form": OperatingForm.OWN,
        "contract": "",
        "places": "32",
        "provides_health_care": "on",
        "provides_rehabilitation": "on",
        "active_from": "2026-01-01",
        "active_to": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_unit_with_its_first_operating_period(admin_client):
    """Creating a unit saves it with one operating period and a Swedish success message."""
    response = admin_client.post(reverse("responsibility:unit_create"), _unit_data(), follow=True)
    unit = Unit.objects.get(code="hage-77")
    assert unit.places == 32
    assert unit.provides_rehabilitation
    assert list(unit.operating_periods.values_list("valid_from", "operating_form")) == [(date(2026, 1, 1), "own")]
    # The message names the new unit and links its page.
    link = f'<a href="{unit_page_url(unit)}">Lönnen vård- och omsorgsboende</a>'
    assert f"Enheten {link} skapades." in response.content.decode()


def test_unit_without_board_is_refused_and_input_kept(admin_client):
    """A unit without a board is refused in Swedish, the input is kept and nothing is saved."""
    response = admin_client.post(reverse("responsibility:unit_create"), _unit_data(board=""))
    body = response.content.decode()
    assert response.status_code == 400
    assert "En enhet måste höra till en nämnd." in body
    assert 'href="#id_board"' in body  # the error summary links to the field
    assert 'value="Lönnen vård- och omsorgsboende"' in body
    assert not Unit.objects.filter(code="hage-77").exists()


def test_contractor_unit_in_own_operation_is_refused(admin_client):
    """A contractor's unit cannot be in own operation: the service's rule lands on the field."""
    contractor = CareProvider.objects.filter(kind=ProviderKind.CONTRACTOR).first()
    response = admin_client.post(reverse("responsibility:unit_create"), _unit_data(provider=contractor.pk))
    assert (
        "En enhet som drivs av en entreprenör eller privat utförare är inte i egen regi." in response.content.decode()
    )
    assert not Unit.objects.filter(code="hage-77").exists()


def test_duplicate_unit_code_is_refused(admin_client):
    """A unit code already in use is refused with a Swedish message."""
    response = admin_client.post(reverse("responsibility:unit_create"), _unit_data(code="hage-01"))
    assert "Koden hage-01 används redan. Välj en annan." in response.content.decode()
    assert Unit.objects.filter(code="hage-01").count() == 1


def test_unit_edit_keeps_operation_and_saves_facts(admin_client):
    """Editing a unit changes its own facts; the operation is untouched."""
    unit = Unit.objects.get(code="hage-01")
    data = {
        "name": "Ekbacken vård- och omsorgsboende",
        "unit_type": unit.unit_type,
        "board": unit.board_id,
        "places": "64",
        "provides_health_care": "on",
        "provides_rehabilitation": "on",
        "active_from": unit.active_from.isoformat(),
        "active_to": "",
    }
    response = admin_client.post(reverse("responsibility:unit_edit", args=["hage-01"]), data)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.places == 64


def test_change_of_operation_keeps_the_old_period(admin_client):
    """Handing a unit to a contractor ends the old period the day before and adds a new one."""
    unit = Unit.objects.get(code="hage-01")
    old_provider = unit.provider
    contract = Contract.objects.filter(provider__kind=ProviderKind.CONTRACTOR, kind="contract").first()
    from_date = timezone.localdate() + timedelta(days=10)
    response = admin_client.post(
        reverse("responsibility:unit_change_operation", args=["hage-01"]),
        {
            "provider": contract.provider_id,
            "operating_form": OperatingForm.CONTRACT,
            "contract": contract.pk,
            "from_date": from_date.isoformat(),
        },
    )
    assert response.status_code == 302
    periods = list(UnitOperatingPeriod.objects.filter(unit=unit).order_by("valid_from"))
    assert [(p.provider_id, p.valid_to) for p in periods] == [
        (old_provider.pk, from_date - timedelta(days=1)),
        (contract.provider_id, None),
    ]
    unit.refresh_from_db()
    assert unit.provider_id == contract.provider_id
    assert unit.operating_form == OperatingForm.CONTRACT


def test_change_of_operation_on_the_same_date_is_refused(admin_client):
    """A second change on the start date of the current period is refused in Swedish; nothing changes."""
    unit = Unit.objects.get(code="hage-01")
    start = unit.operating_periods.get().valid_from
    response = admin_client.post(
        reverse("responsibility:unit_change_operation", args=["hage-01"]),
        {
            "provider": unit.provider_id,
            "operating_form": OperatingForm.OWN,
            "contract": "",
            "from_date": start.isoformat(),
        },
    )
    assert "Enheten bytte redan drift det datumet. Välj ett senare datum." in response.content.decode()
    assert unit.operating_periods.count() == 1


def test_provider_org_number_is_validated(admin_client):
    """A contractor with a bad organisationsnummer is refused in Swedish; a good one is normalised."""
    url = reverse("responsibility:provider_create")
    data = {"name": "Ny Omsorg AB", "kind": ProviderKind.CONTRACTOR, "org_number": "556677-8891", "board": ""}
    response = admin_client.post(url, data)
    assert "Organisationsnumrets kontrollsiffra är fel." in response.content.decode()
    assert not CareProvider.objects.filter(name="Ny Omsorg AB").exists()
    response = admin_client.post(url, {**data, "org_number": "5566778899"})
    assert response.status_code == 302
    assert CareProvider.objects.get(name="Ny Omsorg AB").org_number == "556677-8899"


def test_municipal_provider_needs_a_board(admin_client):
    """A municipal provider without a board is refused."""
    response = admin_client.post(
        reverse("responsibility:provider_create"),
        {
            "name": "Egen regi X",
            "kind": ProviderKind.MUNICIPAL,
            "org_number": "212000-0142",
            "board": "",
        },
    )
    assert "En kommunal vårdgivare hör till en nämnd: välj den." in response.content.decode()
    assert not CareProvider.objects.filter(name="Egen regi X").exists()


def test_admin_creates_region_board_and_person(admin_client):
    """Regions, boards and people are created from their forms."""
    host = Board.objects.get(code="hagersten-liljeholmen")
    assert (
        admin_client.post(
            reverse("responsibility:region_create"),
            {"code": "test-region", "name": "Testregion", "host_board": host.pk},
        ).status_code
        == 302
    )
    region = Region.objects.get(code="test-region")
    assert region.host_board == host
    assert (
        admin_client.post(
            reverse("responsibility:board_create"), {"code": "testnamnd", "name": "Testnämnd", "region": region.pk}
        ).status_code
        == 302
    )
    assert Board.objects.get(code="testnamnd").region == region
    response = admin_client.post(reverse("responsibility:region_create"), {"code": "test-region", "name": "Igen"})
    assert "Koden test-region används redan. Välj en annan." in response.content.decode()
    assert (
        admin_client.post(
            reverse("responsibility:person_create"),
            {
                "first_name": "Ingrid",
                "last_name": "Ny",
                "email": "ingrid@example.se",
                "title": "Sjuksköterska",
                "profession": Profession.NURSE,
                "licensed": "on",
            },
        ).status_code
        == 302
    )
    assert Person.objects.get(email="ingrid@example.se").licensed


# --- assignments ------------------------------------------------------------------------------------


def _assignment_data(person: Person, **overrides) -> dict:
    unit = Unit.objects.get(code="hage-01")
    data = {
        "person": person.pk,
        "role": Role.MAS,
        "kind": AssignmentKind.STATUTORY,
        "scope": "unit",
        "unit": unit.pk,
        "region": "",
        "board": "",
        "provider": "",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "deputy_for": "",
        "has_staffing_mandate": "on",
        "basis": "Beslut 2026",
    }
    data.update(overrides)
    return data


def _nurse(email: str = "sjukskoterska@example.se") -> Person:
    board = Board.objects.first()
    return Person.objects.create(
        municipality=board.municipality,
        first_name="Nora",
        last_name="Sjö",
        email=email,
        profession=Profession.NURSE,
        licensed=True,
    )


def test_assignment_create_is_prefilled_from_the_query(admin_client):
    """?unit=CODE&role=MAS preselects the unit scope, the unit and the role."""
    response = admin_client.get(reverse("responsibility:assignment_create") + "?unit=hage-01&role=MAS")
    form = response.context["form"]
    assert form.initial["scope"] == "unit"
    assert form.initial["unit"] == Unit.objects.get(code="hage-01").pk
    assert form.initial["role"] == "MAS"


def test_admin_assigns_a_mas_to_a_unit(admin_client):
    """A licensed nurse becomes the unit's MAS; only the chosen scope is kept."""
    nurse = _nurse()
    board = Board.objects.get(code="hagersten-liljeholmen")
    response = admin_client.post(reverse("responsibility:assignment_create"), _assignment_data(nurse, board=board.pk))
    assert response.status_code == 302
    assignment = Assignment.objects.get(person=nurse)
    assert (assignment.unit.code, assignment.board_id, assignment.role) == ("hage-01", None, Role.MAS)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("unlicensed_mas", "En MAS måste vara legitimerad sjuksköterska (HSL 11 kap. 4 §)."),
        ("nurse_as_mar", "En MAR måste vara legitimerad fysioterapeut eller arbetsterapeut (HSL 11 kap. 4 §)."),
        ("dates", "'Gäller till' kan inte vara före 'gäller från'."),
        ("overlap", "har redan denna lagstadgade roll för samma omfattning"),
        ("no_scope_object", "Välj den enhet som uppdraget gäller."),
    ],
)
def test_bad_assignments_are_refused_in_swedish(admin_client, case, message):
    """Each rule of the register refuses the assignment with a Swedish message and saves nothing."""
    nurse = _nurse()
    overrides = {}
    if case == "unlicensed_mas":
        nurse.licensed = False
        nurse.save()
    elif case == "nurse_as_mar":
        overrides = {"role": Role.MAR}
    elif case == "dates":
        overrides = {"valid_from": "2026-05-01", "valid_to": "2026-04-30"}
    elif case == "overlap":
        Assignment.objects.create(
            person=_nurse("annan@example.se"),
            role=Role.MAS,
            unit=Unit.objects.get(code="hage-01"),
            valid_from=date(2025, 1, 1),
        )
    elif case == "no_scope_object":
        overrides = {"unit": ""}
    before = Assignment.objects.count()
    response = admin_client.post(reverse("responsibility:assignment_create"), _assignment_data(nurse, **overrides))
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert message in body
    assert 'value="Beslut 2026"' in body  # input kept
    assert 'id="error-summary"' in body
    assert Assignment.objects.count() == before


def test_edit_assignment_and_see_the_change_in_its_history(admin_client):
    """Ending an assignment shows in its history: who, and valid to before → after."""
    nurse = _nurse()
    assignment = Assignment.objects.create(
        person=nurse, role=Role.MAS, unit=Unit.objects.get(code="hage-01"), valid_from=date(2026, 1, 1)
    )
    url = reverse("responsibility:assignment_edit", args=[assignment.pk])
    response = admin_client.post(url, _assignment_data(nurse, valid_to="2026-12-31"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == date(2026, 12, 31)
    body = admin_client.get(reverse("responsibility:assignment_history", args=[assignment.pk])).content.decode()
    assert "Ändrad" in body
    assert "Ada Admin" in body
    assert "– → 2026-12-31" in body


def test_unit_history_shows_a_change_of_places(admin_client):
    """The unit history shows the field, the old and the new value of a change."""
    unit = Unit.objects.get(code="hage-01")
    old = unit.places
    admin_client.post(
        reverse("responsibility:unit_edit", args=["hage-01"]),
        {
            "name": unit.name,
            "unit_type": unit.unit_type,
            "board": unit.board_id,
            "places": str(old + 5),
            "provides_health_care": "on",
            "provides_rehabilitation": "on",
            "active_from": unit.active_from.isoformat(),
            "active_to": "",
        },
    )
    body = admin_client.get(reverse("responsibility:unit_history", args=["hage-01"])).content.decode()
    assert f"{old} → {old + 5}" in body
    body = admin_client.get(reverse("responsibility:history_recent")).content.decode()
    assert f"{old} → {old + 5}" in body
