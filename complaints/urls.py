from django.urls import path

from complaints import collaboration_views, views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="complaint_list"),
    path("ny/", views.complaint_create, name="complaint_create"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/andra/", views.complaint_edit, name="complaint_edit"),
    path("<int:pk>/steg/<slug:step>/", views.complaint_step, name="complaint_step"),
    path("samverkan/", collaboration_views.collaboration_list_view, name="collaboration_list"),
    path("samverkan/ny/", collaboration_views.collaboration_create, name="collaboration_create"),
    path("samverkan/<int:pk>/", collaboration_views.collaboration_detail, name="collaboration_detail"),
    path("samverkan/<int:pk>/steg/<slug:step>/", collaboration_views.collaboration_step, name="collaboration_step"),
    path("motparter/", collaboration_views.counterpart_list, name="counterpart_list"),
    path("motparter/ny/", collaboration_views.counterpart_edit, name="counterpart_create"),
    path("motparter/<int:pk>/", collaboration_views.counterpart_edit, name="counterpart_edit"),
    path("statistik/", views.statistics_view, name="statistics"),
    path("loggutdrag/", views.log_extract, name="log_extract"),
]
