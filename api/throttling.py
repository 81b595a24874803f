"""Rate limit per API client, counted in the request log so that every web process shares one count.

The answer over the limit is a problem details 429 with Retry-After. Django's cache would count per
process unless a shared cache is configured; the request log is already written for every call and is
indexed on (client, at), so counting it is one indexed query and exact across processes.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from api.models import ApiClient, ApiRequestLog


class ClientRateThrottle(BaseThrottle):
    """At most N calls per period per client (``API_RATE_LIMIT``, e.g. "600/min"), over all processes."""

    def __init__(self):
        self.num_requests, self.duration = SimpleRateThrottle.parse_rate(None, self.get_rate())
        self.wait_seconds: float | None = None

    def get_rate(self) -> str:
        return settings.API_RATE_LIMIT

    def allow_request(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return True
        now = timezone.now()
        window_start = now - timedelta(seconds=self.duration)
        recent = list(
            ApiRequestLog.objects.filter(client=client, at__gt=window_start)
            .exclude(status=429)
            .order_by("-at")
            .values_list("at", flat=True)[: self.num_requests]
        )
        if len(recent) < self.num_requests:
            return True
        oldest_counted = recent[-1]
        self.wait_seconds = max(1.0, (oldest_counted + timedelta(seconds=self.duration) - now).total_seconds())
        return False

    def wait(self) -> float | None:
        return self.wait_seconds
