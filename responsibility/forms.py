"""Forms of register administration. Rules across rows live in services; forms map their errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.forms import add_service_errors  # noqa: F401 - the one helper; admin views import it from here
from core.uploads import check_zip_expansion
from responsibility import pickers
from responsibility.choices import OperatingForm, ProviderKind, Role, Scope
from responsibility.models import Assignment, Board, CareProvider, Contract, Person, Region, Unit
from responsibility.validators import normalize_org_number

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _UniqueCodeMixin:
    """Refuse a code already used by another object of the same municipality, in Swedish."""

    def clean_code(self):
        code = self.cleaned_data["code"]
        qs = self._meta.model.objects.filter(municipality=self.instance.municipality, code=code)
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            raise ValidationError(_("The code %(code)s is already in use. Choose another."), params={"code": code})
        return code


class RegionForm(_UniqueCodeMixin, forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "host_board"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_board"].queryset = Board.objects.filter(municipality=self.instance.municipality)
        self.fields["host_board"].help_text = _("The board that employs the region's MAS and MAR.")


class BoardForm(_UniqueCodeMixin, forms.ModelForm):
    class Meta:
        model = Board
        fields = ["code", "name", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.filter(municipality=self.instance.municipality)


class CareProviderForm(forms.ModelForm):
    class Meta:
        model = CareProvider
        fields = ["name", "kind", "org_number", "board"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = Board.objects.filter(municipality=self.instance.municipality)
        self.fields["org_number"].help_text = _("Ten digits, NNNNNN-NNNN.")
        # The model validator runs in clean_org_number; do not repeat its message.
        self.fields["org_number"].validators = []

    def clean_org_number(self):
        return normalize_org_number(self.cleaned_data["org_number"])

    def clean(self):
        data = super().clean()
        kind, board, org_number = data.get("kind"), data.get("board"), data.get("org_number")
        if kind == ProviderKind.MUNICIPAL and board is None:
            self.add_error("board", _("A municipal provider belongs to a board: choose it."))
        if kind and kind != ProviderKind.MUNICIPAL and board is not None:
            self.add_error("board", _("Only a municipal provider has a board. Leave it empty."))
        if kind and kind != ProviderKind.MUNICIPAL and org_number:
            taken = CareProvider.objects.filter(municipality=self.instance.municipality, org_number=org_number).exclude(
                kind=ProviderKind.MUNICIPAL
            )
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("org_number", _("Another care provider already has this organisation number."))
        return data


class _UnitFieldsMixin:
    def _limit(self):
        municipality = self.instance.municipality
        self.fields["board"].queryset = Board.objects.filter(municipality=municipality)
        for name in ("provider", "contract"):
            if name in self.fields:
                model = CareProvider if name == "provider" else Contract
                self.fields[name].queryset = model.objects.filter(municipality=municipality)
        self.fields["board"].required = True
        self.fields["board"].error_messages["required"] = _("A unit must belong to a board.")


class UnitCreateForm(_UniqueCodeMixin, _UnitFieldsMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "unit_type",
            "board",
            "provider",
            "operating_form",
            "contract",
            "places",
            "provides_health_care",
            "provides_rehabilitation",
            "active_from",
            "active_to",
        ]
        widgets = {"active_from": DATE_INPUT, "active_to": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit()
        self.fields["contract"].queryset = self.fields["contract"].queryset.select_related("provider")


class UnitEditForm(_UnitFieldsMixin, forms.ModelForm):
    """A unit's own facts; the code is its identity and the operation is changed from a date."""

    class Meta:
        model = Unit
        fields = [
            "name",
            "unit_type",
            "board",
            "places",
            "provides_health_care",
            "provides_rehabilitation",
            "active_from",
            "active_to",
        ]
        widgets = {"active_from": DATE_INPUT, "active_to": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit()


class UnitOperationForm(forms.Form):
    """Hand a unit to another provider, operating form or contract from a date."""

    provider = forms.ModelChoiceField(queryset=CareProvider.objects.none(), label=_("care provider"))
    operating_form = forms.ChoiceField(choices=OperatingForm.choices, label=_("operating form"))
    contract = forms.ModelChoiceField(queryset=Contract.objects.none(), required=False, label=_("contract"))
    from_date = forms.DateField(
        label=_("from date"),
        widget=DATE_INPUT,
        help_text=_("The first day the new operation applies. The previous period ends the day before."),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = CareProvider.objects.filter(municipality=unit.municipality)
        self.fields["contract"].queryset = Contract.objects.filter(municipality=unit.municipality)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "title", "profession", "licensed"]


SCOPE_FIELDS = {Scope.REGION: "region", Scope.BOARD: "board", Scope.PROVIDER: "provider", Scope.UNIT: "unit"}


class AssignmentForm(forms.ModelForm):
    """Person, role, one scope, period. ``scope`` picks which of the four scope fields counts.

    The person and the assignment deputised for are type-ahead pickers (``static/js/picker.js``) over a select
    whose labels tell namesakes apart; the mandate over staffing is asked only of an operations manager (R9).
    """

    scope = forms.ChoiceField(
        choices=[
            (Scope.REGION, Scope.REGION.label),
            (Scope.BOARD, Scope.BOARD.label),
            (Scope.PROVIDER, Scope.PROVIDER.label),
            (Scope.UNIT, Scope.UNIT.label),
        ],
        label=_("scope"),
        help_text=_("Choose the level, then the region, board, provider or unit it covers."),
    )

    class Meta:
        model = Assignment
        fields = [
            "person",
            "role",
            "kind",
            "scope",
            "region",
            "board",
            "provider",
            "unit",
            "valid_from",
            "valid_to",
            "deputy_for",
            "has_staffing_mandate",
            "basis",
        ]
        widgets = {"valid_from": DATE_INPUT, "valid_to": DATE_INPUT}

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        url = reverse("responsibility:picker_search")
        person, deputy = self.fields["person"], self.fields["deputy_for"]
        person.queryset = pickers.people(municipality)
        person.label_from_instance = pickers.person_label
        person.help_text = _(
            "Type part of the name, e-mail or title. Title, workplace and e-mail tell namesakes apart."
        )
        deputy.queryset = pickers.deputy_targets(municipality)
        deputy.label_from_instance = pickers.deputy_label
        for field, kind in ((person, "person"), (deputy, "deputy")):
            field.widget.attrs.update({**pickers.picker_attrs(kind, url), "data-role-field": "id_role"})
        self.fields["region"].queryset = Region.objects.filter(municipality=municipality)
        self.fields["board"].queryset = Board.objects.filter(municipality=municipality)
        self.fields["provider"].queryset = CareProvider.objects.filter(municipality=municipality)
        unit = self.fields["unit"]
        unit.queryset = pickers.units_for_picker(Unit.objects.filter(municipality=municipality))
        unit.label_from_instance = pickers.unit_label
        unit.widget.attrs.update(pickers.picker_attrs("unit", url))
        self.fields["has_staffing_mandate"].help_text = _(
            "Only for an operations manager (verksamhetschef): tick if the mandate covers staffing and "
            "competence. Without it the register warns (R9)."
        )
        if self.instance.pk and not self.is_bound:
            self.initial["scope"] = self.instance.scope
        if not self.instance.pk and "has_staffing_mandate" not in (kwargs.get("initial") or {}):
            self.initial["has_staffing_mandate"] = False  # never pre-ticked

    def scope_fields(self) -> list:
        """The four scope fields as (scope, bound field), for showing only the chosen one."""
        return [(scope, self[name]) for scope, name in SCOPE_FIELDS.items()]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope:
            chosen = SCOPE_FIELDS[scope]
            if not data.get(chosen):
                self.add_error(
                    chosen, _("Choose the %(scope)s the assignment covers.") % {"scope": Scope(scope).label.lower()}
                )
            for name in SCOPE_FIELDS.values():
                if name != chosen:
                    data[name] = None
        if data.get("role") and data.get("role") != Role.OPERATIONS_MANAGER:
            data["has_staffing_mandate"] = False
        return data


class ImportUploadForm(forms.Form):
    """A CSV or XLSX file of units or assignments to preview."""

    file = forms.FileField(
        label=_("file (CSV or XLSX)"), help_text=_("The first row holds the column names of the template.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not (name.endswith(".csv") or name.endswith(".xlsx")):
            raise ValidationError(_("Upload a file ending in .csv or .xlsx."))
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        check_zip_expansion(upload)
        return upload
