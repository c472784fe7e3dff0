from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from minutes.models import SigningAuthority, SigningCredential


class ReadOnlyAdmin(admin.ModelAdmin):
    """Keys are created by code only; the admin shows certificates, never the sealed keys."""

    exclude = ["private_key"]

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(SigningAuthority)
class SigningAuthorityAdmin(ReadOnlyAdmin):
    list_display = ["name", "created_at"]


@admin.register(SigningCredential)
class SigningCredentialAdmin(ReadOnlyAdmin):
    list_display = ["member", "serial_number", "not_before", "not_after", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["member__full_name", "serial_number"]
