"""Logout: the portal session ends, and where the provider supports it the IdP session too.

OIDC: RP-initiated logout at the issuer's ``end_session_endpoint`` (with ``client_id`` and a
``post_logout_redirect_uri`` back to the portal's login page). SAML: a LogoutRequest to the
IdP's single logout service (python3-saml through allauth's configuration), naming the subject
of the assertion this session logged in with. An IdP-initiated LogoutRequest arrives at allauth's
``saml_sls`` view, which ends the portal session and answers the IdP.
"""

from __future__ import annotations

import logging

from django.contrib.auth.views import LogoutView
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from accounts import selectors
from accounts.models import LoginMethod, ProviderKind
from accounts.signals import SESSION_METHOD, SESSION_PROVIDER

logger = logging.getLogger("accounts")


def idp_logout_url(request) -> str | None:
    """Where to send the browser to end the IdP session, or None (password login, or not supported)."""
    if request.session.get(SESSION_METHOD) not in (LoginMethod.OIDC, LoginMethod.SAML):
        return None
    provider = selectors.provider_by_provider_id(request.session.get(SESSION_PROVIDER) or "")
    if provider is None or not provider.logout_at_idp:
        return None
    back = request.build_absolute_uri(reverse("login"))
    try:
        if provider.kind == ProviderKind.OIDC:
            from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter

            config = OpenIDConnectOAuth2Adapter(request, provider.provider_id).openid_config
            endpoint = config.get("end_session_endpoint")
            if not endpoint:
                return None
            return f"{endpoint}?{urlencode({'client_id': provider.client_id, 'post_logout_redirect_uri': back})}"
        from accounts.saml import logout_url

        return logout_url(request, provider, return_to=back)
    except Exception:  # an IdP that cannot be reached must not keep the user logged in here
        logger.warning("Logout at the identity provider %s not possible", provider.pk, exc_info=True)
        return None


class PortalLogoutView(LogoutView):
    def post(self, request, *args, **kwargs):
        idp_url = idp_logout_url(request)
        response = super().post(request, *args, **kwargs)
        if idp_url:
            # A page that moves on to the IdP (not a redirect: the CSP's form-action allows only the portal).
            return render(request, "accounts/logout_idp.html", {"idp_url": idp_url})
        return response
