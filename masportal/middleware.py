"""Cross-cutting middleware: language, health answers, Permissions-Policy, session timeouts."""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.translation import gettext as _

security_log = logging.getLogger("masportal.security")


class SwedishByDefaultLocaleMiddleware:
    """Activate the language the user picked with the language switch (cookie), else Swedish.

    The browser's Accept-Language is deliberately ignored: staff on a PC with
    an English browser still get the Swedish interface of their workplace.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class HealthCheckMiddleware:
    """Answer ``/livez`` and ``/healthz`` before host validation and the HTTPS redirect.

    The container healthchecks call them as ``http://127.0.0.1:8000/…``: that
    host is not an allowed host in production and the request is not HTTPS,
    yet the answer must come from the application itself. Nothing else is
    served this way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/livez":
            from core.views import livez

            return livez(request)
        if request.path_info == "/healthz":
            from core.views import healthz

            return healthz(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Send a Permissions-Policy that turns off browser features the portal never uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionTimeoutMiddleware:
    """Log out a session unused for ``SESSION_IDLE_TIMEOUT`` or older than ``SESSION_MAX_AGE``.

    The session records when it started and (to the minute, so that not every
    request writes the session) when it was last used. Background polling by
    htmx does not count as use: a page left open on a shared PC still times out.
    """

    STARTED = "masportal_started"
    LAST_SEEN = "masportal_last_seen"
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request)
            if expired:
                return self._log_out(request)
        return self.get_response(request)

    @classmethod
    def stamp_login(cls, sender, request, user, **kwargs) -> None:
        """At login (user_logged_in): the session starts now, so the first page writes nothing more."""
        if request is not None and hasattr(request, "session"):
            now = int(time.time())
            request.session[cls.STARTED] = now
            request.session[cls.LAST_SEEN] = now

    def _expired(self, request) -> bool:
        now = int(time.time())
        session = request.session
        started = session.get(self.STARTED)
        last_seen = session.get(self.LAST_SEEN)
        if started is None:
            session[self.STARTED] = started = now
        if last_seen is None:
            session[self.LAST_SEEN] = last_seen = now
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            return True
        if now - started > settings.SESSION_MAX_AGE.total_seconds():
            return True
        if now - last_seen >= self.RESOLUTION and not request.headers.get("HX-Request"):
            session[self.LAST_SEEN] = now
        return False

    def _log_out(self, request):
        security_log.info("Session of user id %s ended after inactivity or maximum lifetime", request.user.pk)
        logout(request)  # flushes the session server-side
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        messages.info(request, _("You were logged out after a period without activity. Please log in again."))
        return redirect_to_login(request.get_full_path())


class DatabaseUnavailableMiddleware:
    """Answer a lost database connection with a clear 503 page instead of a server error.

    The request's transaction was rolled back with the connection, so nothing was half-saved; Django
    closes the broken connection when the request ends and the next request connects again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.template.loader import render_to_string

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        import logging

        from django.http import HttpResponse

        logging.getLogger(__name__).error(
            "Database unavailable during %s %s: %s", request.method, request.path, type(exception).__name__
        )
        html = render_to_string("database_unavailable.html", {"back": request.path}, request=None)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
