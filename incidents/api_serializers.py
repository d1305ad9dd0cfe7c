"""The serializers of the incidents REST API (`incidents.api`): `...In` parse and validate a request,
`...Out` describe and shape an answer. Module-level with unique names, so the OpenAPI schema has one
component per class and no collisions."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework import serializers
from rest_framework.request import Request

from core.api import PageIn, StrictIn
from incidents import selectors
from incidents.models import Criticality, EventKind, Incident, Service, Severity, Source, Status, Team
from incidents.phases import STAMP_FIELDS, Phase

# --- Output ------------------------------------------------------------------------------------------


class TeamRefOut(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class ServiceRefOut(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    criticality = serializers.ChoiceField(choices=Criticality.choices)
    cost_per_hour = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Estimated cost of one hour of this service's downtime."
    )


class StampsOut(serializers.Serializer):
    """When each phase ended (UTC); null until it has. A skipped phase ends when the one before it."""

    started_at = serializers.DateTimeField(help_text="Impact began (the detect phase starts).")
    detected_at = serializers.DateTimeField(allow_null=True)
    evaluated_at = serializers.DateTimeField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    recovered_at = serializers.DateTimeField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True, help_text="Recovery confirmed: resolved.")
    closed_at = serializers.DateTimeField(
        allow_null=True, help_text="When it stopped being active (resolved, false alarm, auto-resolved)."
    )


def _seconds_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text=help_text)


class DurationsOut(serializers.Serializer):
    """Whole seconds. A running phase counts up to now (or to when the incident was closed)."""

    detect = _seconds_field("Time in detect; null until it began.")
    evaluate = _seconds_field("Time in evaluate; null until it began.")
    respond = _seconds_field("Time in respond; null until it began.")
    recover = _seconds_field("Time in recover; null until it began.")
    confirm = _seconds_field("Time in confirm; null until it began.")
    time_to_detect = _seconds_field("detected_at - started_at; null until detected.")
    time_to_recover = _seconds_field("recovered_at - started_at; null until recovered.")
    time_to_resolve = _seconds_field("confirmed_at - started_at; null until resolved.")
    total = serializers.IntegerField(help_text="From started_at to confirmed_at (or now).")
    downtime = serializers.IntegerField(
        help_text="From started_at to recovered_at (or now); 0 for a false alarm."
    )


class IncidentOut(serializers.Serializer):
    """An incident with its phase stamps, durations and estimated cost."""

    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="INC-<id>")
    title = serializers.CharField()
    summary = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    phase = serializers.ChoiceField(
        choices=Phase.choices, allow_null=True, help_text="The current phase; null once resolved."
    )
    source = serializers.ChoiceField(choices=Source.choices)
    team = TeamRefOut()
    services = ServiceRefOut(many=True, help_text="Affected services.")
    commander = serializers.CharField(allow_null=True, help_text="The commander's username.")
    customer_impact = serializers.CharField()
    customers_affected = serializers.IntegerField(allow_null=True)
    blast_radius = serializers.ListField(child=serializers.CharField(), help_text="Regions or cells.")
    stamps = StampsOut()
    durations = DurationsOut()
    estimated_cost = serializers.DecimalField(
        max_digits=None,
        decimal_places=2,
        help_text="Sum over affected services of cost per hour x hours of downtime; 0 for a false alarm.",
    )
    alert_count = serializers.IntegerField(help_text="Alerts grouped into this incident.")
    version = serializers.IntegerField(help_text="Bumped by every change; send it back on PATCH.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="The incident's web page.")


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def incident_data(incident: Incident, request: Request) -> dict[str, Any]:
    """An incident loaded by `api_selectors` (services prefetched), as JSON."""
    return IncidentOut(_incident_payload(incident, request)).data


def incidents_data(incidents: list[Incident], request: Request) -> list[dict[str, Any]]:
    """A page of incidents as JSON. One serializer for the page: DRF deep-copies a serializer's fields
    each time one is made, which costs more than the rest of the request when done per incident."""
    return IncidentOut([_incident_payload(incident, request) for incident in incidents], many=True).data


def _incident_payload(incident: Incident, request: Request) -> dict[str, Any]:
    figures = selectors.incident_figures(incident)
    durations = figures.durations
    return {
        "id": incident.pk,
        "reference": incident.reference,
        "team": incident.team,
        "services": list(incident.services.all()),
        "commander": incident.commander.username if incident.commander else None,
        "phase": figures.current_phase,
        "stamps": {**incident.stamps, "closed_at": incident.closed_at},
        "durations": {
            **{span.phase.value: _seconds(span.duration) for span in durations.spans},
            "time_to_detect": _seconds(durations.time_to_detect),
            "time_to_recover": _seconds(durations.time_to_recover),
            "time_to_resolve": _seconds(durations.time_to_resolve),
            "total": _seconds(durations.total),
            "downtime": _seconds(figures.downtime),
        },
        "estimated_cost": figures.estimated_cost,
        "url": request.build_absolute_uri(reverse("incidents:detail", args=[incident.pk])),
        **{
            field: getattr(incident, field)
            for field in (
                "title",
                "summary",
                "severity",
                "status",
                "source",
                "customer_impact",
                "customers_affected",
                "blast_radius",
                "alert_count",
                "version",
                "created_at",
                "updated_at",
            )
        },
    }


class _NullWhenBlank(serializers.ChoiceField):
    def to_representation(self, value):
        return super().to_representation(value) or None


class EventOut(serializers.Serializer):
    """One timeline entry. The timeline is append-only: it is also the audit trail."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    phase = _NullWhenBlank(choices=Phase.choices, allow_null=True, help_text="The phase it concerns, if any.")
    actor = serializers.CharField(source="actor.username", allow_null=True, help_text="Username, or null.")
    occurred_at = serializers.DateTimeField(help_text="When it happened (a backfilled stamp can be earlier).")
    recorded_at = serializers.DateTimeField(help_text="When it was written down.")
    body = serializers.CharField(help_text="A note's text, or the reason given for a correction.")
    data = serializers.DictField(help_text="Details by kind, e.g. the field, old and new values.")


class TeamOut(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    service_count = serializers.IntegerField()
    active_incident_count = serializers.IntegerField(source="active_count")
    url = serializers.HyperlinkedIdentityField(
        view_name="incidents:team_detail", lookup_field="slug", help_text="The team's web page."
    )


class ServiceOut(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    team = TeamRefOut()
    criticality = serializers.ChoiceField(choices=Criticality.choices)
    cost_per_hour = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Estimated cost of one hour of downtime."
    )
    description = serializers.CharField()
    incident_count = serializers.IntegerField()
    active_incident_count = serializers.IntegerField(source="active_count")
    url = serializers.HyperlinkedIdentityField(
        view_name="incidents:service_detail", lookup_field="slug", help_text="The service's web page."
    )


# --- Input -------------------------------------------------------------------------------------------


def _team_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all(), **kwargs)


def _service_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="slug", queryset=Service.objects.all(), **kwargs)


def _time_field(help_text: str, **kwargs) -> serializers.DateTimeField:
    return serializers.DateTimeField(
        help_text=f"{help_text} ISO 8601; without an offset it is read as UTC.", **kwargs
    )


class IncidentListIn(PageIn):
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    phase = serializers.ChoiceField(
        choices=Phase.choices, required=False, allow_blank=True, help_text="The current phase."
    )
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, allow_blank=True)
    team = _team_field(required=False, allow_null=True, help_text="A team's slug.")
    service = _service_field(required=False, allow_null=True, help_text="An affected service's slug.")
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words in the title."
    )


class IncidentFieldsIn(StrictIn):
    """The descriptive fields, shared by declare and update."""

    title = serializers.CharField(max_length=200)
    team = _team_field(help_text="The owning team's slug.")
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    services = _service_field(many=True, required=False, help_text="Slugs of the affected services.")
    summary = serializers.CharField(required=False, allow_blank=True)
    commander = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Username of the person driving the response.",
    )
    customer_impact = serializers.CharField(
        required=False, allow_blank=True, help_text="What customers see or cannot do."
    )
    customers_affected = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    blast_radius = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=100,
        help_text="Regions or cells affected.",
    )


class IncidentDeclareIn(IncidentFieldsIn):
    """A new incident. Only `title` and `team` are required."""

    started_at = _time_field(
        "When impact began; default: when it was detected.", required=False, allow_null=True
    )
    detected_at = _time_field("When it was detected; default: now.", required=False, allow_null=True)


class IncidentUpdateIn(IncidentFieldsIn):
    """The fields to change; those left out stay as they are."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you read. If the incident has changed since, nothing is saved (409).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class AdvanceIn(StrictIn):
    expected_phase = serializers.ChoiceField(
        choices=Phase.choices,
        required=False,
        help_text="The phase you saw. If the incident has moved on since, nothing changes (409 "
        "stale_phase). Default: its current phase when the request arrives.",
    )
    through = serializers.ChoiceField(
        choices=Phase.choices,
        required=False,
        allow_null=True,
        help_text="Jump ahead: end every phase up to and including this one (they count as skipped).",
    )
    at = _time_field(
        "When the phase ended; default now. An earlier time backfills.", required=False, allow_null=True
    )


class CorrectIn(StrictIn):
    field = serializers.ChoiceField(choices=[(field, field) for field in STAMP_FIELDS])
    value = _time_field("The corrected time.")
    reason = serializers.CharField(max_length=1000)


class ReopenIn(StrictIn):
    reason = serializers.CharField(max_length=1000)
    to_phase = serializers.ChoiceField(
        choices=Phase.choices,
        required=False,
        allow_null=True,
        help_text="The phase to go back to (its end and every later stamp are cleared); default confirm.",
    )


class FalseAlarmIn(StrictIn):
    reason = serializers.CharField(max_length=1000)


class NoteIn(StrictIn):
    body = serializers.CharField(max_length=10_000)
    at = _time_field(
        "When it happened (e.g. copied from a chat log); default now.", required=False, allow_null=True
    )
