from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incidents.models import Deviation, DeviationCategory, DeviationTransition, PatientDataAccess


@admin.register(DeviationCategory)
class DeviationCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "municipality", "is_rehabilitation", "always_to_mas", "active", "order")
    list_filter = ("municipality", "active", "is_rehabilitation")


@admin.register(Deviation)
class DeviationAdmin(SimpleHistoryAdmin):
    """Read-mostly: no patient fields are shown or searchable here."""

    list_display = ("reference", "unit", "category", "state", "risk_score", "due_at")
    list_filter = ("state", "category")
    search_fields = ("reference",)
    exclude = ("patient_identifier_encrypted", "patient_hash")
    readonly_fields = ("reference", "state", "version", "mas_person", "board_mas_copy")
    raw_id_fields = ("unit", "reporter", "investigator", "assessor", "category")


@admin.register(DeviationTransition)
class DeviationTransitionAdmin(admin.ModelAdmin):
    list_display = ("deviation", "from_state", "to_state", "actor", "at")
    raw_id_fields = ("deviation", "actor")


@admin.register(PatientDataAccess)
class PatientDataAccessAdmin(admin.ModelAdmin):
    """The access log is append-only."""

    list_display = ("at", "user", "deviation", "unit", "action")
    raw_id_fields = ("user", "deviation", "unit")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
