"""Property-based run of schemathesis over the whole live schema, in process against the WSGI app.

Every operation, with a token of every scope and with a read-only one: no server error, every status code
documented, every body and content type as the schema says. Examples are bounded to keep the run short.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import make_client

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def api_schema(db):
    # As Django's test client does: a request must not close the test's connection (its open transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(api_schema, token: str) -> dict[str, int]:
    """Run every operation's generated cases, valid and invalid; return how many cases ran per operation."""
    ran: dict[str, int] = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        ran[operation.label] = 0
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, token, ran, mode)
    return ran


def _run(operation, token: str, ran: dict[str, int], mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @SETTINGS
    def check(case):
        ran[operation.label] += 1
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)

    check()


@pytest.fixture
def all_scopes_token(db):
    return make_client(scopes=["read:register", "read:cases", "write:deviations"])[1]


@pytest.fixture
def read_register_token(db):
    return make_client(scopes=["read:register"])[1]


def test_every_operation_answers_as_its_schema_says_with_every_scope(api_schema, all_scopes_token):
    ran = _fuzz(api_schema, all_scopes_token)
    assert "POST /api/v1/deviations/" in ran
    assert len(ran) == 15  # every operation of the schema, complaints and follow-ups included
    assert all(n > 0 for n in ran.values()), ran


def test_every_operation_answers_as_its_schema_says_with_a_read_only_token(api_schema, read_register_token):
    ran = _fuzz(api_schema, read_register_token)
    assert all(n > 0 for n in ran.values()), ran


def test_create_then_read_conforms_to_the_schema(api_schema, all_scopes_token):
    """The stateful path an integrator takes: POST a valid deviation, then GET it by its reference and list it."""
    from datetime import timedelta

    from django.utils import timezone

    operations = {r.ok().label: r.ok() for r in api_schema.get_all_operations()}
    headers = {"Authorization": f"Bearer {all_scopes_token}", "Idempotency-Key": "schemathesis-1"}
    occurred = (timezone.localtime() - timedelta(hours=1)).isoformat(timespec="minutes")
    body = {
        "unit": "hage-01",
        "occurred_at": occurred,
        "discovered_at": occurred,
        "category": "fall",
        "description": "Boende föll.",
        "consequence": 2,
        "probability": 2,
    }
    create = operations["POST /api/v1/deviations/"].Case(body=body, media_type="application/json")
    created = create.call(headers=headers)
    create.validate_response(created, checks=CHECKS)
    assert created.status_code == 201
    reference = created.json()["reference"]
    retry = create.call(headers=headers)
    create.validate_response(retry, checks=CHECKS)
    assert retry.json()["reference"] == reference
    read = operations["GET /api/v1/deviations/{reference}/"].Case(path_parameters={"reference": reference})
    detail = read.call(headers=headers)
    read.validate_response(detail, checks=CHECKS)
    assert detail.json()["reference"] == reference
    listing = operations["GET /api/v1/deviations/"].Case(query={"unit": "hage-01", "page_size": 200})
    page = listing.call(headers=headers)
    listing.validate_response(page, checks=CHECKS)
    assert reference in {row["reference"] for row in page.json()["results"]}
