"""The lifecycle state machine, pure: plain dicts of stamps in, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from core import errors
from incidents import phases
from incidents.phases import ENDS_AT, Phase

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=10)
NOW = T0 + timedelta(days=1)

# How far an incident has got: the last stamp set, for each current phase (None = confirmed).
LAST_STAMP = {
    Phase.DETECT: "started_at",
    Phase.EVALUATE: "detected_at",
    Phase.RESPOND: "evaluated_at",
    Phase.RECOVER: "responded_at",
    Phase.CONFIRM: "recovered_at",
    None: "confirmed_at",
}


def stamps_upto(last: str) -> dict[str, datetime | None]:
    """Stamps set in order up to and including `last`, STEP apart from T0; the rest unset."""
    index = phases.STAMP_FIELDS.index(last)
    return {field: T0 + i * STEP if i <= index else None for i, field in enumerate(phases.STAMP_FIELDS)}


def stamps_in(phase: Phase | None) -> dict[str, datetime | None]:
    return stamps_upto(LAST_STAMP[phase])


# --- current_phase -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("started_at", Phase.DETECT),
        ("detected_at", Phase.EVALUATE),
        ("evaluated_at", Phase.RESPOND),
        ("responded_at", Phase.RECOVER),
        ("recovered_at", Phase.CONFIRM),
        ("confirmed_at", None),
    ],
)
def test_current_phase_stamped_in_order_is_first_unstamped_phase(last, expected):
    assert phases.current_phase(stamps_upto(last)) == expected


@pytest.mark.parametrize(
    ("stamped", "expected"),
    [
        ((), Phase.DETECT),
        (("evaluated_at",), Phase.DETECT),
        (("detected_at", "responded_at"), Phase.EVALUATE),
        (("detected_at", "evaluated_at", "recovered_at", "confirmed_at"), Phase.RESPOND),
        (("detected_at", "evaluated_at", "responded_at", "confirmed_at"), Phase.RECOVER),
        (("detected_at", "evaluated_at", "responded_at", "recovered_at"), Phase.CONFIRM),
    ],
)
def test_current_phase_with_gaps_is_first_unstamped_phase(stamped, expected):
    stamps = {"started_at": T0, **{field: T0 for field in stamped}}
    assert phases.current_phase(stamps) == expected


def test_current_phase_missing_key_counts_as_unstamped():
    assert phases.current_phase({"started_at": T0, "detected_at": T0}) == Phase.EVALUATE


# --- plan_advance: legal moves -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "through", "skipped"),
    [
        (Phase.DETECT, None, ()),
        (Phase.DETECT, Phase.DETECT, ()),
        (Phase.DETECT, Phase.EVALUATE, (Phase.EVALUATE,)),
        (Phase.DETECT, Phase.RESPOND, (Phase.EVALUATE, Phase.RESPOND)),
        (Phase.DETECT, Phase.RECOVER, (Phase.EVALUATE, Phase.RESPOND, Phase.RECOVER)),
        (Phase.DETECT, Phase.CONFIRM, (Phase.EVALUATE, Phase.RESPOND, Phase.RECOVER, Phase.CONFIRM)),
        (Phase.EVALUATE, None, ()),
        (Phase.EVALUATE, Phase.EVALUATE, ()),
        (Phase.EVALUATE, Phase.RESPOND, (Phase.RESPOND,)),
        (Phase.EVALUATE, Phase.RECOVER, (Phase.RESPOND, Phase.RECOVER)),
        (Phase.EVALUATE, Phase.CONFIRM, (Phase.RESPOND, Phase.RECOVER, Phase.CONFIRM)),
        (Phase.RESPOND, None, ()),
        (Phase.RESPOND, Phase.RESPOND, ()),
        (Phase.RESPOND, Phase.RECOVER, (Phase.RECOVER,)),
        (Phase.RESPOND, Phase.CONFIRM, (Phase.RECOVER, Phase.CONFIRM)),
        (Phase.RECOVER, None, ()),
        (Phase.RECOVER, Phase.RECOVER, ()),
        (Phase.RECOVER, Phase.CONFIRM, (Phase.CONFIRM,)),
        (Phase.CONFIRM, None, ()),
        (Phase.CONFIRM, Phase.CONFIRM, ()),
    ],
)
def test_plan_advance_legal_move_stamps_current_and_skipped_phases_with_one_time(phase, through, skipped):
    at = NOW - timedelta(hours=1)

    plan = phases.plan_advance(stamps_in(phase), at=at, now=NOW, through=through)

    assert plan.ended == phase
    assert plan.skipped == skipped
    assert plan.stamps == {ENDS_AT[p]: at for p in (phase, *skipped)}


def test_plan_advance_without_at_in_past_accepts_at_equal_to_now():
    plan = phases.plan_advance(stamps_in(Phase.EVALUATE), at=NOW, now=NOW)

    assert plan.stamps == {"evaluated_at": NOW}


@pytest.mark.parametrize("phase", list(Phase))
def test_plan_advance_at_equal_to_latest_stamp_is_allowed(phase):
    stamps = stamps_in(phase)
    latest = stamps[LAST_STAMP[phase]]

    plan = phases.plan_advance(stamps, at=latest, now=NOW)

    assert plan.stamps == {ENDS_AT[phase]: latest}


def test_plan_advance_does_not_modify_the_given_stamps():
    stamps = stamps_in(Phase.EVALUATE)
    before = dict(stamps)

    phases.plan_advance(stamps, at=NOW, now=NOW, through=Phase.CONFIRM)

    assert stamps == before


# --- plan_advance: refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "through"),
    [
        (Phase.EVALUATE, Phase.DETECT),
        (Phase.RESPOND, Phase.DETECT),
        (Phase.RESPOND, Phase.EVALUATE),
        (Phase.RECOVER, Phase.DETECT),
        (Phase.RECOVER, Phase.EVALUATE),
        (Phase.RECOVER, Phase.RESPOND),
        (Phase.CONFIRM, Phase.DETECT),
        (Phase.CONFIRM, Phase.EVALUATE),
        (Phase.CONFIRM, Phase.RESPOND),
        (Phase.CONFIRM, Phase.RECOVER),
    ],
)
def test_plan_advance_through_a_phase_behind_current_raises_illegal_transition(phase, through):
    with pytest.raises(phases.IllegalTransition) as caught:
        phases.plan_advance(stamps_in(phase), at=NOW, now=NOW, through=through)

    assert caught.value.extra == {"current_phase": phase.value, "through": through.value}
    assert caught.value.status == 409


@pytest.mark.parametrize("through", [None, *Phase])
def test_plan_advance_confirmed_incident_raises_illegal_transition(through):
    with pytest.raises(phases.IllegalTransition):
        phases.plan_advance(stamps_in(None), at=NOW, now=NOW, through=through)


@pytest.mark.parametrize("phase", list(Phase))
def test_plan_advance_at_in_future_raises_invalid_stamp_naming_field(phase):
    with pytest.raises(phases.InvalidStamp) as caught:
        phases.plan_advance(stamps_in(phase), at=NOW + timedelta(seconds=1), now=NOW)

    assert caught.value.extra["field"] == ENDS_AT[phase]
    assert "future" in caught.value.message


@pytest.mark.parametrize("phase", list(Phase))
def test_plan_advance_at_before_latest_stamp_raises_invalid_stamp_naming_conflict(phase):
    stamps = stamps_in(phase)
    latest_field = LAST_STAMP[phase]

    with pytest.raises(phases.InvalidStamp) as caught:
        phases.plan_advance(stamps, at=stamps[latest_field] - timedelta(microseconds=1), now=NOW)

    assert caught.value.extra["field"] == ENDS_AT[phase]
    assert caught.value.extra["conflicts_with"] == latest_field
    assert caught.value.status == 400


def test_plan_advance_at_before_latest_with_through_raises_invalid_stamp():
    stamps = stamps_in(Phase.RESPOND)

    with pytest.raises(phases.InvalidStamp) as caught:
        phases.plan_advance(stamps, at=T0, now=NOW, through=Phase.CONFIRM)

    assert caught.value.extra["conflicts_with"] == "evaluated_at"


def test_invalid_stamp_is_a_validation_failure_and_illegal_transition_a_conflict():
    assert issubclass(phases.InvalidStamp, errors.ValidationFailed)
    assert issubclass(phases.IllegalTransition, errors.Conflict)


# --- check_correction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("started_at", T0 - timedelta(days=3)),  # impact began earlier: no earlier neighbour
        ("detected_at", T0),  # equal to the previous stamp
        ("detected_at", T0 + 2 * STEP),  # equal to the next stamp
        ("evaluated_at", T0 + 2 * STEP + timedelta(minutes=3)),
        ("responded_at", NOW),  # the last stamp set may move up to now
    ],
)
def test_check_correction_within_neighbours_is_accepted(field, value):
    assert phases.check_correction(stamps_in(Phase.RECOVER), field=field, value=value, now=NOW) is None


@pytest.mark.parametrize("field", ["recovered_at", "confirmed_at"])
def test_check_correction_of_unset_stamp_raises_invalid_stamp(field):
    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_correction(stamps_in(Phase.RECOVER), field=field, value=T0, now=NOW)

    assert caught.value.extra == {"field": field}


def test_check_correction_into_future_raises_invalid_stamp():
    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_correction(
            stamps_in(Phase.RECOVER), field="responded_at", value=NOW + timedelta(seconds=1), now=NOW
        )

    assert caught.value.extra["field"] == "responded_at"
    assert "conflicts_with" not in caught.value.extra


@pytest.mark.parametrize(
    ("field", "previous"),
    [
        ("detected_at", "started_at"),
        ("evaluated_at", "detected_at"),
        ("responded_at", "evaluated_at"),
        ("recovered_at", "responded_at"),
        ("confirmed_at", "recovered_at"),
    ],
)
def test_check_correction_before_previous_neighbour_raises_invalid_stamp(field, previous):
    stamps = stamps_in(None)

    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_correction(stamps, field=field, value=stamps[previous] - timedelta(seconds=1), now=NOW)

    assert caught.value.extra["field"] == field
    assert caught.value.extra["conflicts_with"] == previous


@pytest.mark.parametrize(
    ("field", "following"),
    [
        ("started_at", "detected_at"),
        ("detected_at", "evaluated_at"),
        ("evaluated_at", "responded_at"),
        ("responded_at", "recovered_at"),
        ("recovered_at", "confirmed_at"),
    ],
)
def test_check_correction_after_next_neighbour_raises_invalid_stamp(field, following):
    stamps = stamps_in(None)

    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_correction(stamps, field=field, value=stamps[following] + timedelta(seconds=1), now=NOW)

    assert caught.value.extra["field"] == field
    assert caught.value.extra["conflicts_with"] == following


def test_check_correction_of_skipped_stamp_is_held_by_equal_neighbour():
    skipped_at = T0 + 2 * STEP
    jumped = dict.fromkeys(("evaluated_at", "responded_at", "recovered_at"), skipped_at)
    stamps = {**stamps_in(None), **jumped}

    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_correction(stamps, field="responded_at", value=skipped_at + STEP, now=NOW)

    assert caught.value.extra["conflicts_with"] == "recovered_at"


@pytest.mark.parametrize("field", ["title", "updated_at", "detect", ""])
def test_check_correction_of_unknown_field_raises_invalid_stamp(field):
    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_correction(stamps_in(None), field=field, value=T0, now=NOW)

    assert caught.value.extra == {"field": field}


# --- plan_reopen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("to_phase", "cleared"),
    [
        (Phase.DETECT, {"detected_at", "evaluated_at", "responded_at", "recovered_at", "confirmed_at"}),
        (Phase.EVALUATE, {"evaluated_at", "responded_at", "recovered_at", "confirmed_at"}),
        (Phase.RESPOND, {"responded_at", "recovered_at", "confirmed_at"}),
        (Phase.RECOVER, {"recovered_at", "confirmed_at"}),
        (Phase.CONFIRM, {"confirmed_at"}),
    ],
)
def test_plan_reopen_resolved_incident_clears_phase_end_and_every_later_stamp(to_phase, cleared):
    stamps = stamps_in(None)

    plan = phases.plan_reopen(stamps, to_phase=to_phase)

    assert plan == dict.fromkeys(cleared)
    assert phases.current_phase({**stamps, **plan}) == to_phase


@pytest.mark.parametrize(
    ("to_phase", "cleared"),
    [
        (Phase.DETECT, {"detected_at", "evaluated_at"}),
        (Phase.EVALUATE, {"evaluated_at"}),
    ],
)
def test_plan_reopen_unfinished_incident_clears_only_stamps_that_are_set(to_phase, cleared):
    plan = phases.plan_reopen(stamps_in(Phase.RESPOND), to_phase=to_phase)

    assert plan == dict.fromkeys(cleared)


@pytest.mark.parametrize("to_phase", [Phase.RESPOND, Phase.RECOVER, Phase.CONFIRM])
def test_plan_reopen_into_unreached_phase_raises_illegal_transition(to_phase):
    with pytest.raises(phases.IllegalTransition) as caught:
        phases.plan_reopen(stamps_in(Phase.RESPOND), to_phase=to_phase)

    assert caught.value.extra == {"to_phase": to_phase.value}


# --- check_declared_times ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started_at", "detected_at"),
    [
        (T0, T0),  # declared the moment impact began
        (T0, T0 + STEP),
        (T0, None),  # opened by an alert: nobody knows yet
        (NOW, NOW),  # exactly now is not the future
    ],
)
def test_check_declared_times_in_order_and_not_future_is_accepted(started_at, detected_at):
    assert phases.check_declared_times(started_at=started_at, detected_at=detected_at, now=NOW) is None


@pytest.mark.parametrize(
    ("started_at", "detected_at", "field"),
    [
        (NOW + timedelta(seconds=1), None, "started_at"),
        (NOW + timedelta(seconds=1), NOW + timedelta(seconds=2), "started_at"),
        (T0, NOW + timedelta(seconds=1), "detected_at"),
    ],
)
def test_check_declared_times_in_future_raises_invalid_stamp(started_at, detected_at, field):
    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_declared_times(started_at=started_at, detected_at=detected_at, now=NOW)

    assert caught.value.extra["field"] == field
    assert "future" in caught.value.message


def test_check_declared_times_start_after_detection_raises_invalid_stamp():
    with pytest.raises(phases.InvalidStamp) as caught:
        phases.check_declared_times(started_at=T0 + STEP, detected_at=T0, now=NOW)

    assert caught.value.extra["field"] == "started_at"
    assert caught.value.extra["conflicts_with"] == "detected_at"


# --- advance_targets, reopen_targets, reopen_default ----------------------------------------------


@pytest.mark.parametrize(
    ("phase", "targets"),
    [
        (Phase.DETECT, tuple(Phase)),
        (Phase.EVALUATE, (Phase.EVALUATE, Phase.RESPOND, Phase.RECOVER, Phase.CONFIRM)),
        (Phase.RESPOND, (Phase.RESPOND, Phase.RECOVER, Phase.CONFIRM)),
        (Phase.RECOVER, (Phase.RECOVER, Phase.CONFIRM)),
        (Phase.CONFIRM, (Phase.CONFIRM,)),
        (None, ()),
    ],
)
def test_advance_targets_are_the_current_phase_and_every_later_one(phase, targets):
    assert phases.advance_targets(stamps_in(phase)) == targets


@pytest.mark.parametrize("phase", [*Phase, None])
def test_advance_targets_are_exactly_what_plan_advance_accepts(phase):
    stamps = stamps_in(phase)
    at = stamps[LAST_STAMP[phase]]
    accepted = []
    for target in Phase:
        try:
            phases.plan_advance(stamps, at=at, now=NOW, through=target)
        except phases.IllegalTransition:
            continue
        accepted.append(target)
    assert tuple(accepted) == phases.advance_targets(stamps)


@pytest.mark.parametrize(
    ("phase", "targets"),
    [
        (Phase.DETECT, (Phase.DETECT,)),
        (Phase.EVALUATE, (Phase.DETECT, Phase.EVALUATE)),
        (Phase.RESPOND, (Phase.DETECT, Phase.EVALUATE, Phase.RESPOND)),
        (Phase.RECOVER, (Phase.DETECT, Phase.EVALUATE, Phase.RESPOND, Phase.RECOVER)),
        (Phase.CONFIRM, tuple(Phase)),
        (None, tuple(Phase)),
    ],
)
def test_reopen_targets_are_the_phase_it_was_in_and_every_finished_one(phase, targets):
    assert phases.reopen_targets(stamps_in(phase)) == targets


@pytest.mark.parametrize("phase", [*Phase, None])
def test_reopen_targets_other_than_the_current_phase_are_what_plan_reopen_accepts(phase):
    stamps = stamps_in(phase)
    accepted = []
    for target in Phase:
        try:
            phases.plan_reopen(stamps, to_phase=target)
        except phases.IllegalTransition:
            continue
        accepted.append(target)
    assert tuple(accepted) == tuple(p for p in phases.reopen_targets(stamps) if p != phase)


@pytest.mark.parametrize(("phase", "default"), [*((p, p) for p in Phase), (None, Phase.CONFIRM)])
def test_reopen_default_is_the_phase_it_was_in_or_confirm_once_resolved(phase, default):
    assert phases.reopen_default(stamps_in(phase)) == default
    assert default in phases.reopen_targets(stamps_in(phase))
