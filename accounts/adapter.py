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

from accounts import selectors, services
from accounts.models import ProviderKind


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
        settings={
            "idp": saml_idp(provider),
            "attribute_mapping": {"uid": "uid", "email": "email", "first_name": "first_name", "last_name": "last_name"},
            "advanced": {
                "reject_idp_initiated_sso": True,
                "want_assertion_signed": True,
                "want_message_signed": False,
                "strict": True,
            },
        },
    )


def saml_idp(provider) -> dict:
    """allauth's ``idp`` settings: the metadata URL, or what the stored metadata document says."""
    if provider.metadata_url:
        return {"entity_id": provider.entity_id, "metadata_url": provider.metadata_url}
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    parsed = OneLogin_Saml2_IdPMetadataParser.parse(provider.metadata_xml, entity_id=provider.entity_id or None)
    idp = parsed.get("idp", {})
    return {
        "entity_id": idp.get("entityId", provider.entity_id),
        "x509cert": idp.get("x509cert") or idp.get("x509certMulti", {}).get("signing", [""])[0],
        "sso_url": idp.get("singleSignOnService", {}).get("url", ""),
        "slo_url": idp.get("singleLogoutService", {}).get("url", ""),
    }


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
        # Wrong issuer, bad signature, replayed state, expired assertion: refused, nothing linked.
        raise ImmediateHttpResponse(redirect("accounts:sso_refused"))
