from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import CollaborationDeviation, Complaint, ComplaintCategory, Counterpart


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "municipality", "concerns_health_care", "is_rehabilitation", "active", "order")
    list_filter = ("municipality", "active")


@admin.register(Counterpart)
class CounterpartAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "kind", "contact_name", "reply_months", "active")
    list_filter = ("municipality", "kind", "active")


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    """Read-mostly: no patient fields are shown or searchable here."""

    list_display = ("reference", "unit", "state", "received_on", "answer_due")
    list_filter = ("state", "channel")
    search_fields = ("reference",)
    exclude = ("patient_identifier_encrypted", "patient_hash")
    readonly_fields = ("reference", "state", "version", "mas_person", "operations_manager")
    raw_id_fields = ("unit", "registered_by", "investigator", "deviation")


@admin.register(CollaborationDeviation)
class CollaborationDeviationAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "direction", "counterpart", "unit", "state", "reply_due")
    list_filter = ("direction", "state", "counterpart")
    search_fields = ("reference",)
    readonly_fields = ("reference", "state", "version")
    raw_id_fields = ("unit", "registered_by", "deviation", "mas_person", "operations_manager")
