from django.urls import path

from incidents import views
from incidents.lexmaria.urls import urlpatterns as lexmaria_urlpatterns

app_name = "incidents"
# Deviation views; Lex Maria views in urls_lexmaria.py (same namespace).
urlpatterns: list = [
    path("", views.deviation_list, name="deviation_list"),
    path("bedomning/", views.assessment_queue, name="assessment_queue"),
    path("export/", views.deviation_export, name="deviation_export"),
    path("ny/", views.deviation_create, name="deviation_create"),
    path("mina/", views.my_reports_view, name="my_reports"),
    path("logg/", views.access_log, name="access_log"),
    path("ansvar-oklart/", views.unrouted_cases, name="unrouted_cases"),
    path("<int:pk>/", views.deviation_detail, name="deviation_detail"),
    path("<int:pk>/utkast/", views.deviation_edit, name="deviation_edit"),
    path("<int:pk>/pdf/", views.deviation_pdf, name="deviation_pdf"),
    path("<int:pk>/steg/<slug:step>/", views.deviation_step, name="deviation_step"),
    path("bilaga/<int:pk>/", views.attachment_download, name="attachment_download"),
] + lexmaria_urlpatterns
