"""URL configuration of MAS-portalen."""

from django.contrib import admin
from django.urls import include, path

from accounts.logout import PortalLogoutView
from core import views as core_views
from masportal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sok/", views.search_view, name="search"),
    path("aviseringar/", core_views.notification_list, name="notification_list"),
    path("aviseringar/<int:pk>/", core_views.notification_open_view, name="notification_open"),
    path("aviseringar/markera-lasta/", core_views.notification_mark_all_read, name="notification_mark_all_read"),
    path("aviseringar/installning/", core_views.notification_preference, name="notification_preference"),
    path("healthz", core_views.healthz, name="healthz"),
    path("utskick/misslyckade/", views.outbox_failed, name="outbox_failed"),
    path("utskick/misslyckade/<int:pk>/skicka-igen/", views.outbox_resend, name="outbox_resend"),
    path("livez", core_views.livez, name="livez"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("logout/", PortalLogoutView.as_view(), name="logout"),
    path("inloggningsspärrar/", views.login_lockouts, name="login_lockouts"),
    path("konton/", include("accounts.urls")),
    path("accounts/", include("accounts.urls_allauth")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("register/", include("responsibility.urls")),
    path("avvikelser/", include("incidents.urls")),
    path("uppfoljning/", include("followup.urls")),
    path("klagomal/", include("complaints.urls")),
    path("rapporter/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("integrationer/", include("api.urls_admin")),
    path("django-admin/", admin.site.urls),
]

handler400 = "masportal.views.bad_request"
handler403 = "masportal.views.permission_denied"
handler404 = "masportal.views.page_not_found"
handler500 = "masportal.views.server_error"
