"""MFA is required for register admins who log in with a password (and for everyone where the municipality says so).

Also lets the login page's "Log in with …" forms redirect to the IdPs (CSP form-action).
"""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import LoginMethod

ALLOWED_PREFIXES = ("/accounts/", "/logout/", "/static/", "/i18n/", "/healthz", "/livez")


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        response = self.get_response(request)
        origins = getattr(request, "sso_form_action", None)
        if origins:
            # The "Log in with …" forms post to the portal, which redirects to the IdP: the CSP's
            # form-action must allow the IdP's origin for that redirect (set by the sso tag).
            response._csp_update = {"form-action": sorted(origins)}
        return response

    @staticmethod
    def _must_enrol(request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.session.get("portal_login_method") != LoginMethod.PASSWORD:
            return False
        if request.path.startswith(ALLOWED_PREFIXES):
            return False
        from accounts.policy import mfa_required

        return mfa_required(user)
