"""Every write after declaration, on the real database: correcting a stamp, reopening, marking a false
alarm, editing fields and adding notes; each with its guards and its event on the timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import errors
from incidents import phases, services
from incidents.models import EventKind, IncidentEvent, Severity, Status
from incidents.phases import Phase
from tests import factories
from tests.incidents.helpers import STEP, advance_to, events, frozen

pytestmark = pytest.mark.django_db


# --- incident_correct_stamp ----------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_correct_stamp_without_reason_raises_validation_failed(incident, user, reason):
    before = frozen(incident)

    with pytest.raises(errors.ValidationFailed) as caught:
        services.incident_correct_stamp(
            incident_id=incident.pk,
            actor=user,
            field="started_at",
            value=incident.started_at - timedelta(minutes=5),
            reason=reason,
        )

    assert "reason" in caught.value.extra["fields"]
    assert frozen(incident) == before


def test_correct_stamp_moves_it_and_records_old_and_new_values(incident, user):
    old = incident.started_at
    new = old - timedelta(minutes=45)

    services.incident_correct_stamp(
        incident_id=incident.pk,
        actor=user,
        field="started_at",
        value=new,
        reason=" Logs show earlier errors ",
    )

    incident.refresh_from_db()
    assert incident.started_at == new
    assert incident.version == 2
    [event] = events(incident, EventKind.STAMP_CORRECTED)
    assert event.body == "Logs show earlier errors"
    assert event.actor == user
    assert event.data == {"field": "started_at", "old": old.isoformat(), "new": new.isoformat()}


@pytest.mark.parametrize(
    ("field", "offset", "conflicts_with"),
    [
        ("detected_at", -STEP - timedelta(seconds=1), "started_at"),  # started = detected - STEP below
        ("detected_at", STEP + timedelta(seconds=1), "evaluated_at"),
        ("evaluated_at", STEP + timedelta(seconds=1), "responded_at"),
    ],
)
def test_correct_stamp_out_of_order_raises_invalid_stamp_and_keeps_stored_value(
    user, team, field, offset, conflicts_with
):
    detected = timezone.now() - timedelta(hours=2)
    incident = factories.incident(actor=user, team=team, started_at=detected - STEP, detected_at=detected)
    incident = advance_to(incident, Phase.RECOVER, actor=user)
    before = frozen(incident)

    with pytest.raises(phases.InvalidStamp) as caught:
        services.incident_correct_stamp(
            incident_id=incident.pk,
            actor=user,
            field=field,
            value=getattr(incident, field) + offset,
            reason="Typo",
        )

    assert caught.value.extra["conflicts_with"] == conflicts_with
    assert frozen(incident) == before


def test_correct_stamp_not_yet_set_raises_invalid_stamp(incident, user):
    with pytest.raises(phases.InvalidStamp) as caught:
        services.incident_correct_stamp(
            incident_id=incident.pk, actor=user, field="recovered_at", value=timezone.now(), reason="Early"
        )

    assert caught.value.extra == {"field": "recovered_at"}
    incident.refresh_from_db()
    assert incident.recovered_at is None


def test_correct_stamp_to_same_value_raises_validation_failed_and_adds_no_event(incident, user):
    before = frozen(incident)

    with pytest.raises(errors.ValidationFailed):
        services.incident_correct_stamp(
            incident_id=incident.pk,
            actor=user,
            field="detected_at",
            value=incident.detected_at,
            reason="Same",
        )

    assert frozen(incident) == before


# --- incident_reopen -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "  "])
def test_reopen_without_reason_raises_validation_failed(resolved, user, reason):
    before = frozen(resolved)

    with pytest.raises(errors.ValidationFailed):
        services.incident_reopen(incident_id=resolved.pk, actor=user, reason=reason)

    assert frozen(resolved) == before


def test_reopen_resolved_defaults_to_confirm_and_clears_only_confirmed_at(resolved, user):
    confirmed = resolved.confirmed_at
    recovered = resolved.recovered_at

    services.incident_reopen(incident_id=resolved.pk, actor=user, reason="Errors are back")

    resolved.refresh_from_db()
    assert resolved.status == Status.ACTIVE
    assert resolved.confirmed_at is None
    assert resolved.recovered_at == recovered
    assert phases.current_phase(resolved.stamps) == Phase.CONFIRM
    [event] = events(resolved, EventKind.REOPENED)
    assert (event.phase, event.body, event.actor) == (Phase.CONFIRM, "Errors are back", user)
    assert event.data == {
        "old_status": Status.RESOLVED,
        "to_phase": "confirm",
        "cleared": {"confirmed_at": confirmed.isoformat()},
    }


@pytest.mark.parametrize(
    ("to_phase", "cleared"),
    [
        (Phase.RESPOND, ("responded_at", "recovered_at", "confirmed_at")),
        (Phase.RECOVER, ("recovered_at", "confirmed_at")),
        (Phase.EVALUATE, ("evaluated_at", "responded_at", "recovered_at", "confirmed_at")),
    ],
)
def test_reopen_resolved_to_earlier_phase_clears_its_end_and_later_stamps(resolved, user, to_phase, cleared):
    stamps = resolved.stamps

    services.incident_reopen(
        incident_id=resolved.pk, actor=user, reason="Fix did not hold", to_phase=to_phase
    )

    resolved.refresh_from_db()
    assert phases.current_phase(resolved.stamps) == to_phase
    assert resolved.stamps == {**stamps, **dict.fromkeys(cleared)}
    assert resolved.status == Status.ACTIVE
    assert resolved.version == 6  # declared, four advances, the reopen
    [event] = events(resolved, EventKind.REOPENED)
    assert event.data["cleared"] == {field: stamps[field].isoformat() for field in cleared}


def test_reopen_active_incident_raises_illegal_transition(incident, user):
    before = frozen(incident)

    with pytest.raises(phases.IllegalTransition):
        services.incident_reopen(incident_id=incident.pk, actor=user, reason="Again")

    assert frozen(incident) == before


def test_reopen_false_alarm_returns_to_its_phase_without_clearing_stamps(incident, user):
    incident = advance_to(incident, Phase.RECOVER, actor=user)
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Synthetic check")
    stamps = incident.stamps

    services.incident_reopen(incident_id=incident.pk, actor=user, reason="It was real after all")

    incident.refresh_from_db()
    assert incident.status == Status.ACTIVE
    assert incident.stamps == stamps
    assert phases.current_phase(incident.stamps) == Phase.RECOVER
    [event] = events(incident, EventKind.REOPENED)
    assert event.data == {"old_status": Status.FALSE_ALARM, "to_phase": "recover", "cleared": {}}


def test_reopen_false_alarm_to_earlier_phase_clears_stamps(incident, user):
    incident = advance_to(incident, Phase.RECOVER, actor=user)
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Synthetic check")

    services.incident_reopen(
        incident_id=incident.pk, actor=user, reason="Re-evaluate", to_phase=Phase.EVALUATE
    )

    incident.refresh_from_db()
    assert (incident.evaluated_at, incident.responded_at) == (None, None)
    assert incident.detected_at is not None
    assert phases.current_phase(incident.stamps) == Phase.EVALUATE


def test_reopen_false_alarm_into_unreached_phase_raises_illegal_transition(incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Synthetic check")
    before = frozen(incident)

    with pytest.raises(phases.IllegalTransition):
        services.incident_reopen(incident_id=incident.pk, actor=user, reason="Real", to_phase=Phase.RECOVER)

    assert frozen(incident) == before
    assert before["status"] == Status.FALSE_ALARM


# --- incident_mark_false_alarm -------------------------------------------------------------------


def test_mark_false_alarm_closes_active_incident_keeping_its_stamps(incident, user):
    stamps = incident.stamps

    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason=" Test page ")

    incident.refresh_from_db()
    assert incident.status == Status.FALSE_ALARM
    assert incident.stamps == stamps
    assert incident.version == 2
    [event] = events(incident, EventKind.FALSE_ALARM)
    assert (event.body, event.actor, event.data) == ("Test page", user, {"old_status": "active"})


def test_mark_false_alarm_without_reason_raises_validation_failed(incident, user):
    with pytest.raises(errors.ValidationFailed):
        services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason=" ")

    incident.refresh_from_db()
    assert incident.status == Status.ACTIVE


def test_mark_false_alarm_resolved_incident_raises_illegal_transition(resolved, user):
    before = frozen(resolved)

    with pytest.raises(phases.IllegalTransition):
        services.incident_mark_false_alarm(incident_id=resolved.pk, actor=user, reason="Never mind")

    assert frozen(resolved) == before


# --- incident_update -----------------------------------------------------------------------------


def test_update_appends_one_field_changed_event_per_changed_field(incident, user):
    services.incident_update(
        incident_id=incident.pk, actor=user, title=" Checkout down ", severity=Severity.SEV1, summary=""
    )

    incident.refresh_from_db()
    assert (incident.title, incident.severity, incident.version) == ("Checkout down", "SEV1", 2)
    changed = {
        e.data["field"]: (e.data["old"], e.data["new"]) for e in events(incident, EventKind.FIELD_CHANGED)
    }
    assert changed == {"title": ("Checkout errors", "Checkout down"), "severity": ("SEV3", "SEV1")}


def test_update_team_and_services_records_names(incident, user, service):
    other_team = factories.team("Search")
    other = factories.service("Search API", team=other_team)

    services.incident_update(incident_id=incident.pk, actor=user, team=other_team, services=[other, service])

    incident.refresh_from_db()
    assert incident.team == other_team
    assert set(incident.services.all()) == {other, service}
    changed = {
        e.data["field"]: (e.data["old"], e.data["new"]) for e in events(incident, EventKind.FIELD_CHANGED)
    }
    assert changed == {
        "team": ("Payments", "Search"),
        "services": (["Checkout API"], ["Checkout API", "Search API"]),
    }


def test_update_commander_and_blast_radius_records_display_values(incident, user):
    services.incident_update(
        incident_id=incident.pk, actor=user, commander=user, blast_radius=["eu-west-1", " eu-west-1 "]
    )

    changed = {
        e.data["field"]: (e.data["old"], e.data["new"]) for e in events(incident, EventKind.FIELD_CHANGED)
    }
    assert changed == {"commander": (None, "alice"), "blast_radius": ([], ["eu-west-1"])}


def test_update_with_stale_expected_version_raises_stale_version_and_changes_nothing(incident, user):
    services.incident_update(incident_id=incident.pk, actor=user, summary="First edit")
    before = frozen(incident)

    with pytest.raises(services.StaleVersion) as caught:
        services.incident_update(incident_id=incident.pk, actor=user, expected_version=1, title="Second edit")

    assert caught.value.extra == {"current_version": 2, "expected_version": 1}
    assert frozen(incident) == before
    assert incident.title == "Checkout errors"


def test_update_with_current_expected_version_applies(incident, user):
    services.incident_update(
        incident_id=incident.pk, actor=user, expected_version=1, summary="Card payments fail"
    )

    incident.refresh_from_db()
    assert (incident.summary, incident.version) == ("Card payments fail", 2)


@pytest.mark.parametrize("field", ["status", "confirmed_at", "version", "source", "bogus"])
def test_update_of_non_editable_field_raises_validation_failed(incident, user, field):
    before = frozen(incident)

    with pytest.raises(errors.ValidationFailed) as caught:
        services.incident_update(incident_id=incident.pk, actor=user, **{field: None})

    assert caught.value.extra == {"fields": [field]}
    assert frozen(incident) == before


def test_update_with_invalid_value_raises_validation_failed_and_changes_nothing(incident, user):
    before = frozen(incident)

    with pytest.raises(errors.ValidationFailed):
        services.incident_update(incident_id=incident.pk, actor=user, title="   ", summary="Changed")

    assert frozen(incident) == before
    assert incident.summary == ""


def test_update_with_nothing_changed_adds_no_event_and_keeps_version(incident, user, service, team):
    before = frozen(incident)

    services.incident_update(
        incident_id=incident.pk,
        actor=user,
        title="Checkout errors",
        team=team,
        services=[service],
        summary="",
    )

    assert frozen(incident) == before


# --- incident_note_add ---------------------------------------------------------------------------


def test_note_add_appends_a_note_without_changing_the_incident(incident, user):
    before = frozen(incident)

    note = services.incident_note_add(incident_id=incident.pk, actor=user, body="  Rolled back 4.2.1  ")

    assert (note.kind, note.body, note.actor, note.incident_id) == (
        EventKind.NOTE,
        "Rolled back 4.2.1",
        user,
        incident.pk,
    )
    after = frozen(incident)
    assert after["version"] == before["version"]
    assert after["events"] == before["events"] + 1


@pytest.mark.parametrize("body", ["", "  \n ", None])
def test_note_add_blank_raises_validation_failed(incident, user, body):
    with pytest.raises(errors.ValidationFailed) as caught:
        services.incident_note_add(incident_id=incident.pk, actor=user, body=body)

    assert "body" in caught.value.extra["fields"]
    assert not events(incident, EventKind.NOTE)


def test_note_add_too_long_raises_validation_failed(incident, user):
    with pytest.raises(errors.ValidationFailed):
        services.incident_note_add(incident_id=incident.pk, actor=user, body="x" * 10_001)

    assert not events(incident, EventKind.NOTE)


def test_note_add_unknown_incident_raises_not_found(user):
    with pytest.raises(errors.NotFound) as caught:
        services.incident_note_add(incident_id=987654, actor=user, body="Hello?")

    assert caught.value.extra == {"incident_id": 987654}
    assert not IncidentEvent.objects.exists()
