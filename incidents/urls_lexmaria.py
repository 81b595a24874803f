"""URL patterns of Lex Maria cases (included by incidents/urls.py, same namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
