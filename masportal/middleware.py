"""Swedish unless the user chose otherwise."""

from django.conf import settings
from django.utils import translation


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

        logging.getLogger(__name__).error("Database unavailable during %s %s: %s", request.method,
                                          request.path, type(exception).__name__)
        html = render_to_string("database_unavailable.html", {"back": request.path}, request=None)
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
