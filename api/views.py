"""REST API v1: thin views over the API selectors and the apps' own services (one rule, one place)."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from api import selectors
from api.authentication import BearerTokenAuthentication
from api.choices import ApiScope
from api.models import ApiClient, IdempotencyRecord
from api.pagination import IdCursorPagination
from api.permissions import HasScope
from api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, field_errors, problem
from api.serializers import (
    AssignmentSerializer,
    ContractSerializer,
    DeviationCreatedSerializer,
    DeviationCreateSerializer,
    DeviationFilterSerializer,
    DeviationSerializer,
    FindingsQuerySerializer,
    FindingsSerializer,
    LexMariaCaseSerializer,
    LexMariaFilterSerializer,
    PersonSerializer,
    ResponsibleQuerySerializer,
    ResponsibleSerializer,
    UnitQuerySerializer,
    UnitSerializer,
)
from api.services import api_request_record
from api.throttling import ClientRateThrottle
from incidents import patient_access as incidents_patient_access
from incidents import reporting as incidents_reporting
from incidents.forms import DeviationForm
from incidents.models import DeviationCategory
from responsibility.checks import findings_as_dict, run_checks
from responsibility.models import CareProvider
from responsibility.resolver import build_index, responsible_for, units_with_board

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ApiView(GenericAPIView):
    """Bearer token, scope per method, rate limit per client; every call is logged."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    required_scopes: dict[str, str] = {}

    @property
    def client(self) -> ApiClient:
        return self.request.auth

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        client = getattr(request, "_auth", None)
        if isinstance(client, ApiClient):
            api_request_record(client=client, method=request.method, path=request.path, status=response.status_code)
        return response

    def query(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _on(data: dict):
    return data.get("date") or timezone.localdate()


# --- register ---------------------------------------------------------------------------------


class UnitList(ApiView):
    """Units of the token's municipality (within its restriction), with their operation on a date."""

    required_scopes = {"GET": ApiScope.READ_REGISTER}
    pagination_class = IdCursorPagination
    serializer_class = UnitSerializer

    @extend_schema(parameters=[UnitQuerySerializer], responses=UnitSerializer(many=True))
    def get(self, request):
        data = self.query(UnitQuerySerializer)
        units = units_with_board(selectors.client_units(client=self.client))
        if data.get("board"):
            units = units.filter(board__code=data["board"])
        page = self.paginate_queryset(units.select_related("contract"))
        on = _on(data)
        index = build_index(units=page, on=on)
        operations = {u.pk: index.operation(u) for u in page}
        providers = CareProvider.objects.in_bulk({op.provider_id for op in operations.values()})
        rows = []
        for unit in page:
            op = operations[unit.pk]
            provider = providers.get(op.provider_id)
            rows.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "unit_type": unit.unit_type,
                    "board": {"code": unit.board.code, "name": unit.board.name},
                    "region": (
                        {"code": unit.board.region.code, "name": unit.board.region.name}
                        if unit.board.region_id
                        else None
                    ),
                    "date": on,
                    "provider": (
                        {"id": provider.pk, "name": provider.name, "kind": provider.kind} if provider else None
                    ),
                    "operating_form": op.operating_form,
                    "contract_case_number": op.contract.case_number if op.contract else None,
                    "places": unit.places,
                    "provides_health_care": unit.provides_health_care,
                    "provides_rehabilitation": unit.provides_rehabilitation,
                    "active_from": unit.active_from,
                    "active_to": unit.active_to,
                }
            )
        return self.get_paginated_response(UnitSerializer(rows, many=True).data)


class UnitResponsible(ApiView):
    """Who holds a role for a unit on a date, and why: the resolver's answer, as ``who_is_responsible``."""

    required_scopes = {"GET": ApiScope.READ_REGISTER}
    serializer_class = ResponsibleSerializer

    @extend_schema(parameters=[ResponsibleQuerySerializer], responses=ResponsibleSerializer)
    def get(self, request, code: str):
        data = self.query(ResponsibleQuerySerializer)
        unit = selectors.client_unit(client=self.client, code=code)
        if unit is None:
            raise NotFound(_("No unit with this code."))
        return Response(responsible_for(unit=unit, role=data["role"], on=_on(data)).as_dict())


class RegisterList(ListModelMixin, ApiView):
    """A cursor-paginated list of the register, as the token may see it."""

    required_scopes = {"GET": ApiScope.READ_REGISTER}
    pagination_class = IdCursorPagination

    def get(self, request):
        return self.list(request)


class PersonList(RegisterList):
    """People: name, title, profession, licence flag and e-mail only."""

    serializer_class = PersonSerializer

    def get_queryset(self):
        return selectors.client_people(client=self.client)


class AssignmentList(RegisterList):
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return selectors.client_assignments(client=self.client).select_related("unit", "board", "region")


class ContractList(RegisterList):
    serializer_class = ContractSerializer

    def get_queryset(self):
        return (
            selectors.client_contracts(client=self.client)
            .select_related("provider", "managing_board", "purchasing_board")
            .prefetch_related("units")
        )


class RegisterFindings(ApiView):
    """The register checks on a date: the same output as ``check_responsibility --format json``."""

    required_scopes = {"GET": ApiScope.READ_REGISTER}
    serializer_class = FindingsSerializer

    @extend_schema(parameters=[FindingsQuerySerializer], responses=FindingsSerializer)
    def get(self, request):
        data = self.query(FindingsQuerySerializer)
        units = selectors.client_units(client=self.client)
        if data.get("board"):
            units = units.filter(board__code=data["board"])
        units = units_with_board(units).select_related("municipality").order_by("code")
        on = _on(data)
        return Response(findings_as_dict(findings=run_checks(units=units, on=on), on=on, board=data.get("board")))


# --- deviations -------------------------------------------------------------------------------


def _request_hash(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _form_data(*, client: ApiClient, data: dict, units) -> dict:
    """The API body as the report form's POST data: unit and category by code, the rest as typed."""
    form_data = {k: ("" if v is None else str(v)) for k, v in data.items()}
    # What the form pre-selects (event or risk) is what an API client that leaves it out gets.
    for name, field in DeviationForm.base_fields.items():
        if field.initial is not None and not form_data.get(name):
            form_data[name] = str(field.initial)
    unit_code = data.get("unit")
    if unit_code:
        unit_pk = units.filter(code=unit_code).values_list("pk", flat=True).first()
        form_data["unit"] = str(unit_pk) if unit_pk else unit_code
    category_code = data.get("category")
    if category_code:
        category_pk = (
            DeviationCategory.objects.filter(municipality_id=client.municipality_id, code=category_code, active=True)
            .values_list("pk", flat=True)
            .first()
        )
        form_data["category"] = str(category_pk) if category_pk else category_code
    return form_data


def _deviation_url(reference: str) -> str:
    return f"/api/v1/deviations/{reference}/"


class DeviationListCreate(ApiView):
    """Read the deviations the token may see; report a new one through the report form's rules."""

    required_scopes = {"GET": ApiScope.READ_DEVIATIONS, "POST": ApiScope.WRITE_DEVIATIONS}
    pagination_class = IdCursorPagination
    serializer_class = DeviationSerializer

    @extend_schema(parameters=[DeviationFilterSerializer], responses=DeviationSerializer(many=True))
    def get(self, request):
        data = self.query(DeviationFilterSerializer)
        qs = selectors.case_filters(
            selectors.client_deviations(client=self.client).select_related("unit__board", "category"),
            data,
            unit="unit__code",
            board="unit__board__code",
            day="occurred_at__date",
            updated="updated_at",
        )
        page = self.paginate_queryset(qs)
        incidents_patient_access.patient_data_access_record(user=self.client.user, deviations=page, action="api")
        return self.get_paginated_response(DeviationSerializer(page, many=True).data)

    @extend_schema(
        request=DeviationCreateSerializer,
        responses={201: DeviationCreatedSerializer, 200: DeviationCreatedSerializer},
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="A retry with the same key never creates a second deviation.",
            )
        ],
    )
    def post(self, request):
        body = DeviationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items()}
        key = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
        if len(key) > 200:
            return problem(400, detail=_("The Idempotency-Key may be at most 200 characters."))
        if not key:
            return self._create(data)
        digest = _request_hash(data)
        try:
            with transaction.atomic():
                record, created = IdempotencyRecord.objects.select_for_update().get_or_create(
                    client=self.client, key=key, defaults={"request_hash": digest}
                )
                if not created:
                    if record.request_hash != digest:
                        return problem(
                            422,
                            title=_("The Idempotency-Key was used with another body."),
                            detail=_("Send a new Idempotency-Key for a new deviation."),
                        )
                    return Response(record.response, status=status.HTTP_200_OK)
                response = self._create(data)
                if response.status_code != status.HTTP_201_CREATED:
                    # Nothing is kept of a refused request: the key may be used again with corrected data.
                    transaction.set_rollback(True)
                    return response
                record.status = response.status_code
                record.response = dict(response.data)
                record.save(update_fields=["status", "response"])
                return response
        except IntegrityError:
            # A concurrent request with the same key committed first: answer with its result.
            record = IdempotencyRecord.objects.filter(client=self.client, key=key).first()
            if record is None or record.request_hash != digest:
                return problem(
                    422,
                    title=_("The Idempotency-Key was used with another body."),
                    detail=_("Send a new Idempotency-Key for a new deviation."),
                )
            return Response(record.response, status=status.HTTP_200_OK)

    def _create(self, data: dict) -> Response:
        client = self.client
        units = selectors.client_units(client=client)
        form = DeviationForm(_form_data(client=client, data=data, units=units), user=client.user, reportable=units)
        if not form.is_valid():
            messages = {f: [e["message"] for e in errs] for f, errs in form.errors.get_json_data().items()}
            return problem(422, detail=_("Correct the fields listed in errors."), errors=field_errors(messages))
        try:
            deviation = incidents_reporting.deviation_save(
                user=client.user, report=form.report(), submit=True, reportable=units
            )
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            return problem(422, detail=_("Correct the fields listed in errors."), errors=field_errors(detail))
        return Response(
            {"reference": deviation.reference, "state": deviation.state, "url": _deviation_url(deviation.reference)},
            status=status.HTTP_201_CREATED,
        )


class DeviationDetail(ApiView):
    required_scopes = {"GET": ApiScope.READ_DEVIATIONS}
    serializer_class = DeviationSerializer

    def get(self, request, reference: str):
        deviation = (
            selectors.client_deviations(client=self.client)
            .select_related("unit__board", "category")
            .filter(reference=reference)
            .first()
        )
        if deviation is None:
            raise NotFound(_("No deviation with this reference."))
        incidents_patient_access.patient_data_access_record(user=self.client.user, deviations=[deviation], action="api")
        return Response(DeviationSerializer(deviation).data)


# --- Lex Maria ------------------------------------------------------------------------------


def _lex_maria_rows(qs):
    return qs.select_related("deviation__unit", "board", "purchasing_board").defer(
        "patient_statement",
        "patient_informed_by",
        "patient_not_informed_reason",
        "deviation__patient_identifier_encrypted",
    )


class LexMariaList(ApiView):
    required_scopes = {"GET": ApiScope.READ_LEX_MARIA}
    pagination_class = IdCursorPagination
    serializer_class = LexMariaCaseSerializer

    @extend_schema(parameters=[LexMariaFilterSerializer], responses=LexMariaCaseSerializer(many=True))
    def get(self, request):
        data = self.query(LexMariaFilterSerializer)
        qs = selectors.case_filters(
            selectors.client_lex_maria_cases(client=self.client),
            data,
            unit="deviation__unit__code",
            board="board__code",
            day="decided_at__date",
        )
        page = self.paginate_queryset(_lex_maria_rows(qs))
        incidents_patient_access.patient_data_access_record(
            user=self.client.user, deviations=[c.deviation for c in page], action="api"
        )
        return self.get_paginated_response(LexMariaCaseSerializer(page, many=True).data)


class LexMariaDetail(ApiView):
    required_scopes = {"GET": ApiScope.READ_LEX_MARIA}
    serializer_class = LexMariaCaseSerializer

    def get(self, request, reference: str):
        case = _lex_maria_rows(selectors.client_lex_maria_cases(client=self.client)).filter(reference=reference).first()
        if case is None:
            raise NotFound(_("No Lex Maria case with this reference."))
        incidents_patient_access.patient_data_access_record(
            user=self.client.user, deviations=[case.deviation], action="api"
        )
        return Response(LexMariaCaseSerializer(case).data)


def api_not_found(request, *args, **kwargs):
    """A path under /api/ that does not exist: problem details, in Swedish."""
    body = {
        "type": PROBLEM_TYPE_BASE + "not-found",
        "title": _("Not found."),
        "status": 404,
        "detail": _("There is no such endpoint. See /api/v1/docs/."),
    }
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


# --- documentation ----------------------------------------------------------------------------


def api_docs(request):
    """A plain HTML page (no scripts) listing every endpoint of the generated schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary") or op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return render(request, "api/docs.html", {"endpoints": endpoints, "info": schema.get("info", {})})
