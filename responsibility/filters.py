"""Filters of the register's read views (unit list, matrix, findings)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect
from responsibility.checks import RULE_CODES, RULE_TITLES
from responsibility.choices import OperatingForm, Severity, UnitType
from responsibility.models import Board, CareProvider, Unit


def _visible_boards(request):
    from responsibility.selectors import units_for_list

    if request is None:
        return Board.objects.none()
    return Board.objects.filter(units__in=units_for_list(user=request.user).values("pk")).distinct().order_by("name")


def _visible_providers(request):
    from responsibility.selectors import units_for_list

    if request is None:
        return CareProvider.objects.none()
    return (
        CareProvider.objects.filter(units__in=units_for_list(user=request.user).values("pk"))
        .distinct()
        .order_by("name")
    )


class UnitFilter(django_filters.FilterSet):
    """Narrow the unit list by board, provider, type and operating form (choices within the user's scope)."""

    q = django_filters.CharFilter(label=_("Name or code contains"), method="filter_text")
    board = django_filters.ModelChoiceFilter(label=_("Board"), queryset=_visible_boards, empty_label=_("All"))
    provider = django_filters.ModelChoiceFilter(
        label=_("Care provider"), queryset=_visible_providers, empty_label=_("All")
    )
    unit_type = django_filters.ChoiceFilter(label=_("Type"), choices=UnitType.choices, empty_label=_("All"))
    operating_form = django_filters.ChoiceFilter(
        label=_("Operating form"), choices=OperatingForm.choices, empty_label=_("All")
    )

    class Meta:
        model = Unit
        fields = ["q", "board", "provider", "unit_type", "operating_form"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class DateForm(forms.Form):
    """The date the register is shown for (today when empty or invalid)."""

    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def chosen_date(self):
        if not self.is_bound:
            return timezone.localdate()
        self.is_valid()  # cleaned_data keeps the valid fields of an invalid form
        if self.cleaned_data.get("date"):
            return self.cleaned_data["date"]
        return timezone.localdate()


RULE_CHOICES = [("", _("All"))] + [(code, f"{code} – {RULE_TITLES[code]}") for code in RULE_CODES]


class MatrixFilterForm(DateForm):
    """Filters of the responsibility matrix; choices limited to what the user may see.

    Boards, regions and providers are read once (one query each) and the chosen ones are taken from
    those lists, so the filters cost the same queries whatever is chosen.
    """

    board = forms.ChoiceField(label=_("Board"), required=False, widget=QuickSelect)
    region = forms.ChoiceField(label=_("Region"), required=False, widget=QuickSelect)
    provider = forms.ChoiceField(label=_("Care provider"), required=False, widget=QuickSelect)
    operating_form = forms.ChoiceField(
        label=_("Operating form"),
        required=False,
        choices=[("", _("All"))] + list(OperatingForm.choices),
        widget=QuickSelect,
    )
    code = forms.ChoiceField(label=_("Finding"), required=False, choices=RULE_CHOICES, widget=QuickSelect)
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All"))] + list(Severity.choices), widget=QuickSelect
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self._objects: dict[str, dict[str, object]] = {}
        for name, key in (("board", "boards"), ("region", "regions"), ("provider", "providers")):
            objects = {str(obj.pk): obj for obj in choices[key]}
            self._objects[name] = objects
            self.fields[name].choices = [("", _("All"))] + [(pk, str(obj)) for pk, obj in objects.items()]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of ``responsibility_matrix``."""
        data: dict = {}
        if self.is_bound:
            self.is_valid()  # cleaned_data keeps the valid fields of an invalid form
            data = self.cleaned_data
        return {
            "board": self._objects["board"].get(data.get("board") or ""),
            "region": self._objects["region"].get(data.get("region") or ""),
            "provider": self._objects["provider"].get(data.get("provider") or ""),
            "operating_form": data.get("operating_form") or "",
            "code": data.get("code") or "",
            "severity": data.get("severity") or "",
        }
