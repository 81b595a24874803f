"""URL patterns of Lex Maria cases (included by incidents/urls.py, same namespace)."""

from django.urls import path

from incidents.lexmaria import views

urlpatterns: list = [
    path("lex-maria/", views.queue, name="lex_maria_queue"),
    path("lex-maria/export/", views.queue_export, name="lex_maria_export"),
    path("lex-maria/<int:pk>/", views.detail, name="lex_maria_detail"),
    path("lex-maria/<int:pk>/steg/<slug:step>/", views.step, name="lex_maria_step"),
    path("lex-maria/<int:pk>/personer/", views.people_search, name="lex_maria_people"),
    path("lex-maria/<int:pk>/utredning.pdf", views.investigation_pdf, name="lex_maria_pdf"),
]
