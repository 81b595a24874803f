"""Forms of the reports app: choosing a report, writing and adopting the patient safety narrative."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_errors
from reports.builders import ReportParams
from reports.choices import ReportKind
from reports.models import PatientSafetyNarrative
from reports.narratives import NARRATIVE_FIELDS
from reports.scopes import scopes_for_user
from reports.services import ReportInputError, check_params


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ReportParamsForm(forms.Form):
    """Which report, for which scope, over which period (or date, or year)."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    scope = forms.CharField(label=_("Scope"), widget=forms.Select)
    period_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        help_text=_("First day of the period (not for the register or the patient safety report)."),
    )
    period_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(), help_text=_("Last day of the period.")
    )
    on = forms.DateField(
        label=_("Register on date"),
        required=False,
        widget=DateInput(),
        help_text=_("For the allocation of responsibility."),
    )
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=1900,
        max_value=2999,
        help_text=_("For the patient safety report: the calendar year it describes."),
    )

    def __init__(self, *args, user, scopes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.params: ReportParams | None = None
        self.scopes = scopes_for_user(user) if scopes is None else scopes
        self.fields["scope"].widget.choices = [(s.token, f"{s.kind_label}: {s.label}") for s in self.scopes]

    @classmethod
    def initial_for(cls) -> dict:
        today = timezone.localdate()
        return {"period_from": today.replace(month=1, day=1), "period_to": today, "on": today, "year": today.year - 1}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.params = check_params(
                user=self.user,
                kind=data["kind"],
                scope_token=data["scope"],
                period_from=data.get("period_from"),
                period_to=data.get("period_to"),
                year=data.get("year"),
                on=data.get("on"),
                scopes=self.scopes,
            )
        except ReportInputError as exc:
            add_service_errors(self, exc)
        return data


class NarrativeForm(forms.ModelForm):
    """The written sections of the patient safety report."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PatientSafetyNarrative
        fields = NARRATIVE_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in NARRATIVE_FIELDS}

    def __init__(self, *args, **kwargs):
        from reports.builders.patient_safety import narrative_guidance

        super().__init__(*args, **kwargs)
        guidance = narrative_guidance()
        for name in NARRATIVE_FIELDS:
            self.fields[name].help_text = guidance.get(name, "")


class AdoptForm(forms.Form):
    """The date the board adopted the report."""

    adopted_on = forms.DateField(label=_("Adopted by the board on"), widget=DateInput())
    adopted_paragraph = forms.CharField(
        label=_("Paragraph of the board's minutes"),
        max_length=40,
        required=False,
        help_text=_("As written in the minutes, e.g. § 42."),
    )
