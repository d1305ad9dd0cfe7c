"""How long an incident took, and what its downtime cost. Pure: stamps in, durations out.

Definitions (all measured from `started_at`, when impact began):
- time in a phase: from the stamp that starts it to the stamp that ends it (to now while running);
- time to detect:  detected_at  - started_at
- time to recover: recovered_at - started_at
- time to resolve: confirmed_at - started_at
- estimated cost: the sum over affected services of cost per hour x hours from started_at to
  recovered_at (to now while unrecovered).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from incidents.phases import ENDS_AT, ORDER, Phase, Stamps, current_phase, phase_start_field

SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class PhaseSpan:
    phase: Phase
    started: datetime | None
    ended: datetime | None
    duration: timedelta | None  # None while the phase has not begun
    running: bool  # the current phase: its duration counts up to now
    skipped: bool  # jumped over: began and ended at the same instant

    @property
    def seconds(self) -> float:
        return self.duration.total_seconds() if self.duration is not None else 0.0


@dataclass(frozen=True)
class Durations:
    spans: tuple[PhaseSpan, ...]
    time_to_detect: timedelta | None
    time_to_recover: timedelta | None
    time_to_resolve: timedelta | None
    total: timedelta  # from started_at to confirmed_at, or to now

    def share(self, span: PhaseSpan) -> float:
        """The span's share of the total, in percent (for the anatomy bar)."""
        total = self.total.total_seconds()
        return round(100 * span.seconds / total, 2) if total > 0 else 0.0


def _since_start(stamps: Stamps, field: str) -> timedelta | None:
    value = stamps.get(field)
    return value - stamps["started_at"] if value is not None else None


def durations(stamps: Stamps, *, now: datetime) -> Durations:
    """Per-phase spans and the headline durations.

    A phase after detect that ended the instant it began was jumped over (skipped); detect itself
    takes no time when an incident is declared the moment impact begins, which is not a skip.
    """
    running_phase = current_phase(stamps)
    spans = []
    for phase in ORDER:
        started = stamps.get(phase_start_field(phase))
        ended = stamps.get(ENDS_AT[phase])
        running = phase == running_phase
        if started is None:
            duration = None
        else:
            duration = (ended if ended is not None else now) - started
            duration = max(duration, timedelta(0))
        spans.append(
            PhaseSpan(
                phase=phase,
                started=started,
                ended=ended,
                duration=duration,
                running=running,
                skipped=phase is not Phase.DETECT and ended is not None and ended == started,
            )
        )
    end = stamps.get("confirmed_at") or now
    return Durations(
        spans=tuple(spans),
        time_to_detect=_since_start(stamps, "detected_at"),
        time_to_recover=_since_start(stamps, "recovered_at"),
        time_to_resolve=_since_start(stamps, "confirmed_at"),
        total=max(end - stamps["started_at"], timedelta(0)),
    )


def downtime(stamps: Stamps, *, now: datetime) -> timedelta:
    """Impact lasts from started_at until recovered_at (or now while unrecovered)."""
    end = stamps.get("recovered_at") or now
    return max(end - stamps["started_at"], timedelta(0))


def estimated_cost(stamps: Stamps, *, costs_per_hour: Iterable[Decimal], now: datetime) -> Decimal:
    """Sum over affected services of cost per hour x hours of downtime, rounded to cents."""
    seconds = Decimal(downtime(stamps, now=now).total_seconds())
    # Multiply before dividing: an exact half cent must stay exact to round half up.
    total = sum((Decimal(cost) * seconds for cost in costs_per_hour), Decimal(0)) / SECONDS_PER_HOUR
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
