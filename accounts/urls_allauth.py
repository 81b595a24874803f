"""The parts of django-allauth the portal uses: SSO providers, MFA, and the few account pages they link to.

Not included: signup, e-mail management, password reset (local accounts are created and
reset by the register admin), social connections.
"""

from allauth.account import views as account_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import urls as oidc_urls
from allauth.socialaccount.providers.saml import urls as saml_urls
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.logout import SamlSingleLogoutView
from accounts.views import saml_finish_acs

urlpatterns = [
    # allauth links to its login and logout pages: they are the portal's.
    path("login/", RedirectView.as_view(pattern_name="login", query_string=True), name="account_login"),
    path("logout/", RedirectView.as_view(pattern_name="logout"), name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("3rdparty/login/cancelled/", social_views.login_cancelled, name="socialaccount_login_cancelled"),
    path("3rdparty/login/error/", social_views.login_error, name="socialaccount_login_error"),
    path("2fa/", include("allauth.mfa.urls")),
    # Before allauth's own: a replayed SAML Response is refused with the portal's page.
    path("saml/<str:organization_slug>/acs/finish/", saml_finish_acs, name="saml_finish_acs"),
    # Before allauth's own: an unsigned logout message is refused where the provider requires signed ones.
    path("saml/<str:organization_slug>/sls/", SamlSingleLogoutView.as_view(), name="saml_sls"),
    path("", include(saml_urls)),
    path("", include(oidc_urls)),
]
