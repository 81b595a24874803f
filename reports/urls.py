from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("visa/", views.report_detail, name="report_detail"),
    path("visa/<str:fmt>/", views.report_export, name="report_export"),
    path("bestall/", views.report_order, name="report_order"),
    path("genererade/<int:pk>/", views.generated_detail, name="generated_detail"),
    path("genererade/<int:pk>/status/", views.generated_status, name="generated_status"),
    path("genererade/<int:pk>/ladda-ner/", views.generated_download, name="generated_download"),
    path("genererade/<int:pk>/forsok-igen/", views.generated_retry, name="generated_retry"),
    path("patientsakerhetsberattelse/", views.narrative_open, name="narrative_open"),
    path("patientsakerhetsberattelse/<int:provider_id>/<int:year>/", views.narrative_edit, name="narrative_edit"),
]
