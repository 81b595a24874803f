"""Login throttling (django-axes): the backend, the client address, and the lockouts an admin sees and lifts.

A lockout is a username or an address with ``AXES_FAILURE_LIMIT`` failed
logins or more within ``AXES_COOLOFF_TIME`` (counted from the latest failure).
Failures older than that no longer count: a lockout expires by itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.utils import timezone

logger = logging.getLogger("masportal.security")


class PortalAxesBackend(AxesStandaloneBackend):
    """Refuse a locked-out login before the password is checked.

    A call without a request (``Client.login`` in tests, a management command)
    is not a login attempt over HTTP and cannot be throttled by address: this
    backend then abstains and the next backend decides.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: the peer, or the entry a trusted reverse proxy appended to X-Forwarded-For."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


@dataclass(frozen=True)
class Lockout:
    """A username or an address that is refused until ``until``."""

    kind: str  # "username" or "ip"
    value: str
    failures: int
    last_failure: datetime
    until: datetime


def _locked(field: str, *, usernames: set[str] | None) -> list[Lockout]:
    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    rows = AccessAttempt.objects.filter(attempt_time__gte=since).exclude(**{f"{field}__isnull": True})
    if usernames is not None:
        rows = rows.filter(username__in=usernames)
    grouped = (
        rows.values(field)
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    kind = "username" if field == "username" else "ip"
    return [
        Lockout(
            kind=kind,
            value=row[field],
            failures=row["failures"],
            last_failure=row["last"],
            until=row["last"] + cool_off,
        )
        for row in grouped
    ]


def lockouts_visible_to(*, municipality_id: int | None) -> list[Lockout]:
    """Current lockouts: usernames of the municipality's logins, and addresses.

    ``municipality_id`` None (a superuser without a person record) sees every username.
    """
    usernames = None
    if municipality_id is not None:
        usernames = set(
            get_user_model().objects.filter(person__municipality_id=municipality_id).values_list("username", flat=True)
        )
    return _locked("username", usernames=usernames) + _locked("ip_address", usernames=None)


def lockout_lift(*, actor, kind: str, value: str, municipality_id: int | None) -> int:
    """Lift the lockout of a username or an address; return how many attempt rows were removed.

    A username outside the actor's municipality is not touched.
    """
    visible = {(lock.kind, lock.value) for lock in lockouts_visible_to(municipality_id=municipality_id)}
    if (kind, value) not in visible:
        return 0
    removed = reset(username=value) if kind == "username" else reset(ip=value)
    logger.warning("Login lockout lifted by user id %s: %s %s (%d attempt rows)", actor.pk, kind, value, removed)
    return removed
