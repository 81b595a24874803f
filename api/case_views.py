"""REST API v1: complaints and follow-ups, read-only, with the same filters and cursor as the other cases."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api import selectors
from api.choices import ApiScope
from api.pagination import IdCursorPagination
from api.serializers import (
    ComplaintFilterSerializer,
    ComplaintSerializer,
    FollowUpFilterSerializer,
    FollowUpSerializer,
)
from api.views import ApiView
from complaints.models import ComplaintCategory
from followup.models import Finding
from incidents.patient_access import patient_data_access_record


def _complaint_rows(qs):
    return qs.select_related("unit__board", "deviation").prefetch_related(
        Prefetch("categories", queryset=ComplaintCategory.objects.only("code").order_by("order", "code"))
    )


class ComplaintList(ApiView):
    required_scopes = {"GET": ApiScope.READ_COMPLAINTS}
    pagination_class = IdCursorPagination
    serializer_class = ComplaintSerializer

    @extend_schema(parameters=[ComplaintFilterSerializer], responses=ComplaintSerializer(many=True))
    def get(self, request):
        data = self.query(ComplaintFilterSerializer)
        qs = selectors.case_filters(
            selectors.client_complaints(client=self.client),
            data,
            unit="unit__code",
            board="unit__board__code",
            day="received_on",
            updated="updated_at",
        )
        page = self.paginate_queryset(_complaint_rows(qs))
        patient_data_access_record(user=self.client.user, records=page, action="api")
        return self.get_paginated_response(ComplaintSerializer(page, many=True).data)


class ComplaintDetail(ApiView):
    required_scopes = {"GET": ApiScope.READ_COMPLAINTS}
    serializer_class = ComplaintSerializer

    def get(self, request, reference: str):
        complaint = _complaint_rows(selectors.client_complaints(client=self.client)).filter(reference=reference).first()
        if complaint is None:
            raise NotFound(_("No complaint with this reference."))
        patient_data_access_record(user=self.client.user, records=[complaint], action="api")
        return Response(ComplaintSerializer(complaint).data)


def _followup_rows(qs):
    return qs.select_related("unit", "contract", "board").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("id"))
    )


class FollowUpList(ApiView):
    required_scopes = {"GET": ApiScope.READ_FOLLOWUPS}
    pagination_class = IdCursorPagination
    serializer_class = FollowUpSerializer

    @extend_schema(parameters=[FollowUpFilterSerializer], responses=FollowUpSerializer(many=True))
    def get(self, request):
        data = self.query(FollowUpFilterSerializer)
        qs = selectors.case_filters(
            selectors.client_followups(client=self.client),
            data,
            unit="unit__code",
            board="board__code",
            day="scheduled_date",
            extra=("kind",),
        )
        page = self.paginate_queryset(_followup_rows(qs))
        return self.get_paginated_response(FollowUpSerializer(page, many=True).data)


class FollowUpDetail(ApiView):
    required_scopes = {"GET": ApiScope.READ_FOLLOWUPS}
    serializer_class = FollowUpSerializer

    def get(self, request, pk: int):
        follow_up = _followup_rows(selectors.client_followups(client=self.client)).filter(pk=pk).first()
        if follow_up is None:
            raise NotFound(_("No follow-up with this id."))
        return Response(FollowUpSerializer(follow_up).data)
