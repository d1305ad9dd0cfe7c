from django.contrib import admin, messages

from core import consumers, services
from core.models import ApiToken, ConsumerCursor, ConsumerFailure, Profile


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


@admin.register(ConsumerCursor)
class ConsumerCursorAdmin(admin.ModelAdmin):
    """Where each consumer of the event logs has read to, and how far behind it is."""

    list_display = ["name", "position", "lag_events", "oldest_unhandled", "waiting", "last_run_at"]
    readonly_fields = ["name", "position", "gaps", "retries", "last_run_at", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def _lag(self, cursor) -> consumers.Lag | None:
        """One lag reading per row, shared by its columns (None: no consumer of that name any more)."""
        if cursor.name not in {consumer.name for consumer in consumers.registered()}:
            return None
        cached = getattr(cursor, "_lag", None)
        if cached is None:
            cached = cursor._lag = consumers.consumer_lag(name=cursor.name)
        return cached

    @admin.display(description="events behind")
    def lag_events(self, cursor) -> int | str:
        lag = self._lag(cursor)
        return "unregistered" if lag is None else lag.events

    @admin.display(description="oldest unhandled (s)")
    def oldest_unhandled(self, cursor):
        lag = self._lag(cursor)
        return "—" if lag is None or lag.oldest_seconds is None else round(lag.oldest_seconds)

    @admin.display(description="gaps + retries")
    def waiting(self, cursor) -> int:
        return len(cursor.gaps) + len(cursor.retries)


@admin.register(ConsumerFailure)
class ConsumerFailureAdmin(admin.ModelAdmin):
    """Events a consumer gave up on; "Give another pass" puts them back in its retries."""

    list_display = ["consumer", "event_id", "attempts", "failed_at", "retried_at"]
    list_filter = ["consumer", ("retried_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["consumer", "event_id", "attempts", "error", "failed_at", "retried_at"]
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Give the selected events another pass", permissions=["change"])
    def retry(self, request, queryset) -> None:
        failures = list(queryset.filter(retried_at__isnull=True))
        for failure in failures:
            consumers.failure_retry(failure_id=failure.pk)
        self.message_user(request, f"{len(failures)} event(s) will be handled again.", messages.SUCCESS)
