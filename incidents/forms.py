"""Forms of the deviation pages: the quick report, the investigation, the assessment, the queue filters."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.widgets import FetchedChoiceIterator, QuickSelect
from incidents import attachments, reporting
from incidents.models import Deviation, DeviationCategory, DeviationState, EventKind
from incidents.permissions import reportable_units
from incidents.risk import DEFAULT_MAS_RISK_THRESHOLD, RiskBand, risk_band_q
from incidents.selectors import overdue_q
from responsibility import pickers
from responsibility.models import Assignment, Municipality, Person, Unit
from responsibility.resolver import units_with_board
from responsibility.scope import covering_unit_q
from responsibility.tenancy import municipality_id_of

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MATRIX_VALUES = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
CONSEQUENCE_LABELS = {1: _("Minor"), 2: _("Moderate"), 3: _("Significant"), 4: _("Catastrophic")}
PROBABILITY_LABELS = {1: _("Very unlikely"), 2: _("Unlikely"), 3: _("Possible"), 4: _("Very likely")}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class DeviationForm(forms.Form):
    """The quick report: everything on one page, patient reference optional."""

    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=Unit.objects.none(), required=False, empty_label=_("Choose unit")
    )
    occurred_at = forms.DateTimeField(
        label=_("When did it happen?"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        required=False,
    )
    discovered_at = forms.DateTimeField(
        label=_("When was it discovered?"),
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=DeviationCategory.objects.none(), required=False, empty_label=_("Choose category")
    )
    event_kind = forms.ChoiceField(
        label=_("Event or risk"), choices=EventKind.choices, widget=forms.RadioSelect, initial=EventKind.OCCURRED
    )
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Describe the event. Do not write the patient's name here."),
    )
    immediate_actions = forms.CharField(
        label=_("Immediate actions"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    patient_identifier = forms.CharField(
        label=_("Patient's personnummer (optional)"),
        required=False,
        max_length=20,
        help_text=_("YYYYMMDD-NNNN. Stored encrypted; shown only to those who handle the deviation."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    consequence = forms.TypedChoiceField(
        label=_("Consequence"),
        choices=MATRIX_VALUES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        empty_value=None,
    )
    probability = forms.TypedChoiceField(
        label=_("Probability"),
        choices=MATRIX_VALUES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        empty_value=None,
    )
    reported_on_behalf_of = forms.CharField(
        label=_("Reported on behalf of (name and role, if not yourself)"), required=False, max_length=160
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("PDF, PNG, JPEG or Word (docx). If the form is shown again with an error, choose the file again."),
    )

    def __init__(self, *args, user, reportable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # ``reportable``: the units to report for when they are not the user's own (an API client's token units).
        self.reportable = reportable
        units = (reportable if reportable is not None else reportable_units(user)).order_by("name")
        # With what routing and the deadline read (board, region, provider, municipality): a report's unit is
        # loaded once per request.
        self.fields["unit"].queryset = units_with_board(units).select_related("municipality")
        # A login reports only for units of its own municipality (reportable_units is scoped to it); an API
        # client's units name theirs. validate_report checks the category belongs to the unit's.
        municipality_ids = units.values("municipality_id") if reportable is not None else [municipality_id_of(user)]
        self.fields["category"].queryset = DeviationCategory.objects.filter(
            municipality_id__in=municipality_ids, active=True
        )
        self.fields["consequence"].choices = [(v, f"{v} – {CONSEQUENCE_LABELS[v]}") for v, _l in MATRIX_VALUES]
        self.fields["probability"].choices = [(v, f"{v} – {PROBABILITY_LABELS[v]}") for v, _l in MATRIX_VALUES]

    @cached_property
    def mas_risk_threshold(self) -> int:
        """The MAS risk threshold of the reporter's municipality (the default if the units span several)."""
        values = set(
            Municipality.objects.filter(pk__in=self.fields["unit"].queryset.values("municipality_id")).values_list(
                "mas_risk_threshold", flat=True
            )
        )
        return values.pop() if len(values) == 1 else DEFAULT_MAS_RISK_THRESHOLD

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            self.attachment_content_type = attachments.validate_attachment(upload)
        return upload

    def report(self) -> reporting.Report:
        data = self.cleaned_data
        return reporting.Report(
            unit=data.get("unit"),
            occurred_at=data.get("occurred_at"),
            discovered_at=data.get("discovered_at"),
            category=data.get("category"),
            event_kind=data.get("event_kind") or EventKind.OCCURRED,
            description=data.get("description") or "",
            immediate_actions=data.get("immediate_actions") or "",
            patient_identifier=(data.get("patient_identifier") or "").strip(),
            consequence=data.get("consequence"),
            probability=data.get("probability"),
            reported_on_behalf_of=data.get("reported_on_behalf_of") or "",
        )

    def clean(self):
        cleaned = super().clean()
        # Fields that failed their own parsing already carry a message.
        errors = reporting.validate_report(user=self.user, report=self.report(), reportable=self.reportable)
        for field, messages in errors.items():
            if field in self.errors:
                continue
            for message in messages:
                self.add_error(field, message)
        return cleaned

    def risk(self) -> tuple[int | None, int | None]:
        """Consequence and probability as typed (for showing the matrix again)."""

        def value(name):
            raw = self.data.get(name) if self.is_bound else self.initial.get(name)
            try:
                number = int(raw)
            except (TypeError, ValueError):
                return None
            return number if 1 <= number <= 4 else None

        return value("consequence"), value("probability")


def people_for_unit(unit: Unit):
    """People with an active assignment covering ``unit`` (its unit, provider, board or region)."""
    today = timezone.localdate()
    return Person.objects.filter(
        pk__in=Assignment.objects.active_on(today).filter(covering_unit_q(unit)).values("person_id")
    ).order_by("last_name", "first_name")


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class InvestigationForm(VersionedForm):
    investigator = forms.ModelChoiceField(
        label=_("Investigator"), queryset=get_user_model().objects.none(), required=False
    )
    cause_analysis = forms.CharField(label=_("Causes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    lessons_learned = forms.CharField(
        label=_("Lessons learned"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, deviation: Deviation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = (
            get_user_model()
            .objects.filter(person__in=people_for_unit(deviation.unit))
            .order_by("last_name", "first_name")
        )
        self.fields["investigator"].label_from_instance = lambda u: u.get_full_name() or u.username


class ActionForm(VersionedForm):
    description = forms.CharField(label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, deviation: Deviation, **kwargs):
        super().__init__(*args, **kwargs)
        # The unit's people, each with title, workplace and e-mail to tell namesakes apart (issue 13).
        self.fields["owner"].queryset = pickers.with_current(people_for_unit(deviation.unit))
        self.fields["owner"].label_from_instance = pickers.person_label


class AssessForm(VersionedForm):
    assessment = forms.CharField(label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 4}))
    lex_maria = forms.TypedChoiceField(
        label=_("Report under Lex Maria?"),
        widget=forms.RadioSelect,
        choices=[("yes", _("Yes: the event caused or could have caused a serious injury")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
    )
    motivation = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(VersionedForm):
    feedback = forms.CharField(
        label=_("Feedback to the reporter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reporter sees this. Do not write patient data here."),
    )
    lessons_learned = forms.CharField(
        label=_("Lessons learned"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SimpleMoveForm(VersionedForm):
    pass


class DeviationFilter(django_filters.FilterSet):
    """Queue filters: state, category, risk level, overdue, unit, period; sort (selects written in Python)."""

    state = django_filters.ChoiceFilter(
        label=_("State"),
        empty_label=_("All"),
        choices=[c for c in DeviationState.choices if c[0] != DeviationState.DRAFT],
        widget=QuickSelect,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=DeviationCategory.objects.none(), empty_label=_("All"), widget=QuickSelect
    )
    risk = django_filters.ChoiceFilter(
        label=_("Risk level"), empty_label=_("All"), method="filter_risk", choices=RiskBand.choices, widget=QuickSelect
    )
    overdue = django_filters.BooleanFilter(label=_("Only overdue"), method="filter_overdue", widget=forms.CheckboxInput)
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=Unit.objects.none(), empty_label=_("All"), widget=QuickSelect
    )
    occurred_from = django_filters.DateFilter(
        label=_("Occurred from"),
        field_name="occurred_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    occurred_to = django_filters.DateFilter(
        label=_("Occurred to"),
        field_name="occurred_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        empty_label=_("Newest first"),
        widget=QuickSelect,
        fields=(("occurred_at", "occurred"), ("due_at", "due"), ("risk_score", "risk"), ("reference", "reference")),
        # Both directions named here (django-filter keys the ascending label by the model field, the
        # descending one by "-param"); its own "Due" and "(descending)" have no Swedish translation.
        field_labels={
            "occurred_at": _("Occurred, oldest first"),
            "-occurred": _("Occurred, newest first"),
            "due_at": _("Deadline, nearest first"),
            "-due": _("Deadline, latest first"),
            "risk_score": _("Risk score, lowest first"),
            "-risk": _("Risk score, highest first"),
            "reference": _("Reference, ascending"),
            "-reference": _("Reference, descending"),
        },
    )

    class Meta:
        model = Deviation
        fields: list[str] = []

    def __init__(self, *args, units=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.filters["unit"].queryset = units
        if categories is not None:
            self.filters["category"].queryset = categories
        for name in ("unit", "category"):
            self.filters[name].field.iterator = FetchedChoiceIterator

    def filter_risk(self, queryset, name, value):
        return queryset.filter(risk_band_q(value)) if value in RiskBand.values else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset


class AccessLogForm(forms.Form):
    """Log review filters; posted, so a personnummer never appears in a URL."""

    username = forms.CharField(label=_("User (username)"), required=False, max_length=150)
    patient = forms.CharField(
        label=_("Patient's personnummer"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean_patient(self) -> str:
        from incidents import patient

        value = (self.cleaned_data.get("patient") or "").strip()
        if value:
            patient.normalize_personnummer(value)
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The end date cannot be before the start date."))
        return cleaned
