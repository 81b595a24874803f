"""Issue 13: the Lex Maria analysis form chooses its leader and action owners with the type-ahead picker, which
offers only who may lead (or own an action) in the business that runs the case's unit, of the request's
municipality, and answers only those who may record the analysis."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.forms import ActionForm
from incidents.lexmaria.actors import action_owners_for, analysis_leaders_for
from incidents.lexmaria.forms import AnalysisForm
from responsibility.choices import Profession
from responsibility.models import Municipality, Person
from tests.factories import user
from tests.incidents.deviation_helpers import report
from tests.incidents.lexmaria_factories import open_case

pytestmark = pytest.mark.django_db


def _search(client, case, **params):
    return client.get(reverse("incidents:lex_maria_people", args=[case.pk]), params)


def _values(client, case, **params) -> set[int]:
    response = _search(client, case, **params)
    assert response.status_code == 200
    return {r["value"] for r in response.json()["results"]}


def _person(username: str) -> Person:
    return Person.objects.get(user__username=username)


def _namesake_elsewhere(of: Person) -> Person:
    other = Municipality.objects.create(name="Annanstad", code="annanstad", org_number="212000-0001")
    return Person.objects.create(
        municipality=other,
        first_name=of.first_name,
        last_name=of.last_name,
        email="namne@annanstad.se",
        title=of.title,
        profession=Profession.NURSE,
        licensed=True,
    )


def test_leader_picker_offers_the_units_leaders_with_what_tells_namesakes_apart(client):
    """Egen regi: the verksamhetschef finds the unit's enhetschef as leader, shown with title, workplace and
    e-mail; a namesake in another municipality and a staff member without a leading role are not offered as
    leader (the staff member may own an action)."""
    case = open_case(route="own")
    manager, staff = _person("enhetschef"), _person("rapportor")
    foreign = _namesake_elsewhere(manager)
    client.force_login(user("verksamhetschef"))
    results = _search(client, case, kind="leader", q=manager.last_name).json()["results"]
    found = {r["value"]: r for r in results}
    assert manager.pk in found
    assert foreign.pk not in found
    assert manager.email in found[manager.pk]["detail"]
    if manager.title:
        assert manager.title in found[manager.pk]["detail"]
    assert staff.pk not in _values(client, case, kind="leader", q=staff.last_name)
    assert staff.pk in _values(client, case, kind="owner", q=staff.last_name)
    assert foreign.pk not in _values(client, case, kind="owner", q=manager.last_name)


def test_picker_offers_exactly_the_forms_choices(client):
    """Every person the picker finds is a choice of the analysis form's select, and no one else's."""
    case = open_case(route="own")
    client.force_login(user("verksamhetschef"))
    form = AnalysisForm(case=case)
    leaders = set(form.fields["leader"].queryset.values_list("pk", flat=True))
    owners = set(form.fields["action_1_owner"].queryset.values_list("pk", flat=True))
    assert leaders == set(analysis_leaders_for(case).values_list("pk", flat=True))
    assert owners == set(action_owners_for(case).values_list("pk", flat=True))
    assert leaders
    assert leaders <= owners
    for pk in leaders:
        p = Person.objects.get(pk=pk)
        assert pk in _values(client, case, kind="leader", q=f"{p.first_name} {p.last_name}")
    assert not _values(client, case, kind="leader", q="zzz-ingen")


def test_contractors_case_offers_only_the_contractors_people(client):
    """A contractor's case is analysed in the contractor's business: the board's own MAS and enhetschef (egen
    regi) are never offered as its leader or action owner."""
    case = open_case(route="contractor_via_board_mas")
    leaders = set(analysis_leaders_for(case).values_list("pk", flat=True))
    owners = set(action_owners_for(case).values_list("pk", flat=True))
    assert leaders
    for username in ("mas", "enhetschef", "tjansteman"):
        assert _person(username).pk not in owners
    unit = case.deviation.unit
    for p in Person.objects.filter(pk__in=owners):
        assert any(a.unit_id == unit.pk or a.provider_id == unit.provider_id for a in p.assignments.all())


@pytest.mark.parametrize(("username", "status"), [("tjansteman", 403), ("enhetschef", 404), ("rapportor", 404)])
def test_picker_answers_only_who_may_record_the_analysis(client, username, status):
    """A board official sees the case but may not record its analysis (403); who cannot see the case gets 404;
    an unknown kind is 404 too; nobody is listed in a refusal."""
    case = open_case(route="own")
    client.force_login(user(username))
    response = _search(client, case, kind="leader", q="a")
    assert response.status_code == status
    assert b"results" not in response.content
    client.force_login(user("verksamhetschef"))
    assert _search(client, case, kind="someone", q="a").status_code == 404


def test_anonymous_is_sent_to_log_in(client):
    """The picker asks for a login first."""
    case = open_case(route="own")
    response = _search(client, case, kind="leader", q="a")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_form_refuses_a_person_who_may_not_lead(client):
    """Without JavaScript the select is the picker: a posted leader outside the eligible people is refused and
    nothing is recorded."""
    case = open_case(route="own")
    staff = _person("rapportor")
    form = AnalysisForm(
        {
            "analyse-version": case.version,
            "analyse-leader": staff.pk,
            "analyse-team": "Team",
            "analyse-timeline": "Tid",
            "analyse-causes": "Orsak",
            "analyse-action_1_description": "Åtgärd",
            "analyse-action_1_owner": staff.pk,
            "analyse-action_1_deadline": "2030-01-01",
        },
        case=case,
    )
    assert not form.is_valid()
    assert list(form.errors) == ["leader"]


def test_a_deviations_action_owner_is_chosen_among_the_units_people_told_apart():
    """The deviation's corrective-action form offers the people of the unit, each with title, workplace and
    e-mail (a namesake elsewhere is not offered)."""
    deviation = report()
    manager = _person("enhetschef")
    foreign = _namesake_elsewhere(manager)
    field = ActionForm(deviation=deviation)["owner"]
    html = str(field)
    assert manager.email in html
    assert foreign.email not in html
    label = field.field.label_from_instance(field.field.queryset.get(pk=manager.pk))
    assert label.startswith(f"{manager} – ")
