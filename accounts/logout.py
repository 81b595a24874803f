"""Logout: the portal session ends, and where the provider supports it the IdP session too.

OIDC: RP-initiated logout at the issuer's ``end_session_endpoint`` (with ``client_id`` and a
``post_logout_redirect_uri`` back to the portal's login page). SAML: a LogoutRequest to the
IdP's single logout service (python3-saml through allauth's configuration), naming the subject
of the assertion this session logged in with. An IdP-initiated LogoutRequest arrives at allauth's
``saml_sls`` view (:class:`SamlSingleLogoutView` around it), which ends the portal session and answers
the IdP; unsigned, it is refused where the provider requires signed logout messages.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from allauth.socialaccount.providers.saml.views import SLSView
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt

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


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class SamlSingleLogoutView(SLSView):
    """allauth's SAML single logout service; a provider that requires it refuses unsigned logout messages.

    python3-saml checks a message's signature when it has one; ``wantMessagesSigned`` (for this view
    only: a login Response may still be signed on its assertion alone) makes it refuse one without.
    A refused LogoutRequest ends nothing: the portal session is kept, the refusal is counted for the
    register admin, and the browser gets a Swedish page instead of allauth's English text.
    """

    def get_provider(self, organization_slug):
        saml = super().get_provider(organization_slug)
        configured = selectors.provider_by_provider_id(organization_slug)
        if configured is not None and configured.require_signed_logout:
            app_settings = saml.app.settings  # built for this request (adapter.social_app), not shared
            saml.app.settings = {
                **app_settings,
                "advanced": {**app_settings.get("advanced", {}), "want_message_signed": True},
            }
        return saml

    def dispatch(self, request, organization_slug):
        response = super().dispatch(request, organization_slug)
        if response.status_code != HTTPStatus.BAD_REQUEST:
            return response
        from accounts import services
        from accounts.adapter import refusal_cause

        detail = response.content.decode(errors="replace")
        configured = selectors.provider_by_provider_id(organization_slug)
        cause, detail = refusal_cause(error=None, exception=None, extra_context={"saml_last_error_reason": detail})
        if configured is not None:
            services.sso_refusal_record(provider=configured, cause=cause, detail=f"Logout: {detail}")
        return render(
            request,
            "accounts/saml_logout_refused.html",
            {"logged_in": request.user.is_authenticated},
            status=HTTPStatus.BAD_REQUEST,
        )
