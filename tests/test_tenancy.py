"""Tenancy: an admin (and the staff) of municipality A sees and changes nothing of municipality B.

The demo municipality (Stockholm) is A; B is a second, small municipality with its own admin,
units, contracts, deviations, Lex Maria cases, a complaint and follow-ups
(tests/crawl/other_municipality.py). One test per app: its views, exports, commands and jobs.
Every page of every role against B's objects is also in the crawl (tests/test_crawl.py).
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.crawl.fixtures import other_municipality  # noqa: F401 - the second municipality, rolled back

pytestmark = pytest.mark.usefixtures("other_municipality", "db")


def _user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def b(other_municipality):  # noqa: F811
    from responsibility.models import Municipality

    return Municipality.objects.get(pk=other_municipality.municipality_id)


@pytest.fixture
def admin_a(client):
    client.force_login(_user("admin"))
    return client


def _refused(client, url: str, data: dict | None = None) -> None:
    """GET and POST of ``url`` answer 404 (as an id that does not exist)."""
    assert client.get(url).status_code == 404, url
    assert client.post(url, data or {}).status_code == 404, url


# --- tenancy itself ---------------------------------------------------------------------------


def test_municipality_of_is_the_persons_and_never_the_first(b, other_municipality):  # noqa: F811
    from responsibility.models import Municipality
    from responsibility.tenancy import NoMunicipality, municipality_of, person_of

    admin_b = _user(other_municipality.admin_username)
    assert Municipality.objects.order_by("pk").first() != b
    assert municipality_of(admin_b) == b
    assert person_of(admin_b).municipality_id == b.pk
    lone = get_user_model().objects.create_superuser("ensam-operator", None)
    with pytest.raises(NoMunicipality):
        municipality_of(lone)


def test_a_superuser_without_a_person_gets_a_swedish_403_and_no_data(client):
    from responsibility.permissions import units_visible_to

    lone = get_user_model().objects.create_superuser("ensam-operator", None)
    client.force_login(lone)

    for name in ("responsibility:admin_home", "followup:contract_list", "followup:contract_create"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert "inte kopplat till en person" in response.content.decode(), name
    assert not units_visible_to(lone).exists()
    assert list(client.get(reverse("responsibility:unit_list")).context["page"].object_list) == []


def _contract_data(contract) -> dict:
    """The contract form's POST data with the values of ``contract``."""
    from django.forms.models import model_to_dict

    from followup.forms import ContractForm

    data = {}
    for name, value in model_to_dict(contract, fields=ContractForm.Meta.fields).items():
        if value is None or value is False:
            continue
        if name == "units":
            value = [u.pk for u in value]
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def test_a_contract_created_by_bs_admin_lands_in_b(client, b, other_municipality):  # noqa: F811
    from responsibility.models import Board, Contract

    client.force_login(_user(other_municipality.admin_username))
    data = {
        **_contract_data(Contract.objects.filter(municipality=b).order_by("pk").first()),
        "case_number": "B-2026-1",
        "successor": "",
    }

    response = client.post(reverse("followup:contract_create"), data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    assert Contract.objects.get(case_number="B-2026-1").municipality_id == b.pk
    # A's boards are no choices on B's form: the form refuses them and nothing is saved.
    a_board = Board.objects.exclude(municipality=b).first()
    response = client.post(
        reverse("followup:contract_create"), {**data, "case_number": "B-2026-2", "managing_board": a_board.pk}
    )
    assert response.status_code == 400
    assert "managing_board" in response.context["form"].errors
    assert not Contract.objects.filter(case_number="B-2026-2").exists()


# --- responsibility -----------------------------------------------------------------------------


def test_responsibility_admin_of_a_sees_and_changes_nothing_of_b(admin_a, b):
    from responsibility.models import Assignment, Board, CareProvider, Person, Region, Unit
    from responsibility.permissions import units_visible_to

    region = Region.objects.filter(municipality=b).first()
    person = Person.objects.filter(municipality=b).first()
    unit = Unit.objects.filter(municipality=b).first()
    assignment = Assignment.objects.filter(person__municipality=b).first()
    for url in (
        reverse("responsibility:region_edit", args=[region.pk]),
        reverse("responsibility:board_edit", args=[Board.objects.filter(municipality=b).first().pk]),
        reverse("responsibility:provider_edit", args=[CareProvider.objects.filter(municipality=b).first().pk]),
        reverse("responsibility:person_edit", args=[person.pk]),
        reverse("responsibility:assignment_edit", args=[assignment.pk]),
        reverse("responsibility:unit_edit", args=[unit.code]),
        reverse("responsibility:unit_change_operation", args=[unit.code]),
    ):
        _refused(admin_a, url, {"name": "Kapad", "first_name": "Kapad"})
    for url in (  # pages without a form
        reverse("responsibility:assignment_history", args=[assignment.pk]),
        reverse("responsibility:unit_history", args=[unit.code]),
        reverse("responsibility:unit_detail", args=[unit.code]),
    ):
        assert admin_a.get(url).status_code == 404, url
    region.refresh_from_db()
    person.refresh_from_db()
    assert "Kapad" not in (region.name, person.first_name)
    assert unit.code not in admin_a.get(reverse("responsibility:unit_admin_list")).content.decode()
    assert not units_visible_to(_user("admin")).filter(municipality=b).exists()
    assert units_visible_to(_user("admin")).exists()


def test_responsibility_commands_ask_for_the_municipality_when_a_code_is_in_both(b):
    from responsibility.models import Unit

    twin = Unit.objects.filter(municipality=b).first()
    twin.pk, twin.code = None, "hage-01"
    twin.save()

    with pytest.raises(CommandError, match="several municipalities"):
        call_command("who_is_responsible", "--unit", "hage-01", "--role", "MAS", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "who_is_responsible",
        "--unit",
        "hage-01",
        "--role",
        "MAS",
        "--municipality",
        "stockholm",
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue())["unit"] == "hage-01"
    out = io.StringIO()
    call_command("check_responsibility", "--municipality", b.code, "--format", "json", stdout=out)
    b_codes = set(Unit.objects.filter(municipality=b).values_list("code", flat=True))
    assert {f["unit"] for f in json.loads(out.getvalue())["findings"]} <= b_codes


# --- incidents ------------------------------------------------------------------------------------


def test_incidents_admin_of_a_sees_nothing_of_b(admin_a, b):
    from incidents.lexmaria.models import LexMariaCase
    from incidents.lexmaria.selectors import lex_maria_cases_visible_to, open_cases
    from incidents.models import Deviation
    from incidents.selectors import deviations_visible_to, unrouted_for

    admin = _user("admin")
    deviation = Deviation.objects.filter(municipality=b).exclude(state="draft").first()
    case = LexMariaCase.objects.filter(deviation__municipality=b).first()
    assert admin_a.get(reverse("incidents:deviation_detail", args=[deviation.pk])).status_code == 404
    assert admin_a.get(reverse("incidents:lex_maria_detail", args=[case.pk])).status_code == 404
    assert admin_a.get(reverse("incidents:lex_maria_pdf", args=[case.pk])).status_code == 404
    queue = admin_a.get(reverse("incidents:lex_maria_queue")).content.decode()
    # Reference series are per municipality: look for B's case by its link (ids are unique).
    assert reverse("incidents:lex_maria_detail", args=[case.pk]) not in queue
    own = open_cases(lex_maria_cases_visible_to(user=admin)).first()
    assert reverse("incidents:lex_maria_detail", args=[own.pk]) in queue
    assert not lex_maria_cases_visible_to(user=admin).filter(deviation__municipality=b).exists()
    assert lex_maria_cases_visible_to(user=admin).exists()
    assert not deviations_visible_to(user=admin).filter(municipality=b).exists()
    deviations, cases = unrouted_for(user=admin)
    assert not deviations.filter(municipality=b).exists()
    assert not cases.filter(deviation__municipality=b).exists()


def test_jobs_never_tell_one_municipalitys_people_about_the_other(b):
    from complaints.models import Complaint
    from core.models import Notification
    from core.scheduling import run_scheduled_jobs
    from incidents.lexmaria.models import LexMariaCase
    from incidents.models import Deviation

    run_scheduled_jobs()

    def refs(deviations, cases, complaints) -> set[str]:
        return (
            set(deviations.exclude(reference="").values_list("reference", flat=True))
            | set(cases.values_list("reference", flat=True))
            | set(complaints.values_list("reference", flat=True))
        )

    b_refs = refs(
        Deviation.objects.filter(municipality=b),
        LexMariaCase.objects.filter(deviation__municipality=b),
        Complaint.objects.filter(municipality=b),
    )
    a_refs = refs(
        Deviation.objects.exclude(municipality=b),
        LexMariaCase.objects.exclude(deviation__municipality=b),
        Complaint.objects.exclude(municipality=b),
    )
    only_b = b_refs - a_refs  # reference series are per municipality: the same number can be in both
    assert only_b
    to_a = Notification.objects.exclude(recipient__person__municipality=b)
    assert to_a.exists()
    leaks = [n.pk for n in to_a if any(ref in f"{n.subject} {n.body}" for ref in only_b)]
    assert leaks == []
    b_links = {d.get_absolute_url() for d in Deviation.objects.filter(municipality=b)}
    assert not to_a.filter(link__in=b_links).exists()


# --- follow-up ----------------------------------------------------------------------------------


def test_followup_admin_of_a_sees_and_changes_nothing_of_b(admin_a, b):
    from followup.models import FollowUp, FollowUpPlan
    from followup.selectors import followups_visible_to, plans_visible_to
    from responsibility.models import Contract

    contract = Contract.objects.filter(municipality=b).first()
    follow_up = FollowUp.objects.filter(municipality=b).first()
    assert admin_a.get(reverse("followup:contract_detail", args=[contract.pk])).status_code == 404
    _refused(admin_a, reverse("followup:contract_edit", args=[contract.pk]), {"title": "Kapad"})
    contract.refresh_from_db()
    assert contract.title != "Kapad"
    assert contract.case_number not in admin_a.get(reverse("followup:contract_list")).content.decode()
    assert admin_a.get(reverse("followup:followup_detail", args=[follow_up.pk])).status_code == 404
    admin = _user("admin")
    assert not followups_visible_to(admin).filter(municipality=b).exists()
    assert not plans_visible_to(admin).filter(municipality=b).exists()
    assert FollowUpPlan.objects.filter(municipality=b).exists()


def test_followup_status_command_asks_for_the_municipality_when_a_board_code_is_in_both(b):
    from responsibility.models import Board

    twin = Board.objects.filter(municipality=b).first()
    twin.code = Board.objects.exclude(municipality=b).first().code
    twin.save()

    with pytest.raises(CommandError, match="several municipalities"):
        call_command("followup_status", "--board", twin.code, stdout=io.StringIO())
    out = io.StringIO()
    call_command("followup_status", "--board", twin.code, "--municipality", b.code, "--format", "json", stdout=out)
    assert json.loads(out.getvalue())


# --- complaints ---------------------------------------------------------------------------------


def test_complaints_of_b_are_not_visible_in_a(client, b):
    from complaints.models import Complaint
    from complaints.selectors import complaints_visible_to

    complaint = Complaint.objects.get(municipality=b)
    for username in ("admin", "mas", "verksamhetschef", "enhetschef"):
        user = _user(username)
        assert not complaints_visible_to(user=user).filter(municipality=b).exists(), username
        client.force_login(user)
        assert client.get(reverse("complaints:complaint_detail", args=[complaint.pk])).status_code == 404, username
    with pytest.raises(CommandError, match="Several municipalities"):
        call_command("complaints_queue", stdout=io.StringIO())


# --- reports ------------------------------------------------------------------------------------


def test_reports_of_a_cover_a_only(admin_a, b):
    from reports.scopes import scopes_for_user
    from responsibility.models import Board, Region

    admin = _user("admin")
    scopes = scopes_for_user(admin)
    assert scopes
    assert {s.municipality_id for s in scopes} == {admin.person.municipality_id}
    board_b = Board.objects.filter(municipality=b).first()
    response = admin_a.get(
        reverse("reports:report_export", args=["csv"]), {"kind": "deviations", "scope": f"board:{board_b.code}"}
    )
    assert response.status_code == 400
    region_b = Region.objects.filter(municipality=b).first()
    response = admin_a.get(reverse("reports:report_detail"), {"kind": "deviations", "scope": f"region:{region_b.code}"})
    assert region_b.name not in response.content.decode()


# --- api ----------------------------------------------------------------------------------------


def test_api_admin_and_tokens_of_a_reach_nothing_of_b(admin_a, b):
    from api.models import ApiClient
    from api.services import api_client_create
    from incidents.models import Deviation
    from responsibility.models import Municipality

    b_client = api_client_create(municipality=b, name="B:s system", scopes=["read:cases", "read:register"])
    a_client = api_client_create(
        municipality=Municipality.objects.get(code="stockholm"),
        name="A:s system",
        scopes=["read:cases", "read:register"],
    )

    assert "B:s system" not in admin_a.get(reverse("api_admin:client_list")).content.decode()
    assert admin_a.post(reverse("api_admin:client_revoke", args=[b_client.client.pk])).status_code == 404
    assert ApiClient.objects.get(pk=b_client.client.pk).revoked_at is None
    deviation = Deviation.objects.filter(municipality=b).exclude(reference="").first()
    headers = {"Authorization": f"Bearer {a_client.token}"}
    response = admin_a.get(reverse("api:deviation_detail", args=[deviation.reference]), headers=headers)
    a_has_same = Deviation.objects.filter(municipality__code="stockholm", reference=deviation.reference).exists()
    assert response.status_code == (200 if a_has_same else 404)
    if a_has_same:
        assert response.json()["unit"]["code"] != deviation.unit.code
    units = admin_a.get(reverse("api:units"), headers=headers).json()["results"]
    assert not {u["code"] for u in units} & set(b.units.values_list("code", flat=True))
