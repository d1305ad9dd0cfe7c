"""The text a new COE starts with, drawn from its incident. Pure: plain values in, Markdown out.

Section 1 gets the timeline (the phases at their current, corrected stamps, in time order), section 2
the phase stamps, durations and alerts, section 3 the impact fields, downtime and estimated cost. Every
line is a starting point to edit, not a finished answer. Durations read as on every page ("59m", "1h 12m"):
the UI's own `duration` filter (a pure function) formats them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from core.templatetags.cornerstone import duration


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
    """As every page shows a duration ("59m", "1h 12m", the UI's own filter); n/a when not reached."""
    return "n/a" if value is None else duration(value)


IMPACT_BEGAN = "Impact began"


def timeline(
    *, started_at: datetime | None, phases: Sequence[PhaseLine], events: Iterable[TimelineLine]
) -> list[TimelineLine]:
    """The incident's timeline as its stamps say now: impact began, each phase ended (or was skipped)
    at its current, corrected stamp, among the other events, in time order.

    `events` must leave out the phase events (their times are those of the first recording, which a
    correction does not move); the stamps stand for them. At one instant, impact beginning comes
    first, then the events in the given order, then the phases in lifecycle order.
    """
    ranked: list[tuple[datetime, int, int, TimelineLine]] = []
    if started_at is not None:
        ranked.append((started_at, 0, 0, TimelineLine(started_at, IMPACT_BEGAN)))
    for order, line in enumerate(events):
        ranked.append((line.at, 1, order, line))
    for order, phase in enumerate(phases):
        if phase.ended is not None:
            text = f"Phase {'skipped' if phase.skipped else 'ended'}: {phase.label}"
            ranked.append((phase.ended, 2, order, TimelineLine(phase.ended, text)))
    return [line for *_, line in sorted(ranked, key=lambda row: row[:3])]


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
