from django.contrib import admin, messages

from core import errors
from incidents import services
from incidents.models import Incident, IncidentEvent, Service, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "criticality", "cost_per_hour"]
    list_filter = ["criticality", "team"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["team"]


class IncidentEventInline(admin.TabularInline):
    """The timeline is append-only: shown, never edited here."""

    model = IncidentEvent
    extra = 0
    can_delete = False
    fields = ["occurred_at", "kind", "phase", "actor", "body", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """Every change goes through `incidents.services`, so the timeline records it like any other.

    Stamps and status change only through the lifecycle (read-only here); incidents are declared
    from the web UI or the API, not added here.
    """

    list_display = ["__str__", "severity", "status", "team", "started_at", "confirmed_at"]
    list_filter = ["status", "severity", "source", "team"]
    search_fields = ["title"]
    list_select_related = ["team"]
    date_hierarchy = "started_at"
    filter_horizontal = ["services"]
    readonly_fields = [
        "status",
        "source",
        "started_at",
        "detected_at",
        "evaluated_at",
        "responded_at",
        "recovered_at",
        "confirmed_at",
        "closed_at",
        "version",
        "alert_count",  # kept by the alert intake
        "created_at",
        "updated_at",
    ]
    inlines = [IncidentEventInline]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Deferred to save_related, where the new services are known too."""

    def save_related(self, request, form, formsets, change):
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.EDITABLE_FIELDS
        }
        try:
            services.incident_update(incident_id=form.instance.pk, actor=request.user, **changes)
        except errors.ApplicationError as exc:
            messages.error(request, f"Not saved: {exc.message}")


@admin.register(IncidentEvent)
class IncidentEventAdmin(admin.ModelAdmin):
    list_display = ["incident", "kind", "phase", "actor", "occurred_at"]
    list_filter = ["kind"]
    list_select_related = ["incident", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
