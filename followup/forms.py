"""Forms of follow-up. Validation across rows lives in the services; errors are mapped back to fields."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followup.choices import AnswerStatus, DutyArea, FindingSeverity, FollowUpKind, FollowUpTrigger, PlanScope
from followup.models import ChecklistAnswer, ChecklistTemplate, FollowUpPlan, Routine
from responsibility import pickers
from responsibility.choices import ContractKind, Role
from responsibility.models import Assignment, Board, CareProvider, Contract, Person, Region, Unit
from responsibility.tenancy import scope_form_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def auditors_queryset():
    today = timezone.localdate()
    return (
        Person.objects.filter(
            Assignment.active_q(today, prefix="assignments__"),
            assignments__role=Role.QUALITY_AUDITOR,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def make_picker(field, kind: str, *, depends: str = "", **params: object) -> None:
    """Make ``field`` (people or units) a type-ahead picker over follow-up's endpoint (``picker_views``).

    ``params`` go with every search; ``depends`` names another field of the form whose chosen value goes too
    (the delegation's unit narrows who may receive it)."""
    field.widget.attrs.update(pickers.picker_attrs(kind, reverse("followup:picker_search"), **params))
    if depends:
        field.widget.attrs["data-picker-depends"] = depends
    if field.queryset.model is Unit:
        field.queryset = pickers.units_for_picker(field.queryset)
        field.label_from_instance = pickers.unit_label
    else:
        field.queryset = pickers.with_current(field.queryset)
        field.label_from_instance = pickers.person_label


PHYSICIAN_FIELDS = ("doctor_available_24_7", "nurse_assessment_24_7", "physical_visits", "non_compliance_consequences")


class UnitLabelChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.code}, {obj.board.name})"


class ContractForm(forms.ModelForm):
    """Register a contract, its covered units and (for läkarmedverkan) the region's commitments (SPEC §6).

    ``SECTIONS`` groups the fields as the form shows them; the läkarmedverkan section applies only to an
    avtal om läkarmedverkan and is refused for every other contract type.
    """

    SECTIONS = (
        (
            "contract",
            _("The contract"),
            (
                "kind",
                "title",
                "case_number",
                "provider",
                "managing_board",
                "purchasing_board",
                "valid_from",
                "valid_to",
                "successor",
            ),
        ),
        ("units", _("Covered units"), ("units",)),
        (
            "mas",
            _("MAS duty and Lex Maria"),
            ("mas_held_by", "mas_clause", "informs_board_mas", "lex_maria_route", "journal_access"),
        ),
        ("physician", _("Physician participation"), PHYSICIAN_FIELDS),
    )
    HELP = {
        "kind": _(
            "Entreprenadavtal (LOU), ramavtal, LOV-avtal or avtal om läkarmedverkan between the municipality "
            "and the region."
        ),
        "case_number": _("The contract's number in the municipality's records (diarium)."),
        "provider": _("The care provider (vårdgivare) the contract is with. Empty for läkarmedverkan with the region."),
        "managing_board": _("The board that manages the contract and follows it up."),
        "purchasing_board": _("The board that buys the care; often the same as the managing board."),
        "successor": _(
            "The contract that takes over when this one ends (re-procurement); without one the portal "
            "warns before the end date."
        ),
        "units": _(
            "The units the contract covers. A unit run by a non-municipal care provider needs a contract in "
            "force (R12)."
        ),
        "mas_held_by": _(
            "Who holds the MAS duty for the covered units (HSL 11 kap. 4 §): decided by the contract, "
            "never guessed. A private provider under ramavtal or LOV always holds it itself."
        ),
        "mas_clause": _("The contract clause on the MAS duty, e.g. 4.11."),
        "informs_board_mas": _(
            "The care provider informs the board's MAS of deviations, organisational changes, events and risk analyses."
        ),
        "lex_maria_route": _(
            "Who reports to IVO and who is informed (SPEC §5). Must agree with the contract type and "
            "who holds the MAS duty (R11; PSL 3 kap. 5 §)."
        ),
        "journal_access": _("The MAS's right to read the provider's patient records for follow-up."),
        "doctor_available_24_7": _("The region's doctor can be reached around the clock."),
        "nurse_assessment_24_7": _("A nurse's assessment is available around the clock."),
        "physical_visits": _("How often and when the doctor visits the units in person."),
        "non_compliance_consequences": _("What the agreement says happens when a commitment is not met."),
    }

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
            *PHYSICIAN_FIELDS,
        ]
        field_classes = {"units": UnitLabelChoices}
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "units": forms.CheckboxSelectMultiple(),
            "physical_visits": forms.Textarea(attrs={"rows": 3}),
            "non_compliance_consequences": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.instance.municipality_id
        self.fields["units"].queryset = (
            Unit.objects.filter(municipality=municipality).select_related("board").order_by("name")
        )
        self.fields["provider"].queryset = CareProvider.objects.filter(municipality=municipality).order_by("name")
        for name in ("managing_board", "purchasing_board"):
            self.fields[name].queryset = Board.objects.filter(municipality=municipality).order_by("name")
        successors = Contract.objects.filter(municipality=municipality).order_by("-valid_from")
        if self.instance.pk:
            successors = successors.exclude(pk=self.instance.pk)
        self.fields["successor"].queryset = successors
        for name, text in self.HELP.items():
            self.fields[name].help_text = text

    def sections(self) -> list[tuple[str, str, list]]:
        """(key, legend, bound fields) of each section, in order."""
        return [(key, legend, [self[name] for name in names]) for key, legend, names in self.SECTIONS]

    def clean(self):
        data = super().clean()
        if data.get("kind") and data["kind"] != ContractKind.PHYSICIAN:
            for name in PHYSICIAN_FIELDS:
                if data.get(name):
                    self.add_error(
                        name, _("Applies only to an avtal om läkarmedverkan. Empty it or change the contract type.")
                    )
        return data


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
        make_picker(self.fields["unit"], "unit")
        make_picker(self.fields["auditor"], "auditor")

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
        make_picker(self.fields["unit"], "unit")
        make_picker(self.fields["auditor"], "auditor")


class FindingForm(forms.Form):
    description = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    area = forms.ChoiceField(label=_("Duty area"), choices=[("", "—"), *DutyArea.choices], required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=FindingSeverity.choices)
    answer = forms.ModelChoiceField(label=_("Checklist item"), queryset=ChecklistAnswer.objects.none(), required=False)

    def __init__(self, *args, follow_up, **kwargs):
        super().__init__(*args, prefix="finding", **kwargs)
        self.fields["answer"].queryset = follow_up.answers.all()

    @classmethod
    def for_answer(cls, *, follow_up, answer):
        """A finding started from a checklist item answered "Ej uppfyllt" or "Delvis": its area and text filled in,
        so the auditor does not type them again."""
        text = answer.question + (f"\n{answer.comment}" if answer.comment else "")
        severity = FindingSeverity.DEFICIENCY if answer.status == AnswerStatus.NOT_FULFILLED else None
        initial = {"description": text, "area": answer.area, "answer": answer.pk}
        if severity:
            initial["severity"] = severity
        return cls(follow_up=follow_up, initial=initial)


class ActionForm(forms.Form):
    finding = forms.ChoiceField(label=_("Finding"))
    description = forms.CharField(
        label=pgettext_lazy("follow-up", "Action"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none(), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), required=False)

    def __init__(self, *args, follow_up, findings, **kwargs):
        super().__init__(*args, prefix="action", **kwargs)
        self.fields["finding"].choices = [(f.pk, f.description[:80]) for f in findings]
        self.fields["owner"].queryset = owners_for(follow_up)
        make_picker(self.fields["owner"], "owner", followup=follow_up.pk)


def owners_for(follow_up) -> forms.QuerySet:
    """People who can own an action: anyone with an assignment covering the unit (or the contract's units)."""
    today = timezone.localdate()
    unit = follow_up.unit
    active = Assignment.active_q(today, prefix="assignments__")
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
        self.fields["from_person"].queryset = delegators_queryset()
        self.fields["to_person"].queryset = delegates_for(units)
        make_picker(self.fields["unit"], "delegation_unit")
        make_picker(self.fields["from_person"], "delegator")
        make_picker(self.fields["to_person"], "delegate", depends="unit")


def delegators_queryset() -> forms.QuerySet:
    """Who may delegate a health-care task: licensed people (legitimerade, SOSFS 1997:14)."""
    return Person.objects.filter(licensed=True).order_by("last_name", "first_name")


def delegates_for(units) -> forms.QuerySet:
    """Who may receive a delegation at one of ``units``: people with an assignment there (or at its provider)."""
    return (
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
        scope_form_choices(self, self.instance.municipality_id)
        make_picker(self.fields["owner"], "routine_owner")
        make_picker(self.fields["unit"], "routine_unit")
