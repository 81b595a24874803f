"""Forms of follow-up. Validation across rows lives in the services; errors are mapped back to fields."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.choices import DutyArea, FindingSeverity, FollowUpKind, FollowUpTrigger, PlanScope
from followup.models import ChecklistAnswer, ChecklistTemplate, FollowUpPlan, Routine
from responsibility.choices import Role
from responsibility.models import Assignment, Board, CareProvider, Contract, Person, Region, Unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def auditors_queryset():
    today = timezone.localdate()
    return (
        Person.objects.filter(
            Q(assignments__valid_to__isnull=True) | Q(assignments__valid_to__gte=today),
            assignments__role=Role.QUALITY_AUDITOR,
            assignments__valid_from__lte=today,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class ContractForm(forms.ModelForm):
    """Register a contract, its covered units and (for läkarmedverkan) the region's commitments."""

    class Meta:
        model = Contract
        fields = [
            "kind",
            "title",
            "provider",
            "managing_board",
            "purchasing_board",
            "case_number",
            "valid_from",
            "valid_to",
            "units",
            "mas_held_by",
            "mas_clause",
            "informs_board_mas",
            "lex_maria_route",
            "journal_access",
            "successor",
            "doctor_available_24_7",
            "nurse_assessment_24_7",
            "physical_visits",
            "non_compliance_consequences",
        ]
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "units": forms.SelectMultiple(attrs={"size": 8}),
            "physical_visits": forms.Textarea(attrs={"rows": 3}),
            "non_compliance_consequences": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.select_related("board").order_by("name")
        self.fields["provider"].queryset = CareProvider.objects.order_by("name")
        successors = Contract.objects.order_by("-valid_from")
        if self.instance.pk:
            successors = successors.exclude(pk=self.instance.pk)
        self.fields["successor"].queryset = successors


class PlanForm(forms.ModelForm):
    class Meta:
        model = FollowUpPlan
        fields = [
            "title",
            "kind",
            "scope",
            "contract",
            "unit",
            "board",
            "checklist_template",
            "interval_months",
            "spread_units",
            "starts_on",
            "ends_on",
            "lead_days",
            "auditor",
        ]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.order_by("title")
        self.fields["unit"].queryset = (units if units is not None else Unit.objects.all()).order_by("name")
        self.fields["board"].queryset = Board.objects.order_by("name")
        self.fields["checklist_template"].queryset = ChecklistTemplate.objects.filter(active=True)
        self.fields["auditor"].queryset = auditors_queryset()

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        required = {PlanScope.CONTRACT: "contract", PlanScope.UNIT: "unit", PlanScope.BOARD: "board"}
        if scope in required:
            if not data.get(required[scope]):
                self.add_error(required[scope], _("Choose what the plan covers."))
            for other in set(required.values()) - {required[scope]}:
                data[other] = None
                setattr(self.instance, other, None)
        return data


class FollowUpCreateForm(forms.Form):
    """An ad-hoc follow-up: triggered by an incident, a board request or the unit's own request."""

    kind = forms.ChoiceField(label=_("Kind"), choices=FollowUpKind.choices)
    trigger = forms.ChoiceField(
        label=_("Trigger"), choices=[c for c in FollowUpTrigger.choices if c[0] != FollowUpTrigger.PLAN]
    )
    trigger_reference = forms.CharField(
        label=_("Reference of the trigger"),
        required=False,
        max_length=120,
        help_text=_("For example the deviation's reference or the board's decision. No patient data."),
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)
    scheduled_date = forms.DateField(label=_("Scheduled date"), widget=DateInput())
    auditor = forms.ModelChoiceField(label=_("Auditor"), queryset=Person.objects.none(), required=False)
    checklist_template = forms.ModelChoiceField(
        label=_("Checklist template"), queryset=ChecklistTemplate.objects.filter(active=True), required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["contract"].queryset = (
            Contract.objects.filter(Q(units__in=units) | Q(provider__units__in=units)).distinct().order_by("title")
        )
        self.fields["auditor"].queryset = auditors_queryset()


class FindingForm(forms.Form):
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    area = forms.ChoiceField(label=_("Duty area"), choices=[("", "—"), *DutyArea.choices], required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=FindingSeverity.choices)
    answer = forms.ModelChoiceField(label=_("Checklist item"), queryset=ChecklistAnswer.objects.none(), required=False)

    def __init__(self, *args, follow_up, **kwargs):
        super().__init__(*args, prefix="finding", **kwargs)
        self.fields["answer"].queryset = follow_up.answers.all()


class ActionForm(forms.Form):
    finding = forms.ChoiceField(label=_("Finding"))
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none(), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), required=False)

    def __init__(self, *args, follow_up, findings, **kwargs):
        super().__init__(*args, prefix="action", **kwargs)
        self.fields["finding"].choices = [(f.pk, f.description[:80]) for f in findings]
        self.fields["owner"].queryset = owners_for(follow_up)


def owners_for(follow_up) -> forms.QuerySet:
    """People who can own an action: anyone with an assignment covering the unit (or the contract's units)."""
    today = timezone.localdate()
    unit = follow_up.unit
    active = Q(assignments__valid_from__lte=today) & (
        Q(assignments__valid_to__isnull=True) | Q(assignments__valid_to__gte=today)
    )
    if unit is not None:
        where = (
            Q(assignments__unit=unit)
            | Q(assignments__provider_id=unit.provider_id)
            | Q(assignments__board_id=unit.board_id)
        )
    elif follow_up.contract_id:
        where = Q(assignments__provider_id=follow_up.contract.provider_id) | Q(
            assignments__unit__contracts=follow_up.contract
        )
    else:
        where = Q(pk__in=[])
    return Person.objects.filter(active & where).distinct().order_by("last_name", "first_name")


class ReportDoneForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for sending back"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DelegationForm(forms.Form):
    from_person = forms.ModelChoiceField(
        label=_("Delegated by (licensed)"), queryset=Person.objects.none(), required=False
    )
    to_person = forms.ModelChoiceField(label=_("Delegated to"), queryset=Person.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)
    tasks = forms.CharField(label=_("Tasks"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput(), required=False)
    valid_to = forms.DateField(label=_("Valid to"), widget=DateInput(), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("name")
        self.fields["from_person"].queryset = Person.objects.filter(licensed=True).order_by("last_name", "first_name")
        self.fields["to_person"].queryset = (
            Person.objects.filter(
                assignments__in=Assignment.objects.filter(Q(unit__in=units) | Q(provider__units__in=units))
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class RevokeForm(forms.Form):
    revoked_at = forms.DateField(label=_("Revoked from"), widget=DateInput(), required=False)
    revoked_reason = forms.CharField(
        label=_("Reason for revocation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RoutineForm(forms.ModelForm):
    document_url = forms.URLField(label=_("Link to the document"), required=False, assume_scheme="https")

    class Meta:
        model = Routine
        fields = [
            "title",
            "owner",
            "level",
            "scope",
            "region",
            "board",
            "provider",
            "unit",
            "area",
            "document_url",
            "version",
            "adopted_on",
            "next_revision",
        ]
        widgets = {"adopted_on": DateInput(), "next_revision": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.order_by("last_name", "first_name")
        self.fields["region"].queryset = Region.objects.order_by("name")
        self.fields["board"].queryset = Board.objects.order_by("name")
        self.fields["provider"].queryset = CareProvider.objects.order_by("name")
        self.fields["unit"].queryset = Unit.objects.order_by("name")
