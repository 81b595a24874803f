"""Django admin for the register (secondary to the browser administration); history kept by simple-history."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from responsibility.models import (
    Assignment,
    Board,
    CareProvider,
    Contract,
    Municipality,
    Person,
    Region,
    RuleDefinition,
    Unit,
    UnitOperatingPeriod,
)


class UnitOperatingPeriodInline(admin.TabularInline):
    model = UnitOperatingPeriod
    extra = 0
    readonly_fields = ("valid_from", "valid_to", "provider", "operating_form", "contract")
    can_delete = False


@admin.register(Municipality)
class MunicipalityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "org_number")


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "host_board")
    search_fields = ("name", "code")


@admin.register(Board)
class BoardAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "region")
    list_filter = ("region",)
    search_fields = ("name", "code")


@admin.register(CareProvider)
class CareProviderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "org_number", "board")
    list_filter = ("kind",)
    search_fields = ("name", "org_number")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "board", "provider", "operating_form", "active_from", "active_to")
    list_filter = ("operating_form", "unit_type", "board")
    search_fields = ("name", "code")
    # Provider, form and contract are dated: change them in the portal ("change operation from a date").
    readonly_fields = ("provider", "operating_form", "contract")
    inlines = [UnitOperatingPeriodInline]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ("last_name", "first_name", "profession", "licensed", "email")
    list_filter = ("profession", "licensed")
    search_fields = ("first_name", "last_name", "email")


class AssignmentAdminForm(forms.ModelForm):
    """Run the service's rules (overlap, qualification, deputy scope) before saving."""

    class Meta:
        model = Assignment
        fields = (
            "person",
            "role",
            "kind",
            "region",
            "board",
            "provider",
            "unit",
            "valid_from",
            "valid_to",
            "deputy_for",
            "has_staffing_mandate",
            "basis",
        )

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            from responsibility.services import assignment_validate

            try:
                assignment_validate(assignment=self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    form = AssignmentAdminForm
    list_display = ("person", "role", "kind", "unit", "provider", "board", "region", "valid_from", "valid_to")
    list_filter = ("role", "kind")
    search_fields = ("person__first_name", "person__last_name", "unit__code")
    raw_id_fields = ("person", "unit", "provider", "board", "region", "deputy_for")


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("title", "case_number", "provider", "mas_held_by", "lex_maria_route", "valid_from", "valid_to")
    list_filter = ("kind", "mas_held_by", "lex_maria_route")
    search_fields = ("title", "case_number")
    filter_horizontal = ("units",)


@admin.register(RuleDefinition)
class RuleDefinitionAdmin(SimpleHistoryAdmin):
    list_display = ("code", "severity", "effective_from", "effective_to", "legal_basis")
