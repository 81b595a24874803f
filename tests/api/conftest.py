"""API test helpers: clients (tokens) of the demo municipality and a caller that sends the bearer token."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.test import Client

from api.services import api_client_create
from responsibility.models import Board, CareProvider, Municipality

_SEQ = itertools.count(1)
ALL_SCOPES = ["read:register", "read:cases", "write:deviations"]


def make_client(*, scopes=None, boards=(), provider=None, municipality="stockholm", name=None, expires_at=None):
    """Create an API client of ``municipality``; return (client, token)."""
    m = Municipality.objects.get(code=municipality)
    created = api_client_create(
        municipality=m,
        name=name or f"System {next(_SEQ)}",
        scopes=scopes or ALL_SCOPES,
        boards=[Board.objects.get(municipality=m, code=b) for b in boards],
        provider=CareProvider.objects.get(municipality=m, name=provider) if provider else None,
        expires_at=expires_at,
    )
    return created.client, created.token


class Api:
    """The Django test client with ``Authorization: Bearer <token>`` on every call."""

    def __init__(self, token: str | None):
        self.http = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, data=None, **headers):
        return self.http.get(path, data or {}, headers={**self.headers, **headers})

    def post(self, path, body, **headers):
        return self.http.post(path, body, content_type="application/json", headers={**self.headers, **headers})

    def all_pages(self, path, data=None) -> list[dict]:
        """Follow the cursor to the end; return every row."""
        rows, response = [], self.get(path, data)
        while True:
            assert response.status_code == 200, response.content
            body = response.json()
            rows.extend(body["results"])
            if not body["next"]:
                return rows
            response = self.http.get(body["next"], headers=self.headers)


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()


@pytest.fixture
def full(db):
    client, token = make_client()
    return Api(token)
