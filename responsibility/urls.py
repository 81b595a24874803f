from django.urls import path  # noqa: F401

from responsibility.urls_admin import urlpatterns as admin_urlpatterns

app_name = "responsibility"
# Register views (unit list/page, matrix, findings) go here; administration in urls_admin.py.
urlpatterns: list = [] + admin_urlpatterns
