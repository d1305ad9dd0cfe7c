from itertools import pairwise

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from core.models import BaseModel
from incidents.phases import STAMP_FIELDS, Phase


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    NON_CRITICAL = "non-critical", "Non-critical"


class Severity(models.TextChoices):
    SEV1 = "SEV1", "SEV1"
    SEV2 = "SEV2", "SEV2"
    SEV3 = "SEV3", "SEV3"
    SEV4 = "SEV4", "SEV4"


SEVERITY_MEANINGS: dict[str, str] = {
    Severity.SEV1: "Critical: a critical service is down or data is at risk for many customers. All hands.",
    Severity.SEV2: "Major: significant degradation for many customers, or a critical function impaired.",
    Severity.SEV3: "Minor: limited impact on some customers or a non-critical function; a workaround exists.",
    Severity.SEV4: "Low: no customer impact yet; a risk or near miss worth tracking.",
}


class Source(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    ALERT = "alert", "Alert"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    AUTO_RESOLVED = "auto_resolved", "Auto-resolved"
    FALSE_ALARM = "false_alarm", "False alarm"


class Team(BaseModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="team_slug_unique"),
            models.UniqueConstraint(fields=["name"], name="team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


def default_cost_per_hour():
    return settings.DEFAULT_DOWNTIME_COST_PER_HOUR


class Service(BaseModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    criticality = models.CharField(
        max_length=20, choices=Criticality.choices, default=Criticality.NON_CRITICAL
    )
    cost_per_hour = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=default_cost_per_hour,
        validators=[MinValueValidator(0)],
        help_text="Estimated cost of one hour of this service's downtime.",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="service_slug_unique"),
            models.CheckConstraint(
                condition=Q(cost_per_hour__gte=0), name="service_cost_per_hour_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def _stamps_in_order() -> list[models.CheckConstraint]:
    """Each stamp needs the previous one set, and is no earlier than it."""
    constraints = []
    for earlier, later in pairwise(STAMP_FIELDS):
        constraints.append(
            models.CheckConstraint(
                condition=Q(**{f"{later}__isnull": True})
                | Q(**{f"{earlier}__isnull": False, f"{later}__gte": F(earlier)}),
                name=f"incident_{later}_after_{earlier}",
            )
        )
    return constraints


def incident_reference(incident_id: int) -> str:
    """How an incident is named on every page, message and export: "INC-<id>"."""
    return f"INC-{incident_id}"


class Incident(BaseModel):
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV3)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="incidents")
    services = models.ManyToManyField(Service, related_name="incidents", blank=True)
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commanded_incidents",
    )
    customer_impact = models.TextField(blank=True)
    customers_affected = models.PositiveIntegerField(null=True, blank=True)
    blast_radius = models.JSONField(default=list, blank=True, help_text="Regions or cells affected.")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)

    # One column per phase end (see incidents.phases); UTC in the database.
    started_at = models.DateTimeField(help_text="When impact began (often backfilled).")
    detected_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    recovered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    # When it stopped being active: the confirm stamp of a resolved incident, or when it was marked a
    # false alarm or auto-resolved. A closed incident's running clock stops here.
    closed_at = models.DateTimeField(null=True, blank=True)

    # Bumped by every write; a stale edit (based on an older version) is refused.
    version = models.PositiveIntegerField(default=1)
    # Alerts grouped into this incident, kept by `services.incident_alert_count_add` (called by the app
    # that creates them), so lists and the API show it without reading the alerts table. Not a person's
    # edit: it does not bump `version`.
    alert_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="incident_newest_idx"),
            models.Index(fields=["status", "-started_at"], name="incident_status_idx"),
            models.Index(fields=["team", "-started_at"], name="incident_team_idx"),
            models.Index(fields=["severity", "-started_at"], name="incident_severity_idx"),
        ]
        constraints = [
            *_stamps_in_order(),
            models.CheckConstraint(
                condition=~Q(status=Status.RESOLVED) | Q(confirmed_at__isnull=False),
                name="incident_resolved_is_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.ACTIVE) | Q(confirmed_at__isnull=True),
                name="incident_active_is_unconfirmed",
            ),
            models.CheckConstraint(
                condition=Q(status=Status.ACTIVE, closed_at__isnull=True)
                | (~Q(status=Status.ACTIVE) & Q(closed_at__isnull=False)),
                name="incident_closed_iff_not_active",
            ),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="incident_severity_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="incident_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return incident_reference(self.pk)

    @property
    def stamps(self) -> dict:
        return {field: getattr(self, field) for field in STAMP_FIELDS}


class EventKind(models.TextChoices):
    DECLARED = "declared", "Declared"
    PHASE_ADVANCED = "phase_advanced", "Phase ended"
    PHASE_SKIPPED = "phase_skipped", "Phase skipped"
    STAMP_CORRECTED = "stamp_corrected", "Time corrected"
    FIELD_CHANGED = "field_changed", "Field changed"
    NOTE = "note", "Note"
    REOPENED = "reopened", "Reopened"
    FALSE_ALARM = "false_alarm", "Marked false alarm"
    ALERTS_RESOLVED = "alerts_resolved", "Alerts resolved"
    AUTO_RESOLVED = "auto_resolved", "Auto-resolved"


class IncidentEvent(models.Model):
    """The timeline, append-only: it is also the audit trail. Services only ever insert."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    occurred_at = models.DateTimeField(help_text="When it happened (a backfilled stamp can be earlier).")
    recorded_at = models.DateTimeField(auto_now_add=True)
    phase = models.CharField(max_length=10, choices=Phase.choices, blank=True)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["incident", "occurred_at", "id"], name="event_timeline_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on incident {self.incident_id}"
