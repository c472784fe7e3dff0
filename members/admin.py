from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model
from django.http import HttpRequest

from members.models import CellRole, CommitteeSeat, Member, Organization, RosterChange, User

admin.site.register(User, UserAdmin)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "standing", "home_cell", "party_card_number"]
    list_filter = ["standing"]
    search_fields = ["full_name", "party_card_number"]
    raw_id_fields = ["user"]


@admin.register(CellRole)
class CellRoleAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "cell", "started_on", "ended_on"]


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(admin.ModelAdmin):
    list_display = ["member", "title", "organization", "started_on", "ended_on"]


@admin.register(RosterChange)
class RosterChangeAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "cell", "recorded_at"]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # history is append-only
