"""The serializers of the metrics REST API (`metrics.api`): `...In` validate query parameters, `...Out`
describe the answers (module-level, unique names: one schema component each). `weekly_data` and
`csv_header`/`csv_row` shape a stored `WeeklyAggregate` (or an empty scope) for JSON and CSV."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework import serializers

from coe.models import FactorCategory
from core.api import StrictIn
from incidents.models import Severity
from metrics import aggregate, weeks
from metrics.models import TIME_METRICS, Scope, WeeklyAggregate
from metrics.selectors import ScopeRef

STATS = ("count", "mean", "p50", "p90", "max")
COUNT_FIELDS = (
    "incidents",
    "false_alarms",
    "auto_resolved",
    "action_items_created",
    "action_items_completed",
    "action_items_completed_on_time",
    "action_items_overdue",
    "coes_due",
    "coes_on_time",
    "coes_late",
)

# --- Input ------------------------------------------------------------------------------------------


class MetricsFilterIn(StrictIn):
    team = serializers.CharField(required=False, allow_blank=True, help_text="A team's slug or id.")
    service = serializers.CharField(required=False, allow_blank=True, help_text="A service's slug or id.")
    severity = serializers.CharField(
        required=False, allow_blank=True, help_text=f"One of {', '.join(Severity.values)}."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if hasattr(self.initial_data, "lists"):  # a QueryDict: a repeated parameter is ambiguous
            repeated = sorted(name for name, values in self.initial_data.lists() if len(values) > 1)
            if repeated:
                raise serializers.ValidationError({name: ["Give it once."] for name in repeated})
        return super().validate(attrs)


class WeeklyMetricsIn(MetricsFilterIn):
    week = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="ISO week, e.g. 2026-W47 (default: the last complete week).",
    )


WeeklyCsvIn = type(
    "WeeklyCsvIn",
    (MetricsFilterIn,),
    {
        "__module__": __name__,
        "__doc__": "The range of weeks (both included) and at most one filter.",
        "from": serializers.CharField(
            required=False, allow_blank=True, help_text="First ISO week (default: 11 weeks before `to`)."
        ),
        "to": serializers.CharField(
            required=False, allow_blank=True, help_text="Last ISO week (default: the last complete week)."
        ),
    },
)

# --- Output -----------------------------------------------------------------------------------------


class DurationStatsOut(serializers.Serializer):
    """Seconds. Statistics are null when no incident has the value (count 0)."""

    count = serializers.IntegerField(help_text="Incidents the statistics rest on.")
    mean = serializers.FloatField(allow_null=True, help_text="Rounded to 0.1 s.")
    p50 = serializers.FloatField(allow_null=True, help_text="Median, linear interpolation, 0.1 s.")
    p90 = serializers.FloatField(allow_null=True, help_text="90th percentile, linear interpolation, 0.1 s.")
    max = serializers.IntegerField(allow_null=True)
    small_sample = serializers.BooleanField(
        help_text="Fewer incidents than METRICS_SMALL_SAMPLE (5): read the mean and percentiles with care."
    )


DurationsWeeklyOut = type(
    "DurationsWeeklyOut",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Time to detect, recover and resolve, and the time in each phase (ended, not skipped).",
        **{name: DurationStatsOut() for name in TIME_METRICS},
    },
)

BySeverityOut = type(
    "BySeverityOut",
    (serializers.Serializer,),
    {"__module__": __name__, **{name: serializers.IntegerField() for name in Severity.values}},
)


class WeeklyIncidentsOut(serializers.Serializer):
    counted = serializers.IntegerField(help_text="Incidents that started this week, noise excluded.")
    by_severity = BySeverityOut(help_text="Counted incidents per severity.")
    false_alarms = serializers.IntegerField()
    auto_resolved = serializers.IntegerField()


class WeeklyActionItemsOut(serializers.Serializer):
    created = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="Done this week.")
    completed_on_time = serializers.IntegerField(help_text="Done this week, by the due date (or undated).")
    overdue = serializers.IntegerField(help_text="Past due and not done at week end (now, for this week).")


class WeeklyCoesOut(serializers.Serializer):
    due = serializers.IntegerField(help_text="COEs due this week.")
    on_time = serializers.IntegerField(help_text="Approved by the due date.")
    late = serializers.IntegerField(help_text="Approved after it, or not approved and past due.")


class WeeklyFilterOut(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Scope.choices)
    key = serializers.CharField(help_text='"" for all, the team or service id, or the severity.')
    label = serializers.CharField()
    given = serializers.DictField(child=serializers.CharField(), help_text="The filter as understood.")


class WeeklyMetricsOut(serializers.Serializer):
    """One ISO week's stored aggregates for everything or one team, service or severity."""

    week = serializers.CharField(help_text="ISO week, e.g. 2026-W47.")
    start = serializers.DateField(help_text="Monday.")
    end = serializers.DateField(help_text="Sunday.")
    time_zone = serializers.CharField(help_text="The reporting time zone the week is read in.")
    filter = WeeklyFilterOut()
    computed_at = serializers.DateTimeField()
    small_sample_below = serializers.IntegerField(help_text="`small_sample` is set under this count.")
    incidents = WeeklyIncidentsOut()
    durations = DurationsWeeklyOut()
    downtime = serializers.IntegerField(help_text="Seconds, summed over counted incidents.")
    cost = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Summed estimated cost.")
    action_items = WeeklyActionItemsOut()
    coes = WeeklyCoesOut()
    factors = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Contributing factors of the COEs approved this week, per category (every category).",
    )


# --- Shaping ----------------------------------------------------------------------------------------


def _values(row: WeeklyAggregate | None) -> dict[str, Any]:
    if row is None:
        return aggregate.empty()
    return {name: getattr(row, name) for name in aggregate.empty()}


def _stats(summary: dict[str, Any] | None) -> dict[str, Any]:
    summary = {name: (summary or {}).get(name) for name in STATS}
    summary["count"] = summary["count"] or 0
    summary["small_sample"] = summary["count"] < settings.METRICS_SMALL_SAMPLE
    return summary


def weekly_data(
    *, week: date, ref: ScopeRef, row: WeeklyAggregate | None, computed_at: datetime
) -> dict[str, Any]:
    """The JSON of one week and scope; `row` None means the scope had no activity (all zeros)."""
    values = _values(row)
    return {
        "week": weeks.week_format(week),
        "start": week,
        "end": weeks.week_last_day(week),
        "time_zone": settings.REPORTING_TIME_ZONE,
        "filter": {"scope": ref.scope, "key": ref.key, "label": ref.label, "given": ref.filter},
        "computed_at": computed_at,
        "small_sample_below": settings.METRICS_SMALL_SAMPLE,
        "incidents": {
            "counted": values["incidents"],
            "by_severity": {name: values["by_severity"].get(name, 0) for name in Severity.values},
            "false_alarms": values["false_alarms"],
            "auto_resolved": values["auto_resolved"],
        },
        "durations": {name: _stats(values["durations"].get(name)) for name in TIME_METRICS},
        "downtime": values["downtime"],
        "cost": f"{Decimal(values['cost']):.2f}",  # a string, exact (as DRF writes decimals)
        "action_items": {
            "created": values["action_items_created"],
            "completed": values["action_items_completed"],
            "completed_on_time": values["action_items_completed_on_time"],
            "overdue": values["action_items_overdue"],
        },
        "coes": {"due": values["coes_due"], "on_time": values["coes_on_time"], "late": values["coes_late"]},
        "factors": {name: values["factors"].get(name, 0) for name in FactorCategory.values},
    }


def csv_header() -> list[str]:
    """The CSV columns, in order (documented in docs/metrics.md)."""
    return [
        "week", "start", "end", "scope", "key", "computed_at", *COUNT_FIELDS[:3],
        *(f"incidents_{name.lower()}" for name in Severity.values), "downtime_seconds", "cost",
        *COUNT_FIELDS[3:], *(f"{metric}_{stat}" for metric in TIME_METRICS for stat in STATS),
        *(f"factors_{name}" for name in FactorCategory.values),
    ]  # fmt: skip


def _stat_cell(summary: dict[str, Any] | None, stat: str) -> Any:
    value = (summary or {}).get(stat)
    if stat == "count":
        return value or 0
    return "" if value is None else value


def csv_row(*, week: date, ref: ScopeRef, row: WeeklyAggregate | None, computed_at: datetime | None) -> list:
    """One week in the order of `csv_header`: zeros and blank statistics for a week without data,
    and a blank computed_at for a week never computed."""
    values = _values(row)
    durations = values["durations"]
    return [
        weeks.week_format(week), week.isoformat(), weeks.week_last_day(week).isoformat(), ref.scope, ref.key,
        computed_at.isoformat() if computed_at else "", *(values[name] for name in COUNT_FIELDS[:3]),
        *(values["by_severity"].get(name, 0) for name in Severity.values), values["downtime"],
        f"{Decimal(values['cost']):.2f}", *(values[name] for name in COUNT_FIELDS[3:]),
        *(_stat_cell(durations.get(metric), stat) for metric in TIME_METRICS for stat in STATS),
        *(values["factors"].get(name, 0) for name in FactorCategory.values),
    ]  # fmt: skip
