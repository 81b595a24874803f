"""Register admin forms an admin can fill without training: pickers that tell namesakes apart, one scope,
no pre-ticked mandate, a sectioned contract form, and a history without raw "Deleted … (pk=None)"."""

import html
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.users import user_erase
from responsibility.choices import ContractKind, LexMariaRoute, MasHeldBy, Profession, Role
from responsibility.models import Assignment, Board, Contract, Municipality, Person, Unit

pytestmark = pytest.mark.django_db

PICKER = reverse("responsibility:picker_search")


@pytest.fixture
def admin_client(client, demo_user):
    client.force_login(demo_user("admin"))
    return client


def _person(municipality, email, *, title="", profession=Profession.NURSE, licensed=True) -> Person:
    return Person.objects.create(
        municipality=municipality,
        first_name="Tuva",
        last_name="Testsson",
        email=email,
        title=title,
        profession=profession,
        licensed=licensed,
    )


@pytest.fixture
def namesakes():
    """Three people called Tuva Testsson in the demo municipality, one in another municipality."""
    home = Board.objects.first().municipality
    other = Municipality.objects.create(name="Annanstad", code="annanstad", org_number="212000-0001")
    nurse = _person(home, "tuva.a@example.se", title="Sjuksköterska")
    Assignment.objects.create(
        person=nurse, role=Role.REPORTER, unit=Unit.objects.get(code="hage-01"), valid_from=date(2020, 1, 1)
    )
    unlicensed = _person(
        home, "tuva.b@example.se", title="Undersköterska", profession=Profession.ASSISTANT_NURSE, licensed=False
    )
    therapist = _person(home, "tuva.c@example.se", title="Fysioterapeut", profession=Profession.PHYSIOTHERAPIST)
    foreign = _person(other, "tuva.x@annanstad.se", title="Sjuksköterska")
    return {"nurse": nurse, "unlicensed": unlicensed, "therapist": therapist, "foreign": foreign}


def test_picker_tells_namesakes_apart_within_the_municipality(admin_client, namesakes):
    """The type-ahead finds every namesake of the admin's municipality, with title, workplace and e-mail; none
    of another municipality."""
    results = admin_client.get(PICKER, {"kind": "person", "q": "tuva testsson"}).json()["results"]
    by_pk = {r["value"]: r for r in results}
    assert set(by_pk) == {namesakes[k].pk for k in ("nurse", "unlicensed", "therapist")}
    assert {r["label"] for r in results} == {"Tuva Testsson"}
    nurse = by_pk[namesakes["nurse"].pk]["detail"]
    assert nurse == f"Sjuksköterska · {Unit.objects.get(code='hage-01').name} · tuva.a@example.se"
    assert len({r["detail"] for r in results}) == 3


def test_picker_offers_only_people_who_may_hold_the_role(admin_client, namesakes):
    """For a MAS only licensed nurses are offered; for a MAR only licensed physio- or occupational therapists."""
    mas = admin_client.get(PICKER, {"kind": "person", "q": "Testsson", "role": Role.MAS}).json()["results"]
    assert [r["value"] for r in mas] == [namesakes["nurse"].pk]
    mar = admin_client.get(PICKER, {"kind": "person", "q": "Testsson", "role": Role.MAR}).json()["results"]
    assert [r["value"] for r in mar] == [namesakes["therapist"].pk]


def test_picker_for_deputies_lists_holders_assignments_of_the_role(admin_client):
    """ "Deputy for" offers the statutory holders' own assignments of the chosen role, never a deputy's."""
    results = admin_client.get(PICKER, {"kind": "deputy", "q": "Margareta Ek", "role": Role.MAS}).json()["results"]
    assert results
    chosen = Assignment.objects.filter(pk__in=[r["value"] for r in results])
    assert set(chosen.values_list("role", "person__last_name", "deputy_for")) == {(Role.MAS, "Ek", None)}
    assert all(r["detail"].startswith("MAS") for r in results)


def test_picker_refuses_non_admins_and_unknown_kinds(client, demo_user):
    """Anonymous: to the login page; a MAS: 403; an unknown kind: 404."""
    response = client.get(PICKER, {"q": "a"})
    assert response.status_code == 302
    client.force_login(demo_user("mas"))
    assert client.get(PICKER, {"q": "a"}).status_code == 403
    client.force_login(demo_user("admin"))
    assert client.get(PICKER, {"kind": "nope", "q": "a"}).status_code == 404


def test_person_select_labels_tell_namesakes_apart(admin_client, namesakes):
    """Without JavaScript the person select is the picker: each option names title and e-mail."""
    body = html.unescape(admin_client.get(reverse("responsibility:assignment_create")).content.decode())
    assert "Tuva Testsson – Sjuksköterska · " in body
    assert "Tuva Testsson – Undersköterska · tuva.b@example.se" in body
    assert "tuva.x@annanstad.se" not in body
    assert 'data-picker="person"' in body
    assert 'data-picker="deputy"' in body


def _data(person, role, **overrides) -> dict:
    return {
        "person": person.pk,
        "role": role,
        "kind": "follow_up",
        "scope": "unit",
        "unit": Unit.objects.get(code="hage-02").pk,
        "region": "",
        "board": "",
        "provider": "",
        "valid_from": "2031-01-01",
        "valid_to": "",
        "deputy_for": "",
        "basis": "Beslut",
        **overrides,
    }


def test_staffing_mandate_is_never_pre_ticked_and_only_kept_for_an_operations_manager(admin_client, namesakes):
    """A new assignment's mandate box is unticked; a MAS never gets the mandate, an operations manager can."""
    response = admin_client.get(reverse("responsibility:assignment_create") + "?role=MAS")
    assert response.context["form"].initial["has_staffing_mandate"] is False
    assert 'data-for-role="OPERATIONS_MANAGER"' in response.content.decode()
    nurse = namesakes["nurse"]
    url = reverse("responsibility:assignment_create")
    assert admin_client.post(url, _data(nurse, Role.MAS, has_staffing_mandate="on")).status_code == 302
    assert Assignment.objects.get(person=nurse, role=Role.MAS).has_staffing_mandate is False
    manager = namesakes["unlicensed"]
    assert (
        admin_client.post(
            url, _data(manager, Role.OPERATIONS_MANAGER, has_staffing_mandate="on", valid_from="2040-01-01")
        ).status_code
        == 302
    )
    assert Assignment.objects.get(person=manager, role=Role.OPERATIONS_MANAGER).has_staffing_mandate is True


def test_assignment_form_wraps_each_scope_field_for_one_scope_at_a_time(admin_client):
    """The four scope fields are marked by scope, so that only the chosen one is shown."""
    body = admin_client.get(reverse("responsibility:assignment_create")).content.decode()
    for scope in ("region", "board", "provider", "unit"):
        assert f'data-scope-field="{scope}"' in body


# --- contract form ----------------------------------------------------------------------------------


def _contract(unit: Unit, **overrides) -> dict:
    return {
        "kind": ContractKind.CONTRACT,
        "title": "Avtal Testgården",
        "provider": unit.provider_id,
        "managing_board": unit.board_id,
        "purchasing_board": unit.board_id,
        "case_number": "SLK 2031/1",
        "valid_from": "2031-01-01",
        "units": [unit.pk],
        "mas_held_by": MasHeldBy.BOARD,
        "lex_maria_route": LexMariaRoute.BOARD_MAS,
        **overrides,
    }


def test_contract_form_has_sections_help_and_a_cancel_link(admin_client):
    """The contract form is sectioned, explains the MAS duty with its legal basis and offers "Avbryt"."""
    body = html.unescape(admin_client.get(reverse("followup:contract_create")).content.decode())
    for legend in ("Avtalet", "Omfattade enheter", "MAS-ansvar och Lex Maria", "Läkarmedverkan"):
        assert f"<legend>{legend}</legend>" in body
    assert "Vem som har MAS-ansvaret för verksamheterna (HSL 11 kap. 4 §)" in body
    assert f'<a class="button" href="{reverse("followup:contract_list")}">Avbryt</a>' in body
    assert 'type="checkbox" name="units"' in body
    assert 'data-for-kind="physician"' in body


def test_physician_fields_are_refused_for_other_contract_types(admin_client):
    """Läkarmedverkan commitments on an entreprenadavtal are refused field by field; nothing is saved."""
    unit = Unit.objects.select_related("provider").get(code="hage-02")
    response = admin_client.post(
        reverse("followup:contract_create"),
        _contract(unit, doctor_available_24_7="on", physical_visits="Varje vecka"),
    )
    assert response.status_code == 400
    refused = "Gäller bara avtal om läkarmedverkan. Töm fältet eller byt avtalstyp."
    assert response.context["form"].errors == {"doctor_available_24_7": [refused], "physical_visits": [refused]}
    assert refused in html.unescape(response.content.decode())
    assert not Contract.objects.filter(case_number="SLK 2031/1").exists()


def test_physician_contract_keeps_its_commitments(admin_client):
    """An avtal om läkarmedverkan saves its round-the-clock commitments."""
    unit = Unit.objects.select_related("provider").get(code="hage-02")
    data = _contract(
        unit,
        kind=ContractKind.PHYSICIAN,
        provider="",
        units=[],
        lex_maria_route=LexMariaRoute.OWN,
        doctor_available_24_7="on",
        physical_visits="Varje vecka",
    )
    assert admin_client.post(reverse("followup:contract_create"), data).status_code == 302
    contract = Contract.objects.get(case_number="SLK 2031/1")
    assert (contract.doctor_available_24_7, contract.physical_visits) == (True, "Varje vecka")


# --- history ----------------------------------------------------------------------------------------


def test_history_shows_logins_by_the_actor_rule(admin_client):
    """A login linked to a person shows as "– → name", an erased one as "Borttagen användare"; never
    "Deleted … (pk=None)"."""
    person = Person.objects.filter(user__isnull=True).first()
    user = get_user_model().objects.create_user("tuva", first_name="Tuva", last_name="Login")
    person.user = user
    person.save()
    body = html.unescape(admin_client.get(reverse("responsibility:history_recent")).content.decode())
    assert "– → Tuva Login" in body
    assert "pk=None" not in body
    user_erase(user=user)
    person.refresh_from_db()
    person.title = "Ny titel"
    person.user = None
    person.save()
    body = html.unescape(admin_client.get(reverse("responsibility:history_recent")).content.decode())
    assert "Borttagen användare → –" in body
    assert "Deleted" not in body
    assert "pk=" not in body


PICKER_QUERIES = 5  # login and permission, then the people and their current assignments: never per match


def test_picker_answers_in_the_same_number_of_queries_for_one_or_many_matches(
    admin_client, namesakes, django_assert_num_queries
):
    """The type-ahead's queries do not grow with the number of matches (people and their workplaces prefetched)."""
    for q in ("tuva.a@example.se", "a"):
        with django_assert_num_queries(PICKER_QUERIES):
            assert admin_client.get(PICKER, {"kind": "person", "q": q}).json()["results"]
