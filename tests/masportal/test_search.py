"""Global search /sok/: references jump to the case, results by kind, the lists' visibility, no patient identity."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.models import Deviation
from responsibility.models import Contract, Person, Unit
from tests.incidents.deviation_helpers import report

pytestmark = pytest.mark.django_db

WORD = "medicinvagnen"


def _search(client, q: str):
    return client.get(reverse("search"), {"q": q})


def _with_text(deviation: Deviation, text: str) -> Deviation:
    Deviation.objects.filter(pk=deviation.pk).update(description=text)
    return deviation


def _contractor_deviation(text: str) -> Deviation:
    """A deviation at the contractor Norrsken's unit, assessed by the contractor's MAS."""
    deviation = _with_text(report(), text)
    contractor_mas = Person.objects.get(user__username="entreprenor-mas")
    Deviation.objects.filter(pk=deviation.pk).update(unit=Unit.objects.get(code="hage-02"), mas_person=contractor_mas)
    return deviation


def test_a_visible_reference_opens_the_deviation(client, demo_user):
    """The MAS types a deviation's reference (any case) and lands on the deviation."""
    deviation = report()
    client.force_login(demo_user("mas"))
    response = _search(client, f"  {deviation.reference.lower()} ")
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:deviation_detail", args=[deviation.pk])


def test_a_reference_the_user_may_not_see_is_not_found(client, demo_user):
    """The contractor's MAS types the reference of a municipal unit's deviation: told it is not found, no link."""
    deviation = report()
    client.force_login(demo_user("entreprenor-mas"))
    response = _search(client, deviation.reference)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Det finns inget ärende {deviation.reference} som du får se." in html
    assert reverse("incidents:deviation_detail", args=[deviation.pk]) not in html


def test_a_word_in_a_description_finds_the_deviation(client, demo_user):
    """Free text over descriptions: the MAS finds the deviation by a word in what happened."""
    deviation = _with_text(report(), f"Boende tog tabletter från {WORD} i korridoren.")
    client.force_login(demo_user("mas"))
    html = _search(client, WORD).content.decode()
    assert 'data-kind="deviations"' in html
    assert f'href="{reverse("incidents:deviation_detail", args=[deviation.pk])}">{deviation.reference}<' in html


def test_a_contractors_staff_never_finds_another_providers_cases(client, demo_user):
    """The contractor's MAS finds her own provider's deviation by a word, never the municipal unit's with it."""
    municipal = _with_text(report(), f"Fel dos från {WORD}.")
    own = _contractor_deviation(f"Dosett saknades i {WORD}.")
    client.force_login(demo_user("entreprenor-mas"))
    html = _search(client, WORD).content.decode()
    assert own.reference in html
    assert municipal.reference not in html
    assert 'data-kind="units"' not in _search(client, "Ekbacken").content.decode()  # a municipal unit


def test_a_unit_is_found_by_name_and_links_to_its_page(client, demo_user):
    """The MAS searches a unit's name and gets the unit page."""
    client.force_login(demo_user("mas"))
    html = _search(client, "ekbacken").content.decode()
    assert 'data-kind="units"' in html
    assert f'href="{reverse("responsibility:unit_detail", args=["hage-01"])}">Ekbacken vård- och omsorgsboende<' in html


def test_patient_identity_is_never_searched_nor_shown(client, demo_user):
    """A personnummer in the encrypted field finds nothing, and no result shows it."""
    report(pnr="19121212-1212")
    client.force_login(demo_user("mas"))
    html = _search(client, "19121212-1212").content.decode()
    assert 'data-kind="deviations"' not in html
    assert "0 träffar" in html


def test_people_and_contracts_only_for_register_admins(client, demo_user):
    """People and contracts are found by the register admin (as in the admin lists), not by the MAS."""
    person = Person.objects.get(user__username="entreprenor-mas")
    client.force_login(demo_user("admin"))
    html = _search(client, "Norrsken").content.decode()
    assert 'data-kind="contracts"' in html
    assert 'data-kind="people"' in _search(client, person.last_name).content.decode()
    client.force_login(demo_user("mas"))
    html = _search(client, "Norrsken").content.decode()
    assert 'data-kind="contracts"' not in html
    assert 'data-kind="people"' not in _search(client, person.last_name).content.decode()


def test_a_contract_without_a_care_provider_is_found_with_its_kind(client, demo_user):
    """The physician agreement with the region (läkarmedverkan) has no care provider; the admin finds it by a
    word of its title (it once broke the search page) and sees its kind instead."""
    contract = Contract.objects.filter(provider__isnull=True).order_by("pk").first()
    assert contract is not None
    client.force_login(demo_user("admin"))
    response = _search(client, "läkarmedverkan")
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("followup:contract_detail", args=[contract.pk]) in html
    assert str(contract.get_kind_display()) in html


def test_too_short_a_query_asks_for_more(client, demo_user):
    """One character is not searched; the user is told why."""
    client.force_login(demo_user("mas"))
    assert "Skriv minst två tecken." in _search(client, "a").content.decode()


# Session, user, assignments (with the person and its municipality), one register-admin look-up, the unread
# count (header); then one query per kind (deviations, Lex Maria, units, follow-ups); people and contracts
# cost nothing for a MAS.
SEARCH_QUERIES = 10


def test_search_query_count_does_not_grow_with_the_hits(client, demo_user, django_assert_num_queries):
    """A search costs the same number of queries for one hit and for a full page of hits."""
    _with_text(report(), f"Första {WORD}.")
    client.force_login(demo_user("mas"))
    _search(client, WORD)
    with django_assert_num_queries(SEARCH_QUERIES):
        assert _search(client, WORD).status_code == 200
    for _i in range(25):
        _with_text(report(), f"Ännu en {WORD}.")
    with django_assert_num_queries(SEARCH_QUERIES):
        html = _search(client, WORD).content.decode()
    assert "Endast de första 20 visas" in html


def test_a_lex_maria_reference_opens_the_case_for_the_board_and_not_for_the_contractor(client, demo_user):
    """The board official jumps to the board's Lex Maria case by its LM reference; the contractor's MAS is told
    there is no such case she may see."""
    from tests.incidents.lexmaria_factories import open_case

    case = open_case()
    client.force_login(demo_user("tjansteman"))
    response = _search(client, case.reference)
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:lex_maria_detail", args=[case.pk])
    client.force_login(demo_user("entreprenor-mas"))
    html = _search(client, case.reference).content.decode()
    assert f"Det finns inget ärende {case.reference} som du får se." in html
    assert reverse("incidents:lex_maria_detail", args=[case.pk]) not in html


def test_part_of_a_reference_lists_the_deviations_it_is_part_of(client, demo_user):
    """Digits from a reference (not the whole of it) list the matching deviations rather than jumping."""
    deviation = report()
    client.force_login(demo_user("mas"))
    html = _search(client, deviation.reference[3:]).content.decode()  # "2026-000123": no prefix
    assert f'href="{reverse("incidents:deviation_detail", args=[deviation.pk])}">{deviation.reference}<' in html


def test_the_full_text_match_has_its_index_on_postgresql():
    """The word search reads the GIN index (migration incidents 0007), not every visible deviation's text."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite searches with a plain contains match")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN ('deviation_search_sv_idx', 'lexmariacase_search_sv_idx')"
        )
        assert {row[0] for row in cursor.fetchall()} == {"deviation_search_sv_idx", "lexmariacase_search_sv_idx"}
