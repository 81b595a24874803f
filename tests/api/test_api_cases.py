"""REST API v1: complaints and follow-ups (scopes, tenancy, restriction, filters, logs) and the shared rate limit."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiRequestLog
from complaints.models import Complaint
from followup.choices import FollowUpKind, FollowUpTrigger
from followup.models import FollowUp
from incidents.models import PatientDataAccess
from responsibility.models import CareProvider, Contract, Unit
from tests.api.conftest import Api, make_client
from tests.api.test_api import _other_municipality

pytestmark = pytest.mark.django_db

PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+]?\d{4}(?!\d)")
PROVIDER = "Norrsken Omsorg AB"


def _stockholm_complaints():
    return Complaint.objects.filter(municipality__code="stockholm")


def _stockholm_followups():
    return FollowUp.objects.filter(municipality__code="stockholm")


def _contract_review() -> FollowUp:
    """A contract follow-up of the contract as a whole (no unit), as the contract pages create them."""
    template = _stockholm_followups().first().checklist_template
    contract = Contract.objects.filter(municipality__code="stockholm", units__isnull=False).first()
    return FollowUp.objects.create(
        municipality=contract.municipality,
        kind=FollowUpKind.CONTRACT_REVIEW,
        trigger=FollowUpTrigger.BOARD_REQUEST,
        contract=contract,
        board=contract.units.first().board,
        checklist_template=template,
        scheduled_date=timezone.localdate(),
    )


def test_the_demo_has_complaints_with_patient_data_and_follow_ups_with_findings():
    """The assertions below are about real rows: the demo holds what they read."""
    assert _stockholm_complaints().exclude(patient_hash="").exists()
    assert _stockholm_followups().filter(findings__isnull=False).exists()


def test_complaints_are_the_municipalitys_without_a_personnummer_and_reading_them_is_logged(full):
    rows = full.all_pages("/api/v1/complaints/", {"page_size": 7})
    assert sorted(r["reference"] for r in rows) == sorted(_stockholm_complaints().values_list("reference", flat=True))
    body = full.get("/api/v1/complaints/", {"page_size": 200}).content.decode()
    assert not PERSONNUMMER.findall(body)
    assert "patient_hash" not in body
    assert "patient_identifier" not in body
    with_patient = _stockholm_complaints().exclude(patient_hash="").first()
    detail = full.get(f"/api/v1/complaints/{with_patient.reference}/")
    assert detail.status_code == 200
    assert detail.json()["unit"] == with_patient.unit.code
    assert detail.json()["categories"] == list(
        with_patient.categories.order_by("order", "code").values_list("code", flat=True)
    )
    logged = PatientDataAccess.objects.filter(reference=with_patient.reference, action="api", deviation=None)
    assert logged.count() >= 2  # the list page and the detail
    assert logged.first().unit_id == with_patient.unit_id
    assert logged.first().patient_hash == with_patient.patient_hash


def test_complaint_filters_select_exactly_the_matching_rows(full):
    some = _stockholm_complaints().select_related("unit__board").first()
    rows = full.all_pages("/api/v1/complaints/", {"unit": some.unit.code})
    assert sorted(r["reference"] for r in rows) == sorted(
        _stockholm_complaints().filter(unit=some.unit).values_list("reference", flat=True)
    )
    rows = full.all_pages("/api/v1/complaints/", {"state": some.state, "board": some.unit.board.code})
    expected = _stockholm_complaints().filter(state=some.state, unit__board=some.unit.board)
    assert sorted(r["reference"] for r in rows) == sorted(expected.values_list("reference", flat=True))
    since = timezone.now()
    assert full.all_pages("/api/v1/complaints/", {"updated_since": since.isoformat()}) == []
    Complaint.objects.filter(pk=some.pk).update(updated_at=timezone.now() + timedelta(seconds=1))
    assert [r["reference"] for r in full.all_pages("/api/v1/complaints/", {"updated_since": since.isoformat()})] == [
        some.reference
    ]


def test_follow_ups_of_units_and_contracts_with_their_findings(full):
    contract_review = _contract_review()
    rows = full.all_pages("/api/v1/follow-ups/", {"page_size": 9})
    assert sorted(r["id"] for r in rows) == sorted(_stockholm_followups().values_list("pk", flat=True))
    with_findings = _stockholm_followups().filter(findings__isnull=False).first()
    detail = full.get(f"/api/v1/follow-ups/{with_findings.pk}/").json()
    assert [f["description"] for f in detail["findings"]] == list(
        with_findings.findings.order_by("id").values_list("description", flat=True)
    )
    row = full.get(f"/api/v1/follow-ups/{contract_review.pk}/").json()
    assert row["unit"] is None
    assert row["contract"] == contract_review.contract.case_number
    state = with_findings.state
    filtered = full.all_pages("/api/v1/follow-ups/", {"state": state, "kind": with_findings.kind})
    expected = _stockholm_followups().filter(state=state, kind=with_findings.kind)
    assert sorted(r["id"] for r in filtered) == sorted(expected.values_list("pk", flat=True))


def test_a_contractor_token_reads_only_its_units_complaints_and_follow_ups():
    own_review = _contract_review()
    Contract.objects.filter(pk=own_review.contract_id).update(provider=CareProvider.objects.get(name=PROVIDER))
    Contract.objects.get(pk=own_review.contract_id).units.clear()
    _c, token = make_client(provider=PROVIDER, scopes=["read:complaints", "read:followups"])
    api = Api(token)
    units = set(Unit.objects.filter(provider__name=PROVIDER).values_list("pk", flat=True))
    complaints = {r["reference"] for r in api.all_pages("/api/v1/complaints/")}
    assert complaints == set(_stockholm_complaints().filter(unit__in=units).values_list("reference", flat=True))
    follow_ups = {r["id"] for r in api.all_pages("/api/v1/follow-ups/")}
    own = set(_stockholm_followups().filter(unit__in=units).values_list("pk", flat=True))
    assert own <= follow_ups
    assert own_review.pk in follow_ups  # the review of the contractor's own contract, which has no unit
    others = _stockholm_followups().exclude(unit__in=units).exclude(unit__isnull=True)
    assert not follow_ups & set(others.values_list("pk", flat=True))
    foreign = _stockholm_complaints().exclude(unit__in=units).first()
    assert api.get(f"/api/v1/complaints/{foreign.reference}/").status_code == 404
    assert api.get(f"/api/v1/follow-ups/{others.first().pk}/").status_code == 404


def test_a_token_of_another_municipality_reads_no_complaint_or_follow_up_of_stockholm():
    _other_municipality()
    _c, token = make_client(municipality="annan", scopes=["read:cases"])
    api = Api(token)
    assert api.all_pages("/api/v1/complaints/") == []
    assert api.all_pages("/api/v1/follow-ups/") == []
    complaint = _stockholm_complaints().first()
    assert api.get(f"/api/v1/complaints/{complaint.reference}/").status_code == 404
    assert api.get(f"/api/v1/follow-ups/{_stockholm_followups().first().pk}/").status_code == 404


@pytest.mark.parametrize(
    ("scopes", "complaints", "follow_ups"),
    [
        (["read:register"], 403, 403),
        (["read:deviations", "read:lexmaria"], 403, 403),
        (["read:complaints"], 200, 403),
        (["read:followups"], 403, 200),
        (["read:cases"], 200, 200),
    ],
)
def test_each_endpoint_needs_its_scope(scopes, complaints, follow_ups):
    _c, token = make_client(scopes=scopes)
    api = Api(token)
    assert api.get("/api/v1/complaints/").status_code == complaints
    assert api.get("/api/v1/follow-ups/").status_code == follow_ups


@pytest.mark.parametrize(("path", "queries"), [("/api/v1/complaints/", 8), ("/api/v1/follow-ups/", 7)])
def test_complaint_and_follow_up_pages_cost_the_same_queries_whatever_their_size(full, path, queries):
    """Authentication, scope, rate count, one page of rows with what they show, the logs: constant in the page size."""
    ids = list(_stockholm_complaints().order_by("id").values_list("patient_hash", flat=True))
    smallest = next(i for i, h in enumerate(ids) if h) + 1  # the first page that holds patient data (logged)
    counts = []
    for size in (smallest, 50):
        with CaptureQueriesContext(connection) as ctx:
            assert full.get(path, {"page_size": size}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts == [queries, queries]


@override_settings(API_RATE_LIMIT="3/min")
def test_calls_another_web_process_served_count_toward_the_same_limit():
    """The count is the shared request log: calls logged by any process (here: rows written directly) count."""
    client, token = make_client(scopes=["read:register"])
    for _ in range(3):
        ApiRequestLog.objects.create(client=client, method="GET", path="/api/v1/units/", status=200)
    limited = Api(token).get("/api/v1/people/")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    # Calls older than the window and calls that were themselves refused do not count.
    ApiRequestLog.objects.filter(client=client).update(at=timezone.now() - timedelta(minutes=2))
    ApiRequestLog.objects.create(client=client, method="GET", path="/api/v1/units/", status=429)
    assert Api(token).get("/api/v1/people/").status_code == 200
