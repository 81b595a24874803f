"""A real OpenID Connect provider for development and the tests: django-oauth-toolkit's OP in a tiny Django project.

Not part of the product: no app of the portal, only in the ``dev`` and ``test`` extras, and it refuses to
run with ``DJANGO_ENV=production``. ``scripts/start`` runs it for the demo through ``devidp/start.py``
(its users in ``devidp/demo.json``); the tests start it the same way or with their own config.

Run as its own process (``python devidp/oidc_op.py CONFIG_JSON``): it migrates its own
SQLite database, creates its users and one confidential client, and serves on 127.0.0.1:PORT
(issuer ``http://127.0.0.1:PORT/o``). Users log in with a username and password on its
own login page; the ID token (RS256) carries every other key of the user as a claim (e-mail,
e-mail_verified, hsa_id, groups, ...).

CONFIG_JSON: {"port", "db", "title"?, "hint"?, "client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris",
"users": [{"username", "password", "email", "email_verified", "hsa_id", "groups", "name"}], "users_file"?}.
With ``users_file`` (the same list as JSON) the claims are read again at each login, so a test can
change a user's groups between logins; the usernames and passwords are those of ``users``.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import sys

import django
from django.conf import settings

LOGIN_TEMPLATE = """<!doctype html><html lang="sv"><head><title>Test-IdP</title></head><body>
<h1>Test-IdP – logga in</h1>{{ hint }}
<form method="post">{% csrf_token %}{{ form.as_p }}<input type="hidden" name="next" value="{{ next }}">
<button type="submit">Logga in hos IdP</button></form></body></html>"""
LOGOUT_TEMPLATE = """<!doctype html><html lang="sv"><head><title>Test-IdP</title></head><body>
<h1>Test-IdP – logga ut</h1><form method="post">{% csrf_token %}{{ form.as_p }}
<button type="submit" name="allow" value="1">Logga ut hos IdP</button></form></body></html>"""


def configure(config: dict) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
    title = config.get("title", "Test-IdP")
    login_template = LOGIN_TEMPLATE.replace("Test-IdP", title).replace("{{ hint }}", _hint(config.get("hint", "")))
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": config["db"]}},
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": False,
                "OPTIONS": {
                    "context_processors": ["django.template.context_processors.request"],
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {
                                "registration/login.html": login_template,
                                "oauth2_provider/logout_confirm.html": LOGOUT_TEMPLATE.replace("Test-IdP", title),
                            },
                        ),
                        "django.template.loaders.app_directories.Loader",
                    ],
                },
            }
        ],
        USE_TZ=True,
        LOGIN_URL="/login/",
        SESSION_COOKIE_NAME="idp_session",
        CSRF_COOKIE_NAME="idp_csrf",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": key,
            "PKCE_REQUIRED": True,
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS": True,
            "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Profile"},
            "OAUTH2_VALIDATOR_CLASS": "__main__.Validator" if __name__ == "__main__" else f"{__name__}.Validator",
        },
        USERS=config["users"],
        USERS_FILE=config.get("users_file", ""),
    )


def _hint(text: str) -> str:
    """A paragraph under the heading of the login page (the demo names its users there)."""
    return f"<p>{html.escape(text)}</p>" if text else ""


def _validator_class():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below goes in the ID token and userinfo

        def get_additional_claims(self, request):
            user = next(u for u in _users() if u["username"] == request.user.username)
            return {k: v for k, v in user.items() if k not in ("username", "password")}

    return Validator


def _users() -> list[dict]:
    """The users' claims: read again at each login when the config names a ``users_file``."""
    if settings.USERS_FILE:
        with open(settings.USERS_FILE) as f:
            return json.load(f)
    return settings.USERS


urlpatterns: list = []


def _urls():
    from django.contrib.auth import views as auth_views
    from django.urls import include, path

    return [path("login/", auth_views.LoginView.as_view()), path("o/", include("oauth2_provider.urls"))]


def main() -> None:
    if os.environ.get("DJANGO_ENV") == "production":
        sys.exit("devidp/oidc_op.py is a development identity provider: it does not run in production.")
    config = json.loads(sys.argv[1])
    configure(config)
    django.setup()
    global Validator, urlpatterns
    Validator = _validator_class()
    urlpatterns = _urls()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for u in config["users"]:
        User.objects.create_user(username=u["username"], password=u["password"])
    Application.objects.create(
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        hash_client_secret=False,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(config["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
        name="MAS-portalen",
        post_logout_redirect_uris=" ".join(config.get("post_logout_redirect_uris", [])),
    )
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", int(config["port"]), get_wsgi_application(), handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
