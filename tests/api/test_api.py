"""REST API v1: tokens and scopes, tenancy, the register, the deviation POST, case reads, logs and limits."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from api.models import ApiClient, ApiRequestLog
from api.services import api_client_revoke
from core.models import Notification
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState, PatientDataAccess
from responsibility.choices import STATUTORY_ROLES
from responsibility.models import Board, Municipality, Unit
from tests.api.conftest import Api, make_client
from tests.incidents.deviation_helpers import VALID_PNR, report

pytestmark = pytest.mark.django_db

PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+]?\d{4}(?!\d)")
PROBLEM = "application/problem+json"


def _body(**overrides) -> dict:
    occurred = timezone.localtime() - timedelta(hours=3)
    body = {
        "unit": "hage-01",
        "occurred_at": occurred.isoformat(timespec="minutes"),
        "discovered_at": (occurred + timedelta(minutes=15)).isoformat(timespec="minutes"),
        "category": "fall",
        "event_kind": "occurred",
        "description": "Boende föll vid toaletten.",
        "immediate_actions": "Sjuksköterska tillkallad.",
        "patient_identifier": VALID_PNR,
        "consequence": 2,
        "probability": 3,
    }
    body.update(overrides)
    return body


def _other_municipality() -> Municipality:
    """A second municipality with one board and unit of its own (and a code that also exists in Stockholm)."""
    other = Municipality.objects.create(name="Annan kommun", code="annan", org_number="212000-0142")
    board = Board.objects.create(municipality=other, code="farsta", name="Annan Farsta")
    stockholm_unit = Unit.objects.select_related("provider").get(code="hage-01")
    provider = stockholm_unit.provider.__class__.objects.create(
        municipality=other, name="Annan kommun, Farsta", org_number="212000-0142", kind="municipal", board=board
    )
    Unit.objects.create(
        municipality=other,
        code="hage-01",
        name="Annans Hage",
        unit_type=stockholm_unit.unit_type,
        board=board,
        provider=provider,
        operating_form=stockholm_unit.operating_form,
    )
    return other


# --- authentication, scopes, revocation, expiry -----------------------------------------------


def test_no_token_is_a_swedish_problem_with_a_bearer_challenge(client):
    """Without a token every endpoint answers 401 as problem details in Swedish."""
    response = client.get("/api/v1/units/")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["title"] == "En giltig API-token krävs."


def test_wrong_secret_revoked_and_expired_tokens_are_refused():
    """A token with a wrong secret, a revoked one and an expired one all get 401; a valid one 200."""
    client, token = make_client(scopes=["read:register"])
    assert Api(token).get("/api/v1/units/").status_code == 200
    assert Api(token[:-2] + "xx").get("/api/v1/units/").status_code == 401
    api_client_revoke(client=client)
    assert Api(token).get("/api/v1/units/").status_code == 401
    expiring, expiring_token = make_client(scopes=["read:register"])
    ApiClient.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Api(expiring_token).get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token är okänd, återkallad eller har gått ut."


def test_the_secret_is_stored_only_as_a_hash():
    client, token = make_client()
    secret = token.split(".")[2]
    assert secret not in json.dumps(list(ApiClient.objects.filter(pk=client.pk).values()), default=str)
    assert len(client.secret_hash) == 64


def test_a_read_only_token_cannot_write_and_a_register_token_cannot_read_cases():
    """Scopes: read:register does not open cases; read:cases does not open POST; nothing is written when refused."""
    _c, register_token = make_client(scopes=["read:register"])
    _c, cases_token = make_client(scopes=["read:cases"])
    before = Deviation.objects.count()
    assert Api(register_token).get("/api/v1/deviations/").status_code == 403
    assert Api(register_token).get("/api/v1/lex-maria-cases/").status_code == 403
    refused = Api(cases_token).post("/api/v1/deviations/", _body())
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM
    assert refused.json()["title"] == "Token får inte göra detta."
    assert Deviation.objects.count() == before
    assert Api(cases_token).get("/api/v1/units/").status_code == 403
    assert Api(cases_token).get("/api/v1/deviations/").status_code == 200
    _c, lm_token = make_client(scopes=["read:lexmaria"])
    assert Api(lm_token).get("/api/v1/lex-maria-cases/").status_code == 200
    assert Api(lm_token).get("/api/v1/deviations/").status_code == 403


# --- tenancy and restrictions -----------------------------------------------------------------


def test_a_token_of_another_municipality_sees_nothing_of_stockholm():
    """Units, people, contracts, deviations and cases of Stockholm are invisible to the other municipality."""
    report(pnr=VALID_PNR)
    other = _other_municipality()
    _c, token = make_client(municipality="annan")
    api = Api(token)
    units = api.all_pages("/api/v1/units/")
    assert [u["name"] for u in units] == ["Annans Hage"]
    assert api.all_pages("/api/v1/people/") == []
    assert api.all_pages("/api/v1/contracts/") == []
    assert api.all_pages("/api/v1/deviations/") == []
    assert api.all_pages("/api/v1/lex-maria-cases/") == []
    stockholm_deviation = Deviation.objects.exclude(reference="").first()
    assert api.get(f"/api/v1/deviations/{stockholm_deviation.reference}/").status_code == 404
    # The other municipality's hage-01 answers with its own unit, never Stockholm's.
    answer = api.get("/api/v1/units/hage-01/responsible", {"role": "MAS"}).json()
    assert answer["holder"] is None
    # It cannot report for a Stockholm unit either (the code resolves within its municipality; the category too).
    response = api.post("/api/v1/deviations/", _body(unit="hage-02"))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"unit", "category"}
    assert not Deviation.objects.filter(municipality=other).exists()


def test_a_token_restricted_to_a_contractor_reads_nothing_of_another_provider():
    """A contractor token sees only that contractor's units and their deviations, and may report only there."""
    norrsken = Unit.objects.filter(provider__name="Norrsken Omsorg AB").order_by("code").first()
    elsewhere = Unit.objects.exclude(provider__name="Norrsken Omsorg AB").order_by("code").first()
    _c, token = make_client(provider="Norrsken Omsorg AB")
    api = Api(token)
    unit_codes = {u["code"] for u in api.all_pages("/api/v1/units/")}
    assert unit_codes == set(Unit.objects.filter(provider__name="Norrsken Omsorg AB").values_list("code", flat=True))
    references = {d["reference"] for d in api.all_pages("/api/v1/deviations/")}
    expected = set(
        Deviation.objects.filter(unit__provider__name="Norrsken Omsorg AB")
        .exclude(state=DeviationState.DRAFT)
        .values_list("reference", flat=True)
    )
    assert references == expected
    assert api.get(f"/api/v1/units/{elsewhere.code}/responsible", {"role": "MAS"}).status_code == 404
    refused = api.post("/api/v1/deviations/", _body(unit=elsewhere.code))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "#/unit"
    created = api.post("/api/v1/deviations/", _body(unit=norrsken.code))
    assert created.status_code == 201, created.content


def test_a_board_restricted_token_sees_only_the_boards_units():
    board = Board.objects.get(municipality__code="stockholm", code="farsta")
    _c, token = make_client(boards=["farsta"], scopes=["read:register"])
    codes = {u["code"] for u in Api(token).all_pages("/api/v1/units/")}
    assert codes == set(Unit.objects.filter(board=board).values_list("code", flat=True))


# --- the register ---------------------------------------------------------------------------


def test_responsible_answers_exactly_what_who_is_responsible_answers_for_every_demo_unit_and_role(full):
    """Same resolver, same reason: the API's JSON equals the command's JSON for every unit and statutory role."""
    on = timezone.localdate().isoformat()
    units = list(Unit.objects.filter(municipality__code="stockholm").values_list("code", flat=True))
    assert len(units) >= 50
    for code in units:
        for role in STATUTORY_ROLES:
            out = io.StringIO()
            call_command("who_is_responsible", unit=code, role=str(role), date=on, format="json", stdout=out)
            response = full.get(f"/api/v1/units/{code}/responsible", {"role": str(role), "date": on})
            assert response.status_code == 200
            assert response.json() == json.loads(out.getvalue()), (code, role)


def test_findings_equal_check_responsibility_json(full):
    on = timezone.localdate().isoformat()
    out = io.StringIO()
    call_command("check_responsibility", date=on, board="farsta", format="json", stdout=out)
    response = full.get("/api/v1/register/findings", {"date": on, "board": "farsta"})
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["count"] > 0


def test_units_give_the_operation_on_the_requested_date(full):
    """Units list board, region, provider and operating form; every unit of the municipality, paged by cursor."""
    rows = full.all_pages("/api/v1/units/", {"page_size": 7})
    assert len(rows) == Unit.objects.filter(municipality__code="stockholm").count()
    hage = next(r for r in rows if r["code"] == "hage-01")
    unit = Unit.objects.select_related("board", "provider").get(code="hage-01")
    assert hage["board"]["code"] == unit.board.code
    assert hage["provider"]["name"] == unit.provider.name
    assert hage["operating_form"] == unit.operating_form


def test_people_carry_only_name_title_profession_licence_and_email(full):
    rows = full.all_pages("/api/v1/people/", {"page_size": 200})
    assert rows
    assert set(rows[0]) == {"id", "first_name", "last_name", "title", "profession", "licensed", "email"}


def test_bad_query_parameters_are_problems_with_field_pointers(full):
    response = full.get("/api/v1/units/hage-01/responsible", {"role": "BOSS", "date": "2026-13-01"})
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert {e["pointer"] for e in response.json()["errors"]} == {"#/role", "#/date"}


# --- POST /api/v1/deviations/ -----------------------------------------------------------------


def test_post_routes_and_notifies_exactly_like_the_form(client, full):
    """The same data through the form and the API: same routing, same managers, MAS and copies told."""
    body = _body()
    response = full.post("/api/v1/deviations/", body)
    assert response.status_code == 201, response.content
    api_dev = Deviation.objects.get(reference=response.json()["reference"])
    client.force_login(get_user_model().objects.get(username="rapportor"))
    form = {
        **body,
        "unit": api_dev.unit_id,
        "category": api_dev.category_id,
        "submit": "1",
        "occurred_at": body["occurred_at"][:16],
        "discovered_at": body["discovered_at"][:16],
    }
    assert client.post(reverse("incidents:deviation_create"), form).status_code == 302
    form_dev = Deviation.objects.filter(reporter__username="rapportor").latest("pk")
    for field in (
        "state",
        "mas_person_id",
        "mas_role",
        "board_mas_copy_id",
        "operations_manager_id",
        "risk_score",
        "patient_hash",
        "occurred_at",
        "due_at",
    ):
        if field == "due_at":
            assert abs(api_dev.due_at - form_dev.due_at) < timedelta(minutes=5)
        else:
            assert getattr(api_dev, field) == getattr(form_dev, field), field
    assert set(api_dev.unit_managers.all()) == set(form_dev.unit_managers.all())

    def told(d):
        return sorted(
            Notification.objects.filter(dedupe_key__startswith=f"deviation:{d.pk}:")
            .exclude(kind="deviation_received")
            .values_list("kind", "recipient_id")
        )

    assert told(api_dev) == told(form_dev)
    assert told(api_dev)
    assert api_dev.reporter.api_client.name
    assert response.json() == {
        "reference": api_dev.reference,
        "state": "registered",
        "url": f"/api/v1/deviations/{api_dev.reference}/",
    }


def test_bad_input_gets_the_forms_swedish_messages_as_problem_details(full):
    before = Deviation.objects.count()
    future = (timezone.localtime() + timedelta(days=2)).isoformat(timespec="minutes")
    response = full.post(
        "/api/v1/deviations/",
        _body(description="  ", unit="", occurred_at=future, consequence=7, patient_identifier="19121212-1213"),
    )
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["title"] == "Uppgifterna är inte giltiga."
    errors = {e["pointer"]: e["detail"] for e in body["errors"]}
    assert errors["#/description"] == "Beskriv vad som hände."
    assert errors["#/unit"] == "Välj enheten där det hände."
    assert errors["#/occurred_at"] == "Händelsen kan inte ligga i framtiden."
    assert "#/consequence" in errors
    assert "#/patient_identifier" in errors
    assert VALID_PNR not in response.content.decode()
    assert "19121212-1213" not in response.content.decode()
    assert Deviation.objects.count() == before


def test_wrong_json_types_are_problems_not_errors(full):
    response = full.post("/api/v1/deviations/", {"description": ["a"], "consequence": "many"})
    assert response.status_code == 400
    assert {e["pointer"] for e in response.json()["errors"]} == {"#/description", "#/consequence"}
    response = full.http.post("/api/v1/deviations/", "not json", content_type="application/json", headers=full.headers)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


def test_a_retry_with_the_same_idempotency_key_never_creates_a_second_deviation(full):
    body = _body()
    first = full.post("/api/v1/deviations/", body, **{"Idempotency-Key": "lifecare-4711"})
    assert first.status_code == 201
    again = full.post("/api/v1/deviations/", body, **{"Idempotency-Key": "lifecare-4711"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Deviation.objects.filter(reference=first.json()["reference"]).count() == 1
    assert Deviation.objects.filter(reporter__api_client__isnull=False).count() == 1
    changed = full.post(
        "/api/v1/deviations/", _body(description="Något annat."), **{"Idempotency-Key": "lifecare-4711"}
    )
    assert changed.status_code == 422
    assert changed["Content-Type"] == PROBLEM
    assert changed.json()["title"] == "Idempotency-Key har använts med ett annat innehåll."
    assert Deviation.objects.filter(reporter__api_client__isnull=False).count() == 1


def test_a_refused_post_leaves_its_idempotency_key_free(full):
    assert full.post("/api/v1/deviations/", _body(description=""), **{"Idempotency-Key": "k1"}).status_code == 422
    assert full.post("/api/v1/deviations/", _body(), **{"Idempotency-Key": "k1"}).status_code == 201


def test_the_same_key_of_two_clients_is_two_deviations(full):
    _c, token = make_client()
    assert full.post("/api/v1/deviations/", _body(), **{"Idempotency-Key": "k"}).status_code == 201
    assert Api(token).post("/api/v1/deviations/", _body(), **{"Idempotency-Key": "k"}).status_code == 201


# --- reading deviations and Lex Maria cases ---------------------------------------------------


def test_no_response_contains_a_personnummer_and_reads_of_patient_data_are_logged(full):
    """Every read endpoint, with deviations and cases that hold patient data: no personnummer anywhere."""
    created = full.post("/api/v1/deviations/", _body(description=f"Patient {VALID_PNR} föll."))
    reference = created.json()["reference"]
    deviation = Deviation.objects.get(reference=reference)
    assert deviation.patient_hash
    case = LexMariaCase.objects.select_related("deviation").first()
    assert case is not None
    paths = [
        "/api/v1/units/",
        "/api/v1/people/",
        "/api/v1/assignments/",
        "/api/v1/contracts/",
        "/api/v1/register/findings",
        "/api/v1/deviations/",
        f"/api/v1/deviations/{reference}/",
        "/api/v1/lex-maria-cases/",
        f"/api/v1/lex-maria-cases/{case.reference}/",
        "/api/v1/units/hage-01/responsible?role=MAS",
    ]
    before = PatientDataAccess.objects.filter(user=deviation.reporter).count()
    for path in paths:
        response = full.get(path, {"page_size": 200} if path.endswith("/") and "?" not in path else None)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert not PERSONNUMMER.findall(text), (path, PERSONNUMMER.findall(text)[:3])
        assert "patient_hash" not in text
        assert "patient_identifier" not in text
    detail = full.get(f"/api/v1/deviations/{reference}/").json()
    assert "[…]" in detail["description"]
    logged = PatientDataAccess.objects.filter(user=deviation.reporter, deviation=deviation, action="api")
    assert logged.count() >= 2  # in the list and the detail
    assert PatientDataAccess.objects.filter(user=deviation.reporter).count() > before


def test_deviation_filters_and_cursor_pagination_cover_exactly_the_visible_rows(full):
    for days in (1, 2, 40):
        report(days_ago=days)
    visible = Deviation.objects.filter(municipality__code="stockholm").exclude(state=DeviationState.DRAFT)
    rows = full.all_pages("/api/v1/deviations/", {"page_size": 3})
    assert sorted(r["reference"] for r in rows) == sorted(visible.values_list("reference", flat=True))
    assert len({r["reference"] for r in rows}) == len(rows)
    start = (timezone.localdate() - timedelta(days=10)).isoformat()
    recent = full.all_pages("/api/v1/deviations/", {"period_start": start, "unit": "hage-01"})
    expected = visible.filter(occurred_at__date__gte=start, unit__code="hage-01")
    assert sorted(r["reference"] for r in recent) == sorted(expected.values_list("reference", flat=True))
    assert all(r["unit"] == "hage-01" for r in recent)
    since = timezone.now()
    assert full.all_pages("/api/v1/deviations/", {"updated_since": since.isoformat()}) == []
    fresh = report(days_ago=1)
    synced = full.all_pages("/api/v1/deviations/", {"updated_since": since.isoformat()})
    assert [r["reference"] for r in synced] == [fresh.reference]
    registered = full.all_pages("/api/v1/deviations/", {"state": "registered", "board": "farsta"})
    assert all(r["state"] == "registered" and r["board"] == "farsta" for r in registered)


def test_lex_maria_cases_and_their_updated_since(full):
    rows = full.all_pages("/api/v1/lex-maria-cases/")
    assert sorted(r["reference"] for r in rows) == sorted(
        LexMariaCase.objects.filter(deviation__municipality__code="stockholm").values_list("reference", flat=True)
    )
    since = timezone.now()
    assert full.all_pages("/api/v1/lex-maria-cases/", {"updated_since": since.isoformat()}) == []


# --- logging and rate limit -------------------------------------------------------------------


def test_every_call_is_logged_with_client_endpoint_and_status():
    client, token = make_client(scopes=["read:register"])
    api = Api(token)
    api.get("/api/v1/units/")
    api.get("/api/v1/deviations/")
    logged = list(ApiRequestLog.objects.filter(client=client).order_by("pk").values_list("method", "path", "status"))
    assert logged == [("GET", "/api/v1/units/", 200), ("GET", "/api/v1/deviations/", 403)]
    client.refresh_from_db()
    assert client.last_used_at is not None


@override_settings(API_RATE_LIMIT="3/min")
def test_the_rate_limit_per_client_answers_a_429_problem_with_retry_after():
    _c, token = make_client(scopes=["read:register"])
    _c, other_token = make_client(scopes=["read:register"])
    api = Api(token)
    assert [api.get("/api/v1/people/").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/api/v1/people/")
    assert limited.status_code == 429
    assert limited["Content-Type"] == PROBLEM
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["title"] == "För många anrop."
    assert Api(other_token).get("/api/v1/people/").status_code == 200  # per client, not global


# --- schema and documentation -----------------------------------------------------------------


def test_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/units/{code}/responsible" in paths
    assert "post" in paths["/api/v1/deviations/"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "/api/v1/deviations/" in docs.content.decode()
    assert "<script>" not in docs.content.decode()


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/v1/units/", 9),
        ("/api/v1/people/", 6),
        ("/api/v1/assignments/", 6),
        ("/api/v1/contracts/", 7),
        ("/api/v1/deviations/", 7),
        ("/api/v1/lex-maria-cases/", 7),
    ],
)
def test_a_list_page_costs_the_same_queries_whatever_its_size(full, path, queries):
    """Authentication, scope, the rate count, one page of rows with what they show, the logs: constant in size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        report(pnr=VALID_PNR)
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as ctx:
            assert full.get(path, {"page_size": size}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts == [queries, queries]


def test_a_post_without_event_kind_gets_what_the_form_preselects(full):
    body = _body()
    body.pop("event_kind")
    response = full.post("/api/v1/deviations/", body)
    assert response.status_code == 201, response.content
    assert Deviation.objects.get(reference=response.json()["reference"]).event_kind == "occurred"
