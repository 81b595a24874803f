from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("ny/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/koppla/", views.user_action, {"action": "link"}, name="user_link"),
    path("<int:pk>/koppla-bort/", views.user_action, {"action": "unlink"}, name="user_unlink"),
    path("<int:pk>/inaktivera/", views.user_action, {"action": "deactivate"}, name="user_deactivate"),
    path("<int:pk>/aktivera/", views.user_action, {"action": "activate"}, name="user_activate"),
    path("vantande/<int:pk>/koppla/", views.pending_link, name="pending_link"),
    path("inloggningstjanster/", views.provider_list, name="provider_list"),
    path("inloggningstjanster/ny/", views.provider_edit, name="provider_create"),
    path("inloggningstjanster/<int:pk>/", views.provider_edit, name="provider_edit"),
    path("enheter/<slug:code>/atkomst/", views.unit_access, name="unit_access"),
    path("sso/ingen-person/", views.sso_unmatched, name="sso_unmatched"),
    path("sso/nekad/", views.sso_refused, name="sso_refused"),
]
