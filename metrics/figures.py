"""One incident's figures, as stored in `IncidentMetric`. Pure: facts in, field values out.

Built on `incidents.timing` (the same definitions as the incident page), in whole seconds, rounded
to the nearest second:
- time to detect / recover / resolve: detected_at / recovered_at / confirmed_at minus started_at,
  null until that stamp is set;
- a phase's duration: from the stamp that starts it to the stamp that ends it, only once it has
  ended and only if it was not jumped over (a skipped phase took no measurable time; counting it as 0
  would drag the percentiles down). Detect ending the instant impact began is a real 0, not a skip;
- downtime: started_at to recovered_at, or to "now" while unrecovered, where a closed incident's
  clock stops when it was closed; a false alarm caused none (as on the incident page);
- cost: the sum over affected services of cost per hour x hours of downtime (0 for a false alarm);
- noise: false alarms and auto-resolved incidents, kept here but left out of weekly time metrics;
- ongoing: still active and not recovered, so downtime and cost still grow; the periodic job keeps
  refreshing such rows.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from incidents import timing
from incidents.models import Status
from metrics import weeks
from metrics.models import Noise

NOISE_OF_STATUS = {Status.FALSE_ALARM: Noise.FALSE_ALARM, Status.AUTO_RESOLVED: Noise.AUTO_RESOLVED}


@dataclass(frozen=True)
class IncidentFacts:
    """What the figures of one incident depend on (read by `metrics.services` in bulk)."""

    incident_id: int
    version: int
    status: str
    severity: str
    team_id: int
    stamps: dict[str, datetime | None]
    closed_at: datetime | None
    costs_per_hour: tuple[Decimal, ...] = ()


def seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def incident_figures(facts: IncidentFacts, *, now: datetime, tz: str | tzinfo) -> dict[str, Any]:
    """The IncidentMetric field values of one incident, computed at `now`."""
    clock = facts.closed_at or now
    stamps = facts.stamps
    spans = timing.durations(stamps, now=clock)
    false_alarm = facts.status == Status.FALSE_ALARM
    values: dict[str, Any] = {
        "incident_id": facts.incident_id,
        "week": weeks.week_of(stamps["started_at"], tz),
        "team_id": facts.team_id,
        "severity": facts.severity,
        "noise": NOISE_OF_STATUS.get(facts.status, Noise.NONE),
        "time_to_detect": seconds(spans.time_to_detect),
        "time_to_recover": seconds(spans.time_to_recover),
        "time_to_resolve": seconds(spans.time_to_resolve),
        "downtime": 0 if false_alarm else seconds(timing.downtime(stamps, now=clock)),
        "cost": Decimal("0.00")
        if false_alarm
        else timing.estimated_cost(stamps, costs_per_hour=facts.costs_per_hour, now=clock),
        "ongoing": facts.status == Status.ACTIVE and stamps.get("recovered_at") is None,
        "incident_version": facts.version,
        "computed_at": now,
    }
    for span in spans.spans:
        measured = span.ended is not None and span.duration is not None and not span.skipped
        values[f"phase_{span.phase.value}"] = seconds(span.duration) if measured else None
    return values
