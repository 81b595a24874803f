"""URL patterns of register administration (included by responsibility/urls.py, same namespace)."""

from django.urls import path

from responsibility import admin_views as v
from responsibility import history_views as hv
from responsibility import import_views as imp

urlpatterns: list = [
    path("admin/", v.admin_home, name="admin_home"),
    path("admin/regioner/", v.RegionList.as_view(), name="region_list"),
    path("admin/regioner/ny/", v.RegionEdit.as_view(), name="region_create"),
    path("admin/regioner/<int:pk>/", v.RegionEdit.as_view(), name="region_edit"),
    path("admin/namnder/", v.BoardList.as_view(), name="board_list"),
    path("admin/namnder/ny/", v.BoardEdit.as_view(), name="board_create"),
    path("admin/namnder/<int:pk>/", v.BoardEdit.as_view(), name="board_edit"),
    path("admin/vardgivare/", v.ProviderList.as_view(), name="provider_list"),
    path("admin/vardgivare/ny/", v.ProviderEdit.as_view(), name="provider_create"),
    path("admin/vardgivare/<int:pk>/", v.ProviderEdit.as_view(), name="provider_edit"),
    path("admin/enheter/", v.UnitList.as_view(), name="unit_admin_list"),
    path("admin/enheter/ny/", v.UnitCreate.as_view(), name="unit_create"),
    path("admin/enheter/<slug:code>/", v.UnitEdit.as_view(), name="unit_edit"),
    path("admin/enheter/<slug:code>/regiform/", v.UnitChangeOperation.as_view(), name="unit_change_operation"),
    path("admin/personer/", v.PersonList.as_view(), name="person_list"),
    path("admin/personer/ny/", v.PersonEdit.as_view(), name="person_create"),
    path("admin/personer/<int:pk>/", v.PersonEdit.as_view(), name="person_edit"),
    path("admin/uppdrag/", v.AssignmentList.as_view(), name="assignment_list"),
    path("admin/uppdrag/nytt/", v.AssignmentEdit.as_view(), name="assignment_create"),
    path("admin/uppdrag/<int:pk>/", v.AssignmentEdit.as_view(), name="assignment_edit"),
    path("admin/valj/", v.picker_search, name="picker_search"),
    path("admin/import/<slug:kind>/", imp.import_upload, name="import_upload"),
    path("admin/import/<slug:kind>/mall.csv", imp.import_template, name="import_template"),
    path("admin/import/<slug:kind>/<slug:token>/", imp.import_preview, name="import_preview"),
    path("historik/", hv.history_recent, name="history_recent"),
    path("historik/enhet/<slug:code>/", hv.unit_history, name="unit_history"),
    path("historik/uppdrag/<int:pk>/", hv.assignment_history, name="assignment_history"),
]
