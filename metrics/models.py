"""Derived tables: rebuilt from incidents, COEs and action items by `metrics.services`, never edited.

Durations are whole seconds (floats would make SQLite and PostgreSQL disagree in the last digit).
"""

from django.db import models
from django.db.models import Q

from incidents.models import Incident, Severity

# Each time metric has these statistics in a weekly row: count, mean, p50, p90 and max, in seconds.
TIME_METRICS: tuple[str, ...] = (
    "time_to_detect",
    "time_to_recover",
    "time_to_resolve",
    "phase_detect",
    "phase_evaluate",
    "phase_respond",
    "phase_recover",
    "phase_confirm",
)


class Noise(models.TextChoices):
    """Incidents left out of the time metrics, counted apart."""

    NONE = "", "Counted"
    FALSE_ALARM = "false_alarm", "False alarm"
    AUTO_RESOLVED = "auto_resolved", "Auto-resolved"


class IncidentMetric(models.Model):
    """One incident's figures, recomputed on every change of the incident.

    A duration is null until the stamps that bound it are set (a running phase has no duration here).
    Downtime and cost of an unrecovered incident run to `computed_at`.
    """

    incident = models.OneToOneField(
        Incident, on_delete=models.CASCADE, primary_key=True, related_name="metric"
    )
    week = models.DateField(help_text="Monday of the ISO week of started_at, in the reporting time zone.")
    team_id = models.BigIntegerField()
    severity = models.CharField(max_length=4, choices=Severity.choices)
    noise = models.CharField(max_length=20, choices=Noise.choices, blank=True, default=Noise.NONE)
    time_to_detect = models.BigIntegerField(null=True, blank=True)
    time_to_recover = models.BigIntegerField(null=True, blank=True)
    time_to_resolve = models.BigIntegerField(null=True, blank=True)
    phase_detect = models.BigIntegerField(null=True, blank=True)
    phase_evaluate = models.BigIntegerField(null=True, blank=True)
    phase_respond = models.BigIntegerField(null=True, blank=True)
    phase_recover = models.BigIntegerField(null=True, blank=True)
    phase_confirm = models.BigIntegerField(null=True, blank=True)
    downtime = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    ongoing = models.BooleanField(default=False, help_text="Not yet recovered when computed.")
    incident_version = models.PositiveIntegerField(help_text="The incident's version these figures reflect.")
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["week", "team_id"], name="incident_metric_week_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(noise__in=Noise.values), name="incident_metric_noise_valid"),
            models.CheckConstraint(
                condition=Q(downtime__gte=0), name="incident_metric_downtime_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Metrics of incident {self.incident_id}"


class Scope(models.TextChoices):
    ALL = "all", "Everything"
    TEAM = "team", "Team"
    SERVICE = "service", "Service"
    SEVERITY = "severity", "Severity"


class WeeklyAggregate(models.Model):
    """One ISO week's figures for everything, or for one team, service or severity.

    `key` is "" for scope "all", the team or service id as text, or the severity ("SEV1").
    `durations` maps each name in TIME_METRICS to {"count", "mean", "p50", "p90", "max"} in seconds
    (null statistics when count is 0). Upserted by (week, scope, key): recomputing is idempotent.
    Incidents belong to the week they started in; action items to the week they were created or
    completed in; COEs to the week they were due in; contributing factors to the week their COE was
    approved in.
    """

    week = models.DateField(help_text="Monday of the ISO week, in the reporting time zone.")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=40, blank=True)

    incidents = models.PositiveIntegerField(default=0, help_text="Counted incidents (noise excluded).")
    by_severity = models.JSONField(
        default=dict, help_text='Counted incidents per severity: {"SEV1": 2, ...}.'
    )
    false_alarms = models.PositiveIntegerField(default=0)
    auto_resolved = models.PositiveIntegerField(default=0)
    durations = models.JSONField(default=dict)
    downtime = models.BigIntegerField(default=0, help_text="Seconds, summed over counted incidents.")
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    action_items_created = models.PositiveIntegerField(default=0)
    action_items_completed = models.PositiveIntegerField(default=0)
    action_items_completed_on_time = models.PositiveIntegerField(default=0)
    action_items_overdue = models.PositiveIntegerField(default=0, help_text="Open and past due at week end.")

    coes_due = models.PositiveIntegerField(default=0)
    coes_on_time = models.PositiveIntegerField(default=0, help_text="Approved by their due date.")
    coes_late = models.PositiveIntegerField(default=0, help_text="Approved after it, or still not approved.")
    factors = models.JSONField(
        default=dict, help_text="Contributing factors of the COEs approved in the week, per category."
    )

    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["week", "scope", "key"]
        constraints = [
            models.UniqueConstraint(fields=["week", "scope", "key"], name="weekly_aggregate_unique"),
            models.CheckConstraint(condition=Q(scope__in=Scope.values), name="weekly_aggregate_scope_valid"),
            models.CheckConstraint(
                condition=Q(scope=Scope.ALL, key="") | (~Q(scope=Scope.ALL) & ~Q(key="")),
                name="weekly_aggregate_key_matches_scope",
            ),
        ]
        # The dashboard reads a run of weeks for one scope: (scope, key, week) serves it.
        indexes = [models.Index(fields=["scope", "key", "week"], name="weekly_aggregate_series_idx")]

    def __str__(self) -> str:
        return f"{self.week} {self.scope} {self.key}".strip()
