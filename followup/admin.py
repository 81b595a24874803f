from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from followup import models


class ChecklistTemplateItemInline(admin.TabularInline):
    model = models.ChecklistTemplateItem
    extra = 0


@admin.register(models.ChecklistTemplate)
class ChecklistTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "active"]
    inlines = [ChecklistTemplateItemInline]


@admin.register(models.FollowUpPlan)
class FollowUpPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "scope", "interval_months", "starts_on", "active"]


@admin.register(models.FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "state", "scheduled_date", "auditor"]
    list_filter = ["state", "kind", "trigger"]
    raw_id_fields = ["unit", "contract", "plan", "auditor"]


@admin.register(models.Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "owner", "deadline", "state"]
    list_filter = ["state"]
    readonly_fields = ["state"]


@admin.register(models.Delegation)
class DelegationAdmin(SimpleHistoryAdmin):
    list_display = ["to_person", "unit", "valid_from", "valid_to", "revoked_at"]


@admin.register(models.Routine)
class RoutineAdmin(SimpleHistoryAdmin):
    list_display = ["title", "level", "owner", "next_revision", "active"]


@admin.register(models.Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "due_date", "recipient", "sent_on"]
    list_filter = ["kind"]
