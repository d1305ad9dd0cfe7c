"""The incident lifecycle: one declared state machine, pure (no queries, no I/O).

An incident moves through the five phases of the anatomy of an outage. Each phase has one column
that stamps its end; the current phase is the first phase whose end is not stamped:

    started_at --detect--> detected_at --evaluate--> evaluated_at --respond--> responded_at
               --recover--> recovered_at --confirm--> confirmed_at (resolved)

Rules, enforced here and applied by `incidents.services` under a row lock:
- advancing stamps the end of the current phase, with now or an earlier time the user gives;
- stamps never go backwards and are never in the future;
- jumping ahead stamps every phase up to the target with the same time; those after the current
  one are "skipped" (they took no time);
- a correction moves one stamp that is already set, and must keep the order with its neighbours.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from core import errors


class Phase(models.TextChoices):
    """Declaration order is the lifecycle order."""

    DETECT = "detect", "Detect"
    EVALUATE = "evaluate", "Evaluate"
    RESPOND = "respond", "Respond"
    RECOVER = "recover", "Recover"
    CONFIRM = "confirm", "Confirm"


ORDER: tuple[Phase, ...] = tuple(Phase)

ENDS_AT: dict[Phase, str] = {
    Phase.DETECT: "detected_at",
    Phase.EVALUATE: "evaluated_at",
    Phase.RESPOND: "responded_at",
    Phase.RECOVER: "recovered_at",
    Phase.CONFIRM: "confirmed_at",
}

# Every stamp in time order; a phase starts where the previous one ends.
STAMP_FIELDS: tuple[str, ...] = ("started_at", *ENDS_AT.values())

STAMP_LABELS: dict[str, str] = {
    "started_at": "impact started",
    "detected_at": "detected",
    "evaluated_at": "evaluated",
    "responded_at": "responded",
    "recovered_at": "recovered",
    "confirmed_at": "confirmed",
}

# What each phase is, and what ends it: shown beside the stepper (from the seed article).
GUIDANCE: dict[Phase, str] = {
    Phase.DETECT: "Impact has begun; nobody knows yet. Ends when a person knows: an alert is "
    "acknowledged or the incident is declared.",
    Phase.EVALUATE: "What is going on? Read the logs and dashboards, understand the cause and the blast "
    "radius, decide the response. Ends when the response is decided.",
    Phase.RESPOND: "Deploy the fix or mitigation through the normal pipeline; no shortcuts that make "
    "things worse. Ends when the fix is deployed.",
    Phase.RECOVER: "Bring the system back to normal operating levels, progressively. Ends when the "
    "steady state is back.",
    Phase.CONFIRM: "Is it fully back for customers? Check customer experience, not only internal "
    "metrics. Ends when recovery is confirmed and the incident is resolved.",
}

Stamps = Mapping[str, datetime | None]


class IllegalTransition(errors.Conflict):
    default_code = "illegal_transition"


class InvalidStamp(errors.ValidationFailed):
    default_code = "invalid_stamp"


@dataclass(frozen=True)
class Advance:
    """The outcome of an advance: the stamps to write, and which phases ended or were skipped."""

    stamps: dict[str, datetime]
    ended: Phase
    skipped: tuple[Phase, ...]


def current_phase(stamps: Stamps) -> Phase | None:
    """The first phase whose end is not stamped; None once confirmed."""
    for phase in ORDER:
        if stamps.get(ENDS_AT[phase]) is None:
            return phase
    return None


def phase_start_field(phase: Phase) -> str:
    """The stamp at which `phase` begins."""
    return STAMP_FIELDS[ORDER.index(phase)]


def phases_between(first: Phase, last: Phase) -> tuple[Phase, ...]:
    return ORDER[ORDER.index(first) : ORDER.index(last) + 1]


def _label(field: str) -> str:
    return STAMP_LABELS[field]


def _latest_stamp(stamps: Stamps) -> tuple[str, datetime]:
    """The last stamp set, in lifecycle order (started_at is always set)."""
    latest = ("started_at", stamps["started_at"])
    for field in STAMP_FIELDS[1:]:
        value = stamps.get(field)
        if value is None:
            break
        latest = (field, value)
    return latest


def plan_advance(stamps: Stamps, *, at: datetime, now: datetime, through: Phase | None = None) -> Advance:
    """End the current phase at `at`; with `through`, also skip every phase up to and including it.

    Raises IllegalTransition when the incident is already resolved or `through` lies behind the
    current phase, and InvalidStamp when `at` is in the future or before the last stamp.
    """
    phase = current_phase(stamps)
    if phase is None:
        raise IllegalTransition("The incident is already resolved; reopen it to change its phases.")
    target = through or phase
    if ORDER.index(target) < ORDER.index(phase):
        raise IllegalTransition(
            f"Cannot advance through {target.label}: the incident is already in {phase.label}.",
            extra={"current_phase": phase.value, "through": target.value},
        )
    field = ENDS_AT[phase]
    if at > now:
        raise InvalidStamp(
            f"The {_label(field)} time cannot be in the future.",
            extra={"field": field, "value": at.isoformat()},
        )
    previous_field, previous = _latest_stamp(stamps)
    if at < previous:
        raise InvalidStamp(
            f"The {_label(field)} time cannot be before the {_label(previous_field)} time "
            f"({previous.isoformat()}).",
            extra={"field": field, "conflicts_with": previous_field, "value": at.isoformat()},
        )
    covered = phases_between(phase, target)
    return Advance(stamps={ENDS_AT[p]: at for p in covered}, ended=phase, skipped=covered[1:])


def check_correction(stamps: Stamps, *, field: str, value: datetime, now: datetime) -> None:
    """A corrected stamp must already be set, not in the future, and stay between its neighbours."""
    if field not in STAMP_FIELDS:
        raise InvalidStamp(f"{field!r} is not a phase stamp.", extra={"field": field})
    if stamps.get(field) is None:
        raise InvalidStamp(
            f"The {_label(field)} time is not set yet; advance the incident instead of correcting it.",
            extra={"field": field},
        )
    if value > now:
        raise InvalidStamp(
            f"The {_label(field)} time cannot be in the future.",
            extra={"field": field, "value": value.isoformat()},
        )
    index = STAMP_FIELDS.index(field)
    for earlier in reversed(STAMP_FIELDS[:index]):
        if stamps.get(earlier) is not None:
            if value < stamps[earlier]:
                raise InvalidStamp(
                    f"The {_label(field)} time cannot be before the {_label(earlier)} time "
                    f"({stamps[earlier].isoformat()}).",
                    extra={"field": field, "conflicts_with": earlier, "value": value.isoformat()},
                )
            break
    for later in STAMP_FIELDS[index + 1 :]:
        if stamps.get(later) is not None:
            if value > stamps[later]:
                raise InvalidStamp(
                    f"The {_label(field)} time cannot be after the {_label(later)} time "
                    f"({stamps[later].isoformat()}).",
                    extra={"field": field, "conflicts_with": later, "value": value.isoformat()},
                )
            break


def advance_targets(stamps: Stamps) -> tuple[Phase, ...]:
    """The phases one may advance through: the current one (end it) and every later one (jump ahead,
    skipping those in between); none once confirmed. `plan_advance` refuses any other."""
    phase = current_phase(stamps)
    return ORDER[ORDER.index(phase) :] if phase else ()


def reopen_targets(stamps: Stamps) -> tuple[Phase, ...]:
    """The phases a closed incident may be reopened into: the phase it was in (a closed false alarm
    goes back where it stood), or any phase it has finished. `plan_reopen` refuses any other."""
    phase = current_phase(stamps)
    return tuple(p for p in ORDER if p == phase or stamps.get(ENDS_AT[p]) is not None)


def reopen_default(stamps: Stamps) -> Phase:
    """Where a reopen goes when no phase is named: the phase it was in, or confirm once resolved."""
    return current_phase(stamps) or Phase.CONFIRM


def plan_reopen(stamps: Stamps, *, to_phase: Phase) -> dict[str, None]:
    """The stamps to clear so that the incident is back in `to_phase`.

    Only stamps that are set are cleared; reopening into a phase the incident has not reached yet is
    illegal (advance instead).
    """
    field = ENDS_AT[to_phase]
    if stamps.get(field) is None:
        raise IllegalTransition(
            f"The incident has not finished {to_phase.label} yet; it cannot be reopened into it.",
            extra={"to_phase": to_phase.value},
        )
    return {ENDS_AT[p]: None for p in phases_between(to_phase, Phase.CONFIRM) if stamps.get(ENDS_AT[p])}


def check_declared_times(*, started_at: datetime | None, detected_at: datetime | None, now: datetime) -> None:
    """Times given when an incident is declared (either may be left out): not in the future, and
    impact no later than detection."""
    for field, value in (("started_at", started_at), ("detected_at", detected_at)):
        if value is not None and value > now:
            raise InvalidStamp(
                f"The {_label(field)} time cannot be in the future.",
                extra={"field": field, "value": value.isoformat()},
            )
    if detected_at is not None and started_at is not None and started_at > detected_at:
        raise InvalidStamp(
            "Impact cannot start after it was detected.",
            extra={"field": "started_at", "conflicts_with": "detected_at", "value": started_at.isoformat()},
        )
