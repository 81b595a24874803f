"""Reads of providers, logins and pending logins, always within one municipality."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import IdentityProvider, PendingLogin, RefusedLogin
from responsibility.models import Person


def active_providers() -> list[IdentityProvider]:
    """Every active provider (allauth asks for an app by its provider id, before anyone is logged in)."""
    return list(IdentityProvider.objects.filter(is_active=True).select_related("municipality"))


def provider_by_provider_id(provider_id: str) -> IdentityProvider | None:
    return next((p for p in active_providers() if p.provider_id == provider_id), None)


def login_providers(*, municipality_code: str | None) -> list[IdentityProvider]:
    """The buttons of the login page: one municipality's providers, or every municipality's when none is named."""
    qs = IdentityProvider.objects.filter(is_active=True).select_related("municipality")
    if municipality_code:
        qs = qs.filter(municipality__code=municipality_code)
    return list(qs.order_by("municipality__name", "name"))


def providers_of(*, municipality_id: int) -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(municipality_id=municipality_id).select_related("municipality")


def refused_logins_of(*, municipality_id: int, days: int = 30) -> QuerySet[RefusedLogin]:
    """The refused IdP answers of the municipality's providers in the last ``days`` days, newest first."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.localdate() - timedelta(days=days)
    return RefusedLogin.objects.filter(provider__municipality_id=municipality_id, day__gte=since).select_related(
        "provider"
    )


def users_of(*, municipality_id: int) -> QuerySet:
    """The municipality's logins: those of its people, and those created for it without a person yet."""
    from allauth.mfa.models import Authenticator

    return (
        get_user_model()
        .objects.annotate(has_mfa=Exists(Authenticator.objects.filter(user=OuterRef("pk"))))
        .filter(Q(person__municipality_id=municipality_id) | Q(portal_account__municipality_id=municipality_id))
        .select_related("person", "portal_account__provider")
        .distinct()
        .order_by("-is_active", "username")
    )


def idp_role_changes(*, user) -> QuerySet:
    """The history of a login's register admin role from an IdP group (granted, withdrawn), newest first."""
    from accounts.models import Account

    return Account.history.filter(user_id=user.pk, history_change_reason__isnull=False).order_by("-history_date")


def pending_logins_of(*, municipality_id: int) -> QuerySet[PendingLogin]:
    return PendingLogin.objects.filter(
        provider__municipality_id=municipality_id, resolved_at__isnull=True
    ).select_related("provider")


def people_without_login(*, municipality_id: int) -> QuerySet[Person]:
    return Person.objects.filter(municipality_id=municipality_id, user__isnull=True)


def idp_origin(provider: IdentityProvider) -> str:
    """The origin the browser is sent to for a login: the issuer's, or the SAML IdP's SSO service's."""
    from urllib.parse import urlsplit

    url = provider.issuer or provider.metadata_url
    if provider.kind == "saml" and provider.metadata_xml:
        from accounts.saml import idp_settings

        try:
            url = idp_settings(provider).get("sso_url") or url
        except Exception:  # unreadable metadata: the login button then fails at the IdP step, not the page
            return ""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
