"""URL patterns of register administration (included by responsibility/urls.py, same namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
