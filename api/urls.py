"""API v1 under /api/v1/ (versioned): the schema, its documentation page and the endpoints."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from api import case_views, views

app_name = "api"


class SchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


urlpatterns = [
    path("v1/schema/", SchemaView.as_view(), name="schema"),
    path("v1/docs/", views.api_docs, name="docs"),
    path("v1/units/", views.UnitList.as_view(), name="units"),
    path("v1/units/<str:code>/responsible", views.UnitResponsible.as_view(), name="unit_responsible"),
    path("v1/people/", views.PersonList.as_view(), name="people"),
    path("v1/assignments/", views.AssignmentList.as_view(), name="assignments"),
    path("v1/contracts/", views.ContractList.as_view(), name="contracts"),
    path("v1/register/findings", views.RegisterFindings.as_view(), name="findings"),
    path("v1/deviations/", views.DeviationListCreate.as_view(), name="deviations"),
    path("v1/deviations/<str:reference>/", views.DeviationDetail.as_view(), name="deviation_detail"),
    path("v1/lex-maria-cases/", views.LexMariaList.as_view(), name="lex_maria_cases"),
    path("v1/lex-maria-cases/<str:reference>/", views.LexMariaDetail.as_view(), name="lex_maria_detail"),
    path("v1/complaints/", case_views.ComplaintList.as_view(), name="complaints"),
    path("v1/complaints/<str:reference>/", case_views.ComplaintDetail.as_view(), name="complaint_detail"),
    path("v1/follow-ups/", case_views.FollowUpList.as_view(), name="followups"),
    path("v1/follow-ups/<int:pk>/", case_views.FollowUpDetail.as_view(), name="followup_detail"),
    # Anything else under /api/ is a problem details 404, never the portal's HTML page.
    re_path(r"^[\s\S]*$", views.api_not_found, name="not_found"),
]
