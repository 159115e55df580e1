from django.contrib import admin

from sirolimus_app.admin_site import ReadOnlyAdmin
from sirolimus_app.interop import admin as interop_admin  # noqa: F401 (registers its models)
from sirolimus_app.models import AccessLogEntry, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail, readable by administrators; nobody may add, change or delete a line,
    superusers included (the model and the database refuse it too)."""

    list_display = ("at", "username", "user_full_name", "action", "object_type", "object_id",
                    "patient_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "username", "user__username", "action")
    date_hierarchy = "at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(AuditEventAdmin):
    """Who read which record: read-only like the audit trail (export: manage.py
    export_access_log)."""

    list_display = ("at", "username", "user_full_name", "ip_address", "page", "patient_id",
                    "object_ref")
    list_filter = ("page",)
    search_fields = ("username", "ip_address", "object_ref")
    readonly_fields = [f.name for f in AccessLogEntry._meta.fields]
