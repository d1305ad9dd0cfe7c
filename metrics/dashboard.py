"""What the weekly resilience review shows: reads only, a fixed number of queries whatever the size.

The headline figures, the 12-week series and the contributing factors come from the stored weekly
aggregates (one query for the whole run of weeks). What they do not hold is read with one query each:
services ranked by incidents and downtime (grouped, over the narrow per-incident figures of the week,
so it works for any one filter), and the week's incidents.

"The 4-week median" of a figure is the median of its values in the four weeks before the shown one.
The anatomy compares the week's median time in each phase with the median of the weekly medians of
the last 12 weeks (weeks without data left out).
"""

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from coe.models import FactorCategory
from core import errors, reporting
from incidents.models import Criticality, Incident, Service, Severity, Team
from incidents.phases import ORDER
from metrics import weeks
from metrics.models import IncidentMetric, Noise, Scope, WeeklyAggregate

TREND_WEEKS = 12
TABLE_LIMIT = 25
SEV_HIGH = (Severity.SEV1.value, Severity.SEV2.value)


@dataclass(frozen=True)
class Filters:
    """At most one of team, service or severity: the aggregates are stored per single dimension."""

    team: Team | None = None
    service: Service | None = None
    severity: str = ""

    @property
    def scope(self) -> tuple[str, str]:
        if self.team:
            return Scope.TEAM.value, str(self.team.pk)
        if self.service:
            return Scope.SERVICE.value, str(self.service.pk)
        if self.severity:
            return Scope.SEVERITY.value, self.severity
        return Scope.ALL.value, ""

    @property
    def label(self) -> str:
        if self.team:
            return f"team {self.team.name}"
        if self.service:
            return f"service {self.service.name}"
        return self.severity or "everything"

    def query(self) -> dict[str, str]:
        """The URL parameters that select this view (for links: previous/next week, CSV)."""
        if self.team:
            return {"team": self.team.slug}
        if self.service:
            return {"service": self.service.slug}
        return {"severity": self.severity} if self.severity else {}


def last_complete_week(now=None) -> date:
    now = now or timezone.now()
    return weeks.week_of(now, reporting.reporting_zone()) - weeks.WEEK


@dataclass
class Tile:
    name: str
    value: float | None
    previous: float | None
    median4: float | None
    kind: str  # "count", "duration", "money", "ratio"
    samples: int | None = None  # how many incidents a percentile rests on
    lower_is_better: bool = True
    detail: str = ""

    @property
    def small_sample(self) -> bool:
        return self.samples is not None and 0 < self.samples < settings.METRICS_SMALL_SAMPLE

    @property
    def change(self) -> str:
        """ "better", "worse" or "same" against the previous week ("" when either is unknown)."""
        if self.value is None or self.previous is None:
            return ""
        if self.value == self.previous:
            return "same"
        improved = self.value < self.previous if self.lower_is_better else self.value > self.previous
        return "better" if improved else "worse"


@dataclass
class Week:
    """The figures of one week for the chosen scope (a zero row when nothing happened)."""

    monday: date
    row: WeeklyAggregate | None

    @property
    def label(self) -> str:
        return weeks.week_format(self.monday)

    @property
    def short(self) -> str:
        return f"W{self.monday.isocalendar().week:02d}"

    def get(self, name: str, default: Any = 0) -> Any:
        return getattr(self.row, name) if self.row is not None else default

    def stat(self, metric: str, stat: str) -> float | None:
        if self.row is None:
            return None
        return (self.row.durations.get(metric) or {}).get(stat)

    def severity(self, name: str) -> int:
        return (self.row.by_severity if self.row else {}).get(name, 0)

    @property
    def noise(self) -> int:
        return self.get("false_alarms") + self.get("auto_resolved")


@dataclass
class Dashboard:
    week: date
    filters: Filters
    computed: bool
    series: list[Week]  # oldest first, the shown week last
    tiles: list[Tile] = field(default_factory=list)
    services: list[dict] = field(default_factory=list)
    factors: list[dict] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    anatomy: dict[str, dict[str, float | None]] = field(default_factory=dict)

    @property
    def current(self) -> Week:
        return self.series[-1]

    @property
    def week_label(self) -> str:
        return weeks.week_format(self.week)

    @property
    def incident_total(self) -> int:
        return self.current.get("incidents") + self.current.noise


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _series(week: date, filters: Filters) -> tuple[list[Week], bool]:
    """The chosen scope's rows for the 12 weeks ending with `week`, and whether `week` was computed.
    One query: the scope's run of weeks, plus the "all" row that says the week was computed."""
    scope, key = filters.scope
    first = week - weeks.WEEK * (TREND_WEEKS - 1)
    rows = WeeklyAggregate.objects.filter(
        Q(scope=scope, key=key, week__gte=first, week__lte=week) | Q(scope=Scope.ALL, key="", week=week)
    )
    by_week, computed = {}, False
    for row in rows:
        if row.scope == Scope.ALL and row.week == week:
            computed = True
        if row.scope == scope and row.key == key:
            by_week[row.week] = row
    return [Week(monday, by_week.get(monday)) for monday in weeks.weeks_between(first, week)], computed


def _tiles(series: list[Week]) -> list[Tile]:
    current, previous, before = series[-1], series[-2], series[-5:-1]

    def count(name: str) -> tuple[float, float, float | None]:
        return current.get(name), previous.get(name), _median([w.get(name) for w in before])

    def stat(metric: str, which: str) -> tuple[float | None, float | None, float | None]:
        return (
            current.stat(metric, which),
            previous.stat(metric, which),
            _median([w.stat(metric, which) for w in before]),
        )

    def high(week: Week) -> int:
        return sum(week.severity(name) for name in SEV_HIGH)

    def on_time(week: Week) -> float | None:
        due = week.get("coes_due")
        return week.get("coes_on_time") / due if due else None

    incidents = Tile("Incidents", *count("incidents"), kind="count", detail=f"{high(current)} SEV1-2")
    return [
        incidents,
        Tile("SEV1-2 incidents", high(current), high(previous), _median([high(w) for w in before]), "count"),
        Tile(
            "Time to detect, p50",
            *stat("time_to_detect", "p50"),
            kind="duration",
            samples=current.stat("time_to_detect", "count") or 0,
        ),
        Tile(
            "Time to recover, p50",
            *stat("time_to_recover", "p50"),
            kind="duration",
            samples=current.stat("time_to_recover", "count") or 0,
        ),
        Tile(
            "Time to recover, p90",
            *stat("time_to_recover", "p90"),
            kind="duration",
            samples=current.stat("time_to_recover", "count") or 0,
        ),
        Tile("Downtime", *count("downtime"), kind="duration"),
        Tile("Estimated cost", *count("cost"), kind="money"),
        Tile(
            "COEs published on time",
            on_time(current),
            on_time(previous),
            _median([on_time(w) for w in before]),
            kind="ratio",
            lower_is_better=False,
            detail=f"{current.get('coes_on_time')} of {current.get('coes_due')} due",
        ),
        Tile("Action items overdue", *count("action_items_overdue"), kind="count"),
        Tile("Action items completed", *count("action_items_completed"), kind="count", lower_is_better=False),
    ]


def _anatomy(series: list[Week]) -> dict[str, dict[str, float | None]]:
    anatomy = {}
    for phase in ORDER:
        metric = f"phase_{phase.value}"
        anatomy[phase.value] = {
            "week": series[-1].stat(metric, "p50"),
            "median12": _median([w.stat(metric, "p50") for w in series]),
            "count": series[-1].stat(metric, "count") or 0,
        }
    return anatomy


def _metric_filter(filters: Filters, prefix: str = "") -> Q:
    if filters.team:
        return Q(**{f"{prefix}team_id": filters.team.pk})
    if filters.severity:
        return Q(**{f"{prefix}severity": filters.severity})
    return Q()


def _top_services(week: date, filters: Filters, services: dict[int, Service]) -> list[dict]:
    """Counted incidents and downtime per affected service in the week: one grouped query over the
    week's per-incident figures (week index) and their service links (index-only, by incident)."""
    week_incidents = (
        IncidentMetric.objects.filter(week=week, noise=Noise.NONE)
        .filter(_metric_filter(filters))
        .values("incident_id")
    )
    links = Incident.services.through.objects.filter(incident_id__in=week_incidents)
    if filters.service:
        links = links.filter(service_id=filters.service.pk)
    rows = links.values("service_id").annotate(
        incidents=Count("incident_id"), downtime=Sum("incident__metric__downtime")
    )
    return [
        {
            "id": row["service_id"],
            "name": services[row["service_id"]].name,
            "slug": services[row["service_id"]].slug,
            "critical": services[row["service_id"]].criticality == Criticality.CRITICAL,
            "incidents": row["incidents"],
            "downtime": row["downtime"] or 0,
        }
        for row in rows.order_by()
        if row["service_id"] in services
    ]


def _factors(series: list[Week]) -> list[dict]:
    """Contributing factors of the COEs approved in the shown weeks, by category (stored per week)."""
    counts: dict[str, int] = {}
    for week in series:
        for category, count in (week.get("factors", {}) or {}).items():
            counts[category] = counts.get(category, 0) + count
    labels = dict(FactorCategory.choices)
    rows = [{"category": labels.get(key, key), "count": n} for key, n in counts.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["category"]))


def _incidents(week: date, filters: Filters) -> QuerySet[Incident]:
    """The week's incidents, most severe and longest down first. Selected by started_at (the week's
    definition, and an index on the incidents) so the planner never scans every incident."""
    start, end = weeks.week_bounds(week, reporting.reporting_zone())
    incidents = (
        Incident.objects.filter(started_at__gte=start, started_at__lt=end)
        .filter(_metric_filter(filters))
        .select_related("metric", "team", "coe")
        .prefetch_related("services")
        .order_by("severity", "-metric__downtime", "started_at")
    )
    if filters.service:
        incidents = incidents.filter(services=filters.service)
    return incidents


def dashboard_get(*, week: date, filters: Filters, services: list[Service]) -> Dashboard:
    """Everything the page shows. `services`: every service (the page has them for its filter menu)."""
    series, computed = _series(week, filters)
    board = Dashboard(week=week, filters=filters, computed=computed, series=series)
    board.tiles = _tiles(series)
    board.anatomy = _anatomy(series)
    board.services = _top_services(week, filters, {service.pk: service for service in services})
    board.factors = _factors(series)
    board.incidents = list(_incidents(week, filters)[:TABLE_LIMIT])
    return board


def week_neighbours(week: date, now=None) -> tuple[date, date | None]:
    """The previous week, and the next one unless it has not started yet."""
    following = week + weeks.WEEK
    current = weeks.week_of(now or timezone.now(), reporting.reporting_zone())
    return week - weeks.WEEK, following if following <= current else None


def week_from(text: str, now=None) -> date:
    """The week named in the URL, or the last complete week when none is."""
    return weeks.week_parse(text) if text.strip() else last_complete_week(now)


def filters_from(params) -> Filters:
    """team (slug), service (slug) or severity from the URL; at most one (400 otherwise)."""
    given = {name: (params.get(name) or "").strip() for name in ("team", "service", "severity")}
    chosen = {name: value for name, value in given.items() if value}
    if len(chosen) > 1:
        raise errors.ValidationFailed(
            f"Choose one of team, service or severity, not {' and '.join(chosen)}: the weekly figures are "
            "kept for one of them at a time.",
            extra={"fields": sorted(chosen)},
        )
    if given["team"]:
        team = Team.objects.filter(slug=given["team"]).first()
        if team is None:
            raise errors.ValidationFailed(f"No team {given['team']!r}.", extra={"field": "team"})
        return Filters(team=team)
    if given["service"]:
        service = Service.objects.filter(slug=given["service"]).first()
        if service is None:
            raise errors.ValidationFailed(f"No service {given['service']!r}.", extra={"field": "service"})
        return Filters(service=service)
    if given["severity"]:
        if given["severity"] not in Severity.values:
            raise errors.ValidationFailed(
                f"Severity must be one of {', '.join(Severity.values)}.", extra={"field": "severity"}
            )
        return Filters(severity=given["severity"])
    return Filters()


def filter_choices() -> tuple[list[Team], list[Service]]:
    """Every team and service, for the filter menus (two small queries, no counts)."""
    return list(Team.objects.order_by("name")), list(Service.objects.select_related("team").order_by("name"))


def small_sample_limit() -> int:
    return settings.METRICS_SMALL_SAMPLE
