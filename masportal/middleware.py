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
