from django.urls import path  # noqa: F401

from incidents.urls_lexmaria import urlpatterns as lexmaria_urlpatterns

app_name = "incidents"
# Deviation views go here; Lex Maria views in urls_lexmaria.py (same namespace).
urlpatterns: list = [] + lexmaria_urlpatterns
