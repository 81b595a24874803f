"""Writes of the API app: create and revoke clients, authenticate a token, log a call."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.choices import ApiScope
from api.models import ApiClient, ApiRequestLog
from responsibility.models import CareProvider, Municipality

TOKEN_PREFIX = "masp"  # noqa: S105  (a public prefix, not a secret)


def _hash(secret: str) -> str:
    # The secret is 256 random bits: a plain SHA-256 cannot be brute-forced, and it keeps each request cheap.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedClient:
    """A new client and its token, which is shown this once and never stored in clear."""

    client: ApiClient
    token: str


def api_client_create(
    *,
    municipality: Municipality,
    name: str,
    scopes: list[str],
    boards=(),
    provider: CareProvider | None = None,
    expires_at: datetime | None = None,
    actor=None,
) -> CreatedClient:
    """Create a client of ``municipality`` with ``scopes`` (and an optional board/provider restriction)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Enter a name for the client.")]
    elif ApiClient.objects.filter(municipality=municipality, name=name).exists():
        errors["name"] = [_("There is already a client with this name.")]
    valid = set(ApiScope.values)
    unknown = sorted(set(scopes) - valid)
    if not scopes:
        errors["scopes"] = [_("Choose at least one scope.")]
    elif unknown:
        errors["scopes"] = [_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}]
    boards = list(boards)
    if any(b.municipality_id != municipality.pk for b in boards):
        errors["boards"] = [_("Choose boards of the client's municipality.")]
    if provider is not None and provider.municipality_id != municipality.pk:
        errors["provider"] = [_("Choose a care provider of the client's municipality.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = get_user_model()(username=f"api-{key_id}", first_name=name[:150], last_name="(API)")
        user.set_unusable_password()
        user.save()
        client = ApiClient.objects.create(
            municipality=municipality,
            name=name,
            key_id=key_id,
            secret_hash=_hash(secret),
            scopes=[s for s in ApiScope.values if s in set(scopes)],
            provider=provider,
            user=user,
            expires_at=expires_at,
            created_by=actor,
        )
        if boards:
            client.boards.set(boards)
    return CreatedClient(client=client, token=f"{TOKEN_PREFIX}.{key_id}.{secret}")


def api_client_revoke(*, client: ApiClient, actor=None) -> ApiClient:
    """Revoke ``client`` at once (running it twice is harmless); its history and log stay."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is not None:
            return client
        client.revoked_at = timezone.now()
        client.revoked_by = actor
        client.save(update_fields=["revoked_at", "revoked_by"])
    return client


def client_for_token(token: str, *, now: datetime | None = None) -> ApiClient | None:
    """The usable client whose token this is, or None (unknown, wrong secret, revoked or expired)."""
    parts = (token or "").split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    _prefix, key_id, secret = parts
    client = ApiClient.objects.select_related("municipality", "user").filter(key_id=key_id).first()
    if client is None or not hmac.compare_digest(client.secret_hash, _hash(secret)):
        return None
    if not client.is_usable(now=now):
        return None
    return client


def api_request_record(*, client: ApiClient, method: str, path: str, status: int) -> None:
    """Log one call and mark the client as used."""
    now = timezone.now()
    ApiRequestLog.objects.create(client=client, method=method[:8], path=path[:200], status=status)
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
