"""Received messages, their results and the API tokens, readable by administrators; changed
only through the services (review page, create_api_token), never by hand."""

from django.contrib import admin

from sirolimus_app.admin_site import ReadOnlyAdmin as ReadOnly
from sirolimus_app.models import ApiToken, InboundMessage, InboundResult


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnly):
    list_display = ("received_at", "format", "channel", "sender", "control_id", "fate")
    list_filter = ("fate", "format", "channel")
    search_fields = ("control_id", "sender")
    date_hierarchy = "received_at"


@admin.register(InboundResult)
class InboundResultAdmin(ReadOnly):
    list_display = ("sampled_at", "kind", "value", "unit", "hospital_number", "status")
    list_filter = ("status", "kind")
    search_fields = ("hospital_number", "identity")
    list_select_related = ("message",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnly):
    list_display = ("name", "scopes", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)
