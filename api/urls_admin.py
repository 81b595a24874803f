from django.urls import path

from api import admin_views

app_name = "api_admin"

urlpatterns = [
    path("klienter/", admin_views.client_list, name="client_list"),
    path("klienter/<int:pk>/aterkalla/", admin_views.client_revoke, name="client_revoke"),
]
