from django.urls import path

from responsibility import views
from responsibility.urls_admin import urlpatterns as admin_urlpatterns

app_name = "responsibility"
# Register views (unit list/page, matrix, findings) here; administration in urls_admin.py.
urlpatterns: list = [
    path("enheter/", views.unit_list, name="unit_list"),
    path("enheter/<slug:code>/", views.unit_detail, name="unit_detail"),
    path("matris/", views.matrix, name="matrix"),
    path("brister/", views.findings, name="findings"),
] + admin_urlpatterns
