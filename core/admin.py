from django.contrib import admin, messages

from core import services
from core.models import ApiToken, Notification, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone"]
    search_fields = ["user__username"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (preferences page, or `manage.py create_api_token`); here an
    administrator can only see them and revoke them, e.g. when someone leaves."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            services.api_token_revoke(token_id=token.pk, user=token.user)
        messages.success(request, "The selected tokens are revoked.")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Written by the services that notify (mentions, later reminders); read here, never edited."""

    list_display = ["recipient", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "text"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
