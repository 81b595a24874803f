"""Two simultaneous POSTs with one Idempotency-Key (PostgreSQL): one deviation, the same answer twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from incidents.models import Deviation
from tests.api.conftest import Api, make_client


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_retries_create_one_deviation(live_demo):
    _client, token = make_client()
    occurred = timezone.localtime() - timedelta(hours=2)
    body = {
        "unit": "hage-01",
        "occurred_at": occurred.isoformat(timespec="minutes"),
        "discovered_at": occurred.isoformat(timespec="minutes"),
        "category": "fall",
        "description": "Boende föll.",
        "consequence": 1,
        "probability": 2,
    }
    answers: list[tuple[int, dict]] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        from django.db import connections

        try:
            barrier.wait()
            response = Api(token).post("/api/v1/deviations/", body, **{"Idempotency-Key": "samma"})
            answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in answers) == [200, 201], [a[1].get("errors") for a in answers]
    assert answers[0][1]["reference"] == answers[1][1]["reference"]
    assert Deviation.objects.filter(reporter__api_client__isnull=False).count() == 1
