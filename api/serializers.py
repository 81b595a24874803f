"""What the API reads and writes: explicit fields only (never a personnummer, hash or org number)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.choices import Channel, ComplainantKind, ComplaintState
from followup.choices import FollowUpKind, FollowUpState, FollowUpTrigger
from incidents.lexmaria.models import LexMariaState
from incidents.models import DeviationState, EventKind
from incidents.patient import redact
from responsibility.choices import STATUTORY_ROLES

EARLIEST = date(1900, 1, 1)


def _sane_date(value: date | datetime):
    if value is not None and (value.year < EARLIEST.year or value.year > 2999):
        raise serializers.ValidationError(_("Enter a date between 1900 and 2999."))
    return value


class SaneDateField(serializers.DateField):
    def to_internal_value(self, value):
        return _sane_date(super().to_internal_value(value))


class SaneDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value):
        return _sane_date(super().to_internal_value(value))


class RedactedCharField(serializers.CharField):
    """Free text with anything shaped like a personnummer removed."""

    def to_representation(self, value):
        return redact(super().to_representation(value))


class ProblemErrorSerializer(serializers.Serializer):
    pointer = serializers.CharField(help_text="JSON pointer to the field, e.g. #/occurred_at")
    field = serializers.CharField()
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ProblemErrorSerializer(many=True, required=False)


# --- register ---------------------------------------------------------------------------------


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProviderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit_type = serializers.CharField()
    board = CodeNameSerializer()
    region = CodeNameSerializer(allow_null=True)
    date = serializers.DateField(help_text="The date the operation below is given for.")
    provider = ProviderRefSerializer(allow_null=True)
    operating_form = serializers.CharField()
    contract_case_number = serializers.CharField(allow_null=True)
    places = serializers.IntegerField()
    provides_health_care = serializers.BooleanField()
    provides_rehabilitation = serializers.BooleanField()
    active_from = serializers.DateField()
    active_to = serializers.DateField(allow_null=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    profession = serializers.CharField()
    licensed = serializers.BooleanField()
    email = serializers.CharField(allow_blank=True)


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id")
    role = serializers.CharField()
    kind = serializers.CharField()
    scope = serializers.CharField()
    scope_code = serializers.SerializerMethodField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    deputy_for = serializers.IntegerField(source="deputy_for_id", allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_scope_code(self, obj) -> str:
        if obj.unit_id:
            return obj.unit.code
        if obj.board_id:
            return obj.board.code
        if obj.region_id:
            return obj.region.code
        return str(obj.provider_id)


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    case_number = serializers.CharField()
    provider = ProviderRefSerializer()
    managing_board = serializers.CharField(source="managing_board.code", allow_null=True)
    purchasing_board = serializers.CharField(source="purchasing_board.code", allow_null=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    mas_held_by = serializers.CharField()
    mas_clause = serializers.CharField(allow_blank=True)
    lex_maria_route = serializers.CharField(allow_blank=True)
    units = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_units(self, obj) -> list[str]:
        return sorted(u.code for u in obj.units.all())


class HolderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    profession = serializers.CharField()


class ResolutionContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField()
    mas_held_by = serializers.CharField()
    clause = serializers.CharField(allow_blank=True)


class ResponsibleSerializer(serializers.Serializer):
    """Exactly ``who_is_responsible --format json``."""

    unit = serializers.CharField()
    role = serializers.CharField()
    date = serializers.DateField()
    holder = HolderSerializer(allow_null=True)
    holders = serializers.ListField(child=serializers.CharField())
    assignment_id = serializers.IntegerField(allow_null=True)
    deputy_for = serializers.CharField(allow_null=True)
    scope = serializers.CharField(allow_null=True)
    contract = ResolutionContractSerializer(allow_null=True)
    reason = serializers.CharField()


class ResponsibleQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[str(r) for r in STATUTORY_ROLES])
    date = SaneDateField(required=False, help_text="YYYY-MM-DD (default: today)")


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    unit = serializers.CharField()
    message = serializers.CharField()
    legal_basis = serializers.CharField()


class FindingsSerializer(serializers.Serializer):
    """Exactly ``check_responsibility --format json``."""

    date = serializers.DateField()
    board = serializers.CharField(allow_null=True)
    count = serializers.IntegerField()
    findings = FindingSerializer(many=True)


class FindingsQuerySerializer(serializers.Serializer):
    date = SaneDateField(required=False, help_text="YYYY-MM-DD (default: today)")
    board = serializers.CharField(required=False, max_length=40)


class UnitQuerySerializer(serializers.Serializer):
    date = SaneDateField(required=False, help_text="The operation (provider, form, contract) on this date.")
    board = serializers.CharField(required=False, max_length=40)


# --- deviations and Lex Maria -----------------------------------------------------------------


class DeviationCreateSerializer(serializers.Serializer):
    """The report form's fields (the form validates them; this only checks the JSON types)."""

    unit = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="Unit code")
    occurred_at = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="ISO 8601, e.g. 2026-11-02T14:30 (Europe/Stockholm)",
    )
    discovered_at = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="Category code")
    event_kind = serializers.ChoiceField(choices=EventKind.choices, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True, trim_whitespace=False)
    immediate_actions = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    patient_identifier = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        write_only=True,
        help_text="Personnummer (stored encrypted, never returned)",
    )
    consequence = serializers.IntegerField(required=False, allow_null=True)
    probability = serializers.IntegerField(required=False, allow_null=True)
    reported_on_behalf_of = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class DeviationCreatedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    state = serializers.CharField()
    url = serializers.CharField()


class DeviationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    board = serializers.CharField(source="unit.board.code")
    state = serializers.ChoiceField(choices=DeviationState.choices)
    category = serializers.CharField(source="category.code")
    event_kind = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    discovered_at = serializers.DateTimeField()
    reported_at = serializers.DateTimeField(allow_null=True)
    description = RedactedCharField()
    immediate_actions = RedactedCharField(allow_blank=True)
    consequence = serializers.IntegerField()
    probability = serializers.IntegerField()
    risk_score = serializers.IntegerField()
    mas_role = serializers.CharField(allow_blank=True)
    lex_maria_decision = serializers.BooleanField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()


class LexMariaCaseSerializer(serializers.Serializer):
    reference = serializers.CharField()
    deviation = serializers.CharField(source="deviation.reference")
    unit = serializers.CharField(source="deviation.unit.code")
    route = serializers.CharField()
    state = serializers.ChoiceField(choices=LexMariaState.choices)
    board = serializers.CharField(source="board.code")
    purchasing_board = serializers.CharField(source="purchasing_board.code", allow_null=True)
    decided_at = serializers.DateTimeField()
    motivation = RedactedCharField()
    forwarded_by_board_mas_at = serializers.DateField(allow_null=True)
    board_informed_at = serializers.DateField(allow_null=True)
    ivo_sent_at = serializers.DateField(allow_null=True)
    ivo_case_number = serializers.CharField(allow_blank=True)
    ivo_decision_at = serializers.DateField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class CaseFilterSerializer(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=40)
    board = serializers.CharField(required=False, max_length=40)
    period_start = SaneDateField(required=False)
    period_end = SaneDateField(required=False)
    updated_since = SaneDateTimeField(required=False)


class DeviationFilterSerializer(CaseFilterSerializer):
    state = serializers.ChoiceField(
        choices=[c for c in DeviationState.choices if c[0] != DeviationState.DRAFT], required=False
    )


class LexMariaFilterSerializer(CaseFilterSerializer):
    state = serializers.ChoiceField(choices=LexMariaState.choices, required=False)


class ComplaintSerializer(serializers.Serializer):
    """A complaint without the complainant's or patient's identity; free text with personnummer removed."""

    reference = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    board = serializers.CharField(source="unit.board.code")
    state = serializers.ChoiceField(choices=ComplaintState.choices)
    received_on = serializers.DateField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    complainant_kind = serializers.ChoiceField(choices=ComplainantKind.choices)
    categories = serializers.SerializerMethodField()
    concerns_health_care = serializers.BooleanField()
    mas_role = serializers.CharField(allow_blank=True)
    description = RedactedCharField()
    external_case_number = serializers.CharField(allow_blank=True)
    acknowledge_due = serializers.DateField()
    acknowledged_on = serializers.DateField(allow_null=True)
    answer_due = serializers.DateField()
    answered_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    deviation = serializers.CharField(source="deviation.reference", allow_null=True, default=None)
    due_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_categories(self, obj) -> list[str]:
        return [c.code for c in obj.categories.all()]


class ComplaintFilterSerializer(CaseFilterSerializer):
    state = serializers.ChoiceField(choices=ComplaintState.choices, required=False)


class FollowUpFindingSerializer(serializers.Serializer):
    area = serializers.CharField()
    severity = serializers.CharField()
    description = RedactedCharField()


class FollowUpSerializer(serializers.Serializer):
    """A follow-up of a unit or a contract: when, by whom (role only), in what state, what it found."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    trigger = serializers.ChoiceField(choices=FollowUpTrigger.choices)
    state = serializers.ChoiceField(choices=FollowUpState.choices)
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    contract = serializers.CharField(source="contract.case_number", allow_null=True, default=None)
    board = serializers.CharField(source="board.code")
    scheduled_date = serializers.DateField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    summary = RedactedCharField(allow_blank=True)
    findings = FollowUpFindingSerializer(many=True)


class FollowUpFilterSerializer(CaseFilterSerializer):
    state = serializers.ChoiceField(choices=FollowUpState.choices, required=False)
    kind = serializers.ChoiceField(choices=FollowUpKind.choices, required=False)
