from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from meetings.models import (
    AgendaItem,
    Delivery,
    Document,
    Invitation,
    Meeting,
    MeetingChange,
    Notification,
)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["presenter"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cell", "kind", "mode", "status", "starts_at"]
    list_filter = ["status", "kind", "mode"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["cell", "chair", "recorder", "created_by"]
    inlines = [AgendaItemInline]


@admin.register(MeetingChange)
class MeetingChangeAdmin(admin.ModelAdmin):
    list_display = ["meeting", "action", "from_status", "to_status", "actor", "recorded_at"]
    list_filter = ["action"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # history is append-only


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "file_type", "size", "classification", "uploaded_at"]
    readonly_fields = ["sha256", "storage_name", "size", "content_type", "file_type"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["member", "meeting", "is_guest", "reply", "absence_decision"]
    list_filter = ["reply", "absence_decision", "is_guest"]
    raw_id_fields = ["meeting", "member", "decided_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["meeting", "member", "kind", "key", "email", "sent_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
