from django.urls import path

from followup import contract_views, picker_views, register_views, views

app_name = "followup"
urlpatterns = [
    path("", views.followup_list, name="followup_list"),
    path("ny/", views.followup_create, name="followup_create"),
    path("<int:pk>/", views.followup_detail, name="followup_detail"),
    path("<int:pk>/starta/", views.followup_start, name="followup_start"),
    path("<int:pk>/brist/", views.finding_create, name="finding_create"),
    path("<int:pk>/atgard/", views.action_create, name="action_create"),
    path("bilaga/<int:pk>/", views.answer_attachment, name="answer_attachment"),
    path("planer/", register_views.plan_list, name="plan_list"),
    path("planer/ny/", register_views.plan_create, name="plan_create"),
    path("planer/<int:pk>/", register_views.plan_create, name="plan_edit"),
    path("atgarder/", views.action_list, name="action_list"),
    path("atgarder/<int:pk>/", views.action_detail, name="action_detail"),
    path("delegeringar/", register_views.delegation_list, name="delegation_list"),
    path("delegeringar/ny/", register_views.delegation_create, name="delegation_create"),
    path("delegeringar/<int:pk>/aterkalla/", register_views.delegation_revoke, name="delegation_revoke"),
    path("rutiner/", register_views.routine_list, name="routine_list"),
    path("rutiner/ny/", register_views.routine_edit, name="routine_create"),
    path("rutiner/<int:pk>/", register_views.routine_edit, name="routine_edit"),
    path("valj/", picker_views.picker_search, name="picker_search"),
    path("jobb/", register_views.job_runs, name="job_runs"),
    path("avtal/", contract_views.contract_list, name="contract_list"),
    path("avtal/nytt/", contract_views.contract_edit, name="contract_create"),
    path("avtal/<int:pk>/", contract_views.contract_detail, name="contract_detail"),
    path("avtal/<int:pk>/andra/", contract_views.contract_edit, name="contract_edit"),
]
