"""Rate limit per API client (the answer is a problem details 429 with Retry-After)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiClient


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view) -> str | None:
        client = request.auth
        if not isinstance(client, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.key_id}
