from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.models import BaseModel
from incidents.models import Incident, Severity, Team


class Kind(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager"
    GRAFANA = "grafana", "Grafana"
    PAGERDUTY = "pagerduty", "PagerDuty Events v2"
    CLOUDWATCH = "cloudwatch", "CloudWatch via SNS"
    DATADOG = "datadog", "Datadog"
    GENERIC = "generic", "Generic JSON"


class Integration(BaseModel):
    """One inbound source of alerts. Its key is shown once and stored only as a SHA-256 hash."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="integrations")
    enabled = models.BooleanField(default=True)
    key_hash = models.CharField(max_length=64, help_text="SHA-256 of the inbound key (hex).")
    key_prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it.")
    default_severity = models.CharField(max_length=4, choices=Severity.choices, default=Severity.SEV3)
    severity_label = models.CharField(
        max_length=100, default="severity", help_text="The label or tag whose value picks the severity."
    )
    severity_map = models.JSONField(
        default=dict,
        blank=True,
        help_text='Label value to severity, e.g. {"critical": "SEV1", "warning": "SEV3"}.',
    )
    service_label = models.CharField(
        max_length=100,
        default="service",
        help_text="The label or tag whose value names the affected service.",
    )
    service_map = models.JSONField(
        default=dict,
        blank=True,
        help_text='Label value to service slug, e.g. {"payments-api": "checkout-api"}.',
    )
    # Kept in clear: an HMAC can only be checked with the secret itself (Grafana signatures).
    hmac_secret = models.CharField(max_length=200, blank=True)
    verify_sns_signatures = models.BooleanField(
        default=True,
        help_text="CloudWatch via SNS only. Turning this off accepts unsigned (forged) messages.",
    )
    rate_limit_per_minute = models.PositiveIntegerField(default=6000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["key_hash"], name="integration_key_hash_unique"),
            models.UniqueConstraint(Lower("name"), "team", name="integration_name_unique_per_team"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="integration_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"


class Delivery(models.Model):
    """One HTTP request from a tool, stored before it is answered. The database is the queue:
    workers pull pending rows in batches (FOR UPDATE SKIP LOCKED)."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="deliveries")
    received_at = models.DateTimeField()
    body = models.TextField(help_text="As sent (NUL characters removed), capped at the size limit.")
    headers = models.JSONField(default=dict, blank=True)
    vendor_id = models.CharField(
        max_length=200, blank=True, help_text="The tool's own delivery id (SNS MessageId, Datadog $ID)."
    )
    meta = models.JSONField(
        default=dict, blank=True, help_text="What the endpoint decided, e.g. a generated dedup key."
    )
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # A worker's lease on a pending delivery: others skip it until then. If the worker dies, the
    # lease runs out and another worker takes the delivery over.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(state="pending"), name="delivery_pending_idx"),
            models.Index(fields=["integration", "-id"], name="delivery_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "vendor_id"],
                condition=~Q(vendor_id=""),
                name="delivery_vendor_id_unique",
            ),
            models.CheckConstraint(condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} ({self.state})"


class AlertGroup(models.Model):
    """Alerts that belong together (an Alertmanager/Grafana notification group, or a single PagerDuty
    dedup key, CloudWatch alarm or Datadog alert cycle). Its row is locked while an alert of the
    group is processed, so concurrent deliveries of a group open one incident, not several."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="groups")
    key = models.CharField(max_length=500)
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="alert_group_key_unique")]

    def __str__(self) -> str:
        return self.key


class AlertStatus(models.TextChoices):
    FIRING = "firing", "Firing"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Alert(BaseModel):
    """One alert identity from one integration. At most one open (not resolved) alert per identity."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="alerts")
    group = models.ForeignKey(AlertGroup, on_delete=models.CASCADE, related_name="alerts")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="alerts")
    dedup_key = models.CharField(max_length=500)
    status = models.CharField(max_length=15, choices=AlertStatus.choices, default=AlertStatus.FIRING)
    title = models.CharField(max_length=1024)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=100, blank=True, help_text="As the tool said it.")
    labels = models.JSONField(default=dict, blank=True)
    annotations = models.JSONField(default=dict, blank=True)
    links = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(help_text="Time of the newest state the tool reported.")
    last_delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The id of the newest-arriving delivery applied to the alert: arrival order, which outlives
    # the delivery row itself (raw deliveries are pruned, alerts are kept).
    last_sequence = models.BigIntegerField(default=0)
    delivery_count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["incident", "status"], name="alert_incident_idx"),
            models.Index(fields=["integration", "dedup_key", "-id"], name="alert_identity_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "dedup_key"],
                condition=~Q(status="resolved"),
                name="alert_one_open_per_identity",
            ),
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"


class ResolvedIdentity(models.Model):
    """The newest resolve of an alert identity, remembered for ALERT_RESOLVE_MEMORY_DAYS even when
    the identity was never seen firing (the resolve arrived first: HA peers, retries, reordering).
    A firing that the resolve supersedes (see adapters.base.Ordering) is then recorded as stale and
    opens nothing. Rows are upserted under the alert group's lock and swept by age."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    dedup_key = models.CharField(max_length=500)
    sequence = models.BigIntegerField(help_text="The id of the resolving delivery (arrival order).")
    state_at = models.DateTimeField(
        null=True, blank=True, help_text="When the tool says the alert resolved, if it says."
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["recorded_at"], name="resolved_identity_age_idx")]
        constraints = [
            models.UniqueConstraint(fields=["integration", "dedup_key"], name="resolved_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dedup_key} resolved"
