"""The text a new COE starts with, drawn from its incident. Pure: plain values in, Markdown out.

Section 1 gets the timeline, section 2 the phase stamps, durations and alerts, section 3 the impact
fields, downtime and estimated cost. Every line is a starting point to edit, not a finished answer.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    text: str


@dataclass(frozen=True)
class PhaseLine:
    label: str
    started: datetime | None
    ended: datetime | None
    duration: timedelta | None
    skipped: bool


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "not yet"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "n/a"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def what_happened(lines: Iterable[TimelineLine]) -> str:
    rows = [f"- {_when(line.at)}: {line.text}" for line in lines]
    return "Timeline (from the incident; edit it into a narrative):\n\n" + ("\n".join(rows) or "- (empty)")


def data(
    *,
    phases: Sequence[PhaseLine],
    time_to_detect: timedelta | None,
    time_to_recover: timedelta | None,
    time_to_resolve: timedelta | None,
    alerts: Sequence[str],
) -> str:
    rows = ["| Phase | Started | Ended | Took |", "|---|---|---|---|"]
    for phase in phases:
        took = "skipped" if phase.skipped else _duration(phase.duration)
        rows.append(f"| {phase.label} | {_when(phase.started)} | {_when(phase.ended)} | {took} |")
    lines = [
        "Phase stamps and durations:",
        "",
        *rows,
        "",
        f"- Time to detect: {_duration(time_to_detect)}",
        f"- Time to recover: {_duration(time_to_recover)}",
        f"- Time to resolve: {_duration(time_to_resolve)}",
    ]
    if alerts:
        lines += ["", "Linked alerts:", "", *[f"- {alert}" for alert in alerts]]
    lines += ["", "Add the graphs, logs and numbers that support the analysis."]
    return "\n".join(lines)


def impact(
    *,
    customer_impact: str,
    customers_affected: int | None,
    blast_radius: Sequence[str],
    downtime: timedelta,
    estimated_cost: Decimal,
    services: Sequence[str],
) -> str:
    return "\n".join(
        [
            f"- Customer impact: {customer_impact or 'not described yet'}",
            f"- Customers affected: {customers_affected if customers_affected is not None else 'unknown'}",
            f"- Blast radius: {', '.join(blast_radius) or 'not recorded'}",
            f"- Affected services: {', '.join(services) or 'none recorded'}",
            f"- Downtime: {_duration(downtime)}",
            f"- Estimated cost: ${estimated_cost:,.0f}",
        ]
    )
