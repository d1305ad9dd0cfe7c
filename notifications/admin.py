from django.contrib import admin

from notifications.models import (
    DigestSubscription,
    Notification,
    OutboundMessage,
    Preference,
    ReminderLog,
    TeamWebhook,
)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Written by the services that notify (mentions, review requests, reminders); read here, never edited."""

    list_display = ["recipient", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "text"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """Read-only: a failed message is retried from the outbox page (which re-queues it properly)."""

    list_display = [
        "id",
        "channel",
        "topic",
        "to_email",
        "webhook",
        "state",
        "attempts",
        "created_at",
        "last_error",
    ]
    list_filter = ["state", "channel", "topic"]
    search_fields = ["to_email", "subject", "last_error"]
    list_select_related = ["webhook"]
    readonly_fields = [field.name for field in OutboundMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "subject", "recipient", "period", "created_at"]
    list_filter = ["kind", "period"]
    search_fields = ["subject"]
    list_select_related = ["recipient"]
    readonly_fields = [field.name for field in ReminderLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TeamWebhook)
class TeamWebhookAdmin(admin.ModelAdmin):
    """The secret is never displayed; set or generate it on the Channels page."""

    list_display = ["name", "team", "format", "enabled", "url", "created_at"]
    list_filter = ["format", "enabled", "team"]
    search_fields = ["name", "url"]
    exclude = ["secret"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "email", "in_app"]
    list_filter = ["topic"]
    list_select_related = ["user"]


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["team", "user", "email", "created_at"]
    list_select_related = ["team", "user"]
