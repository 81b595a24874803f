from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from core.models import Heartbeat, JobRun, Notification


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "run_for", "status", "started_at", "finished_at", "counts"]
    list_filter = ["status", "name"]
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        """Job runs are written by the jobs only (an empty add form could not be saved)."""
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "subject", "created_at", "email_status"]
    list_filter = ["email_status", "kind"]


admin.site.register(Heartbeat)


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """Users are deactivated, never deleted: their names stay on what they did (GDPR erasure: ``erase_user``)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
