"""The register admin's form for a new API client."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.choices import ApiScope
from responsibility.models import Board, CareProvider


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the system"), max_length=80, required=False, help_text=_("For example: Lifecare, Platina, BI.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=ApiScope.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    boards = forms.ModelMultipleChoiceField(
        label=_("Only these boards (optional)"),
        queryset=Board.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    provider = forms.ModelChoiceField(
        label=_("Only this care provider (optional)"),
        queryset=CareProvider.objects.none(),
        required=False,
        empty_label=_("All care providers"),
    )
    expires_on = forms.DateField(
        label=_("Valid through"),
        required=False,
        help_text=_("YYYY-MM-DD. Empty: one year from today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["boards"].queryset = Board.objects.filter(municipality_id=municipality_id).order_by("name")
        self.fields["provider"].queryset = CareProvider.objects.filter(municipality_id=municipality_id).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("expires_on", timezone.localdate() + timedelta(days=365))

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on") or (timezone.localdate() + timedelta(days=365))
        return timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))
