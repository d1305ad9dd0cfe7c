"""Reads of the stored weekly aggregates (the API here, and the dashboard of another issue).

Aggregates are stored per single dimension (everything, one team, one service or one severity), so
a read names at most one filter; `scope_resolve` turns the filter a person gives into (scope, key).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from core import errors
from incidents.models import Service, Severity, Team
from metrics import weeks
from metrics.models import Scope, WeeklyAggregate


class UnknownFilter(errors.ValidationFailed):
    default_code = "unknown_filter"


@dataclass(frozen=True)
class ScopeRef:
    scope: str
    key: str
    filter: dict[str, str]  # the filter as given, echoed back
    label: str  # a team's or service's name, a severity, or "Everything"


def _by_slug_or_id(model, value: str):
    query = model.objects.filter(slug=value)
    if value.isdigit():
        query = model.objects.filter(pk=int(value)) | query
    return query.order_by("pk").first()


def scope_resolve(*, team: str = "", service: str = "", severity: str = "") -> ScopeRef:
    """(scope, key) of at most one filter: a team or service (slug or id) or a severity ("SEV1").

    Raises ValidationFailed (400) when more than one is given and UnknownFilter (400) naming an
    unknown team, service or severity.
    """
    filters = {"team": team, "service": service, "severity": severity}
    given = {name: value.strip() for name, value in filters.items() if value and value.strip()}
    if len(given) > 1:
        raise errors.ValidationFailed(
            f"Give at most one of team, service and severity (got {', '.join(sorted(given))}): "
            "the aggregates are stored per single dimension.",
            code="too_many_filters",
            extra={"fields": {name: ["Only one filter at a time."] for name in sorted(given)}},
        )
    if not given:
        return ScopeRef(scope=Scope.ALL, key="", filter={}, label="Everything")
    (name, value), = given.items()  # fmt: skip
    if name == "severity":
        severity = value.upper()
        if severity not in Severity.values:
            raise UnknownFilter(
                f"severity: unknown severity {value!r}; one of {', '.join(Severity.values)}.",
                extra={"field": "severity", "value": value},
            )
        return ScopeRef(scope=Scope.SEVERITY, key=severity, filter={"severity": severity}, label=severity)
    model = Team if name == "team" else Service
    found = _by_slug_or_id(model, value)
    if found is None:
        raise UnknownFilter(
            f"{name}: no {name} with slug or id {value!r}.", extra={"field": name, "value": value}
        )
    return ScopeRef(scope=name, key=str(found.pk), filter={name: found.slug}, label=found.name)


def weekly_get(*, week: date, scope: str = Scope.ALL, key: str = "") -> WeeklyAggregate | None:
    """The stored row of one week and scope, or None (not computed, or no activity in that scope)."""
    return WeeklyAggregate.objects.filter(week=weeks.week_monday(week), scope=scope, key=key).first()


def weekly_computed(*, week: date) -> bool:
    """Has this week ever been computed? Its "all" row is always written."""
    return WeeklyAggregate.objects.filter(week=weeks.week_monday(week), scope=Scope.ALL, key="").exists()


def weekly_series(*, scope: str, key: str, first_week: date, last_week: date) -> list[WeeklyAggregate]:
    """The stored rows of one scope from `first_week` to `last_week` (both included), oldest first.
    Weeks without a row are absent: the caller decides how to show them. One query."""
    return list(
        WeeklyAggregate.objects.filter(
            scope=scope,
            key=key,
            week__gte=weeks.week_monday(first_week),
            week__lte=weeks.week_monday(last_week),
        ).order_by("week")
    )


@dataclass(frozen=True)
class WeekRead:
    week: date
    computed_at: datetime | None  # datetime of the week's "all" row; None if the week was never computed
    row: WeeklyAggregate | None  # the scope's row; None when it had no activity (or not computed)


def _rows(
    *, scope: str, key: str, first_week: date, last_week: date
) -> dict[tuple[date, bool], WeeklyAggregate]:
    """The "all" rows and the scope's rows of the range, in one query, by (week, is_all)."""
    rows = WeeklyAggregate.objects.filter(
        Q(scope=Scope.ALL, key="") | Q(scope=scope, key=key),
        week__gte=weeks.week_monday(first_week),
        week__lte=weeks.week_monday(last_week),
    )
    return {(row.week, row.scope == Scope.ALL): row for row in rows}


def weekly_read(*, week: date, scope: str = Scope.ALL, key: str = "") -> WeekRead:
    """One week of one scope, and whether the week was computed at all. One query."""
    return weekly_table(scope=scope, key=key, first_week=week, last_week=week)[0]


def weekly_table(*, scope: str, key: str, first_week: date, last_week: date) -> list[WeekRead]:
    """Every week from `first_week` to `last_week`, oldest first, including weeks without a row."""
    found = _rows(scope=scope, key=key, first_week=first_week, last_week=last_week)
    table = []
    for week in weeks.weeks_between(first_week, weeks.week_monday(last_week)):
        everything = found.get((week, True))
        row = everything if scope == Scope.ALL else found.get((week, False))
        table.append(WeekRead(week=week, computed_at=everything.computed_at if everything else None, row=row))
    return table
