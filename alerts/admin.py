from django.contrib import admin

from alerts.models import Alert, AlertGroup, Delivery, Integration, ResolvedIdentity


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Keys are created and rotated from the Integrations page (the plaintext is shown only there)."""

    list_display = ["name", "kind", "team", "enabled", "key_prefix", "created_at"]
    list_filter = ["kind", "enabled", "team"]
    search_fields = ["name"]
    readonly_fields = ["key_hash", "key_prefix", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "integration", "state", "attempts", "received_at", "processed_at", "error"]
    list_filter = ["state", "integration"]
    list_select_related = ["integration"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["title", "integration", "status", "incident", "starts_at", "ends_at", "delivery_count"]
    list_filter = ["status", "integration"]
    search_fields = ["title", "dedup_key"]
    list_select_related = ["integration", "incident"]
    readonly_fields = [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AlertGroup)
class AlertGroupAdmin(admin.ModelAdmin):
    list_display = ["key", "integration", "incident"]
    list_select_related = ["integration", "incident"]
    readonly_fields = ["integration", "key", "incident"]

    def has_add_permission(self, request):
        return False


@admin.register(ResolvedIdentity)
class ResolvedIdentityAdmin(admin.ModelAdmin):
    """Resolves remembered so late firing copies open nothing; swept by age (read-only)."""

    list_display = ["dedup_key", "integration", "state_at", "recorded_at", "sequence"]
    list_filter = ["integration"]
    search_fields = ["dedup_key"]
    readonly_fields = ["integration", "dedup_key", "sequence", "state_at", "recorded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
