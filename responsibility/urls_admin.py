"""URL patterns of register administration (included by responsibility/urls.py, same namespace)."""

from django.urls import path

from responsibility import admin_views as v

urlpatterns: list = [
    path("admin/", v.admin_home, name="admin_home"),
    path("admin/regioner/", v.region_list, name="region_list"),
    path("admin/regioner/ny/", v.region_create, name="region_create"),
    path("admin/regioner/<int:pk>/", v.region_edit, name="region_edit"),
    path("admin/namnder/", v.board_list, name="board_list"),
    path("admin/namnder/ny/", v.board_create, name="board_create"),
    path("admin/namnder/<int:pk>/", v.board_edit, name="board_edit"),
    path("admin/vardgivare/", v.provider_list, name="provider_list"),
    path("admin/vardgivare/ny/", v.provider_create, name="provider_create"),
    path("admin/vardgivare/<int:pk>/", v.provider_edit, name="provider_edit"),
    path("admin/enheter/", v.unit_admin_list, name="unit_admin_list"),
    path("admin/enheter/ny/", v.unit_create, name="unit_create"),
    path("admin/enheter/<slug:code>/", v.unit_edit, name="unit_edit"),
    path("admin/enheter/<slug:code>/regiform/", v.unit_change_operation, name="unit_change_operation"),
    path("admin/personer/", v.person_list, name="person_list"),
    path("admin/personer/ny/", v.person_create, name="person_create"),
    path("admin/personer/<int:pk>/", v.person_edit, name="person_edit"),
    path("admin/uppdrag/", v.assignment_list, name="assignment_list"),
    path("admin/uppdrag/nytt/", v.assignment_create, name="assignment_create"),
    path("admin/uppdrag/<int:pk>/", v.assignment_edit, name="assignment_edit"),
    path("admin/import/<slug:kind>/", v.import_upload, name="import_upload"),
    path("admin/import/<slug:kind>/mall.csv", v.import_template, name="import_template"),
    path("admin/import/<slug:kind>/<slug:token>/", v.import_preview, name="import_preview"),
    path("historik/", v.history_recent, name="history_recent"),
    path("historik/enhet/<slug:code>/", v.unit_history, name="unit_history"),
    path("historik/uppdrag/<int:pk>/", v.assignment_history, name="assignment_history"),
]
