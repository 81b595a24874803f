"""django-allauth adapters: providers come from the municipality's configuration; nobody signs up.

An SSO login is linked to the person in the register by the provider's linking
claim (``services.sso_login_link``); a login that matches no person is refused
with a Swedish page and recorded for the register admin.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.shortcuts import redirect

from accounts import saml, selectors, services
from accounts.models import ProviderKind, RefusalCause


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False


def social_app(provider) -> SocialApp:
    """The allauth app of one configured provider (not stored: built from the provider row)."""
    from accounts.crypto import client_secret

    if provider.kind == ProviderKind.OIDC:
        return SocialApp(
            provider="openid_connect",
            provider_id=provider.provider_id,
            name=provider.name,
            client_id=provider.client_id,
            secret=client_secret(provider),
            settings={
                "server_url": provider.issuer,
                "oauth_pkce_enabled": True,
                "scope": provider.scopes.split(),
                "token_auth_method": "client_secret_post",
            },
        )
    return SocialApp(
        provider="saml",
        provider_id=provider.provider_id,
        name=provider.name,
        client_id=provider.provider_id,
        settings=saml.app_settings(provider),
    )


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = [social_app(p) for p in selectors.active_providers()]
        if provider:
            apps = [a for a in apps if provider in (a.provider, a.provider_id)]
        if client_id:
            apps = [a for a in apps if a.client_id == client_id]
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        provider = selectors.provider_by_provider_id(sociallogin.account.provider)
        if provider is None:
            raise ImmediateHttpResponse(redirect("accounts:sso_refused"))
        outcome = services.sso_login_link(request=request, provider=provider, sociallogin=sociallogin)
        if outcome.user is None:
            request.session["sso_unmatched_provider"] = provider.pk
            raise ImmediateHttpResponse(redirect("accounts:sso_unmatched"))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """Wrong issuer, bad signature, expired assertion, unknown state: refused, counted, nothing linked."""
        cause, detail = refusal_cause(error=error, exception=exception, extra_context=extra_context or {})
        app = getattr(provider, "app", None)
        configured = selectors.provider_by_provider_id(getattr(app, "provider_id", "") or "")
        if configured is not None:
            services.sso_refusal_record(provider=configured, cause=cause, detail=detail)
        request.session["sso_refused_cause"] = cause
        raise ImmediateHttpResponse(redirect("accounts:sso_refused"))


def refusal_cause(*, error, exception, extra_context: dict) -> tuple[str, str]:
    """Why the protocol library refused an answer: a :class:`RefusalCause` and its own reason (no token)."""
    from django.core.exceptions import PermissionDenied

    if "state_id" in extra_context:  # OIDC: allauth found no login started with this state
        return RefusalCause.STATE, "unknown or used state"
    detail = str(extra_context.get("saml_last_error_reason") or exception or error or "")
    text = detail.lower()
    if isinstance(exception, PermissionDenied) or "inresponseto" in text:
        cause = RefusalCause.STATE
    elif "issuer" in text:
        cause = RefusalCause.ISSUER
    elif "expired" in text or "not yet valid" in text or "notonorafter" in text:
        cause = RefusalCause.EXPIRED
    elif "signature" in text or "not signed" in text:
        cause = RefusalCause.SIGNATURE
    else:
        cause = RefusalCause.OTHER
    return cause, detail
