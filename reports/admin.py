from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import GeneratedReport, PatientSafetyNarrative


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = ("kind", "scope_label", "period_from", "period_to", "year", "requested_by", "requested_at", "state")
    list_filter = ("kind", "state")
    readonly_fields = ("requested_at", "started_at", "finished_at", "progress", "size", "error", "file")


@admin.register(PatientSafetyNarrative)
class PatientSafetyNarrativeAdmin(SimpleHistoryAdmin):
    list_display = ("provider", "year", "state", "adopted_on")
    list_filter = ("state", "year")
