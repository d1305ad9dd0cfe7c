"""Every write to incidents, on the real database: stamps, guards, the timeline, and the row lock."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import errors
from incidents import phases, selectors, services
from incidents.models import EventKind, Incident, IncidentEvent, Severity, Source, Status
from incidents.phases import Phase
from tests import factories

pytestmark = pytest.mark.django_db

STEP = timedelta(minutes=10)


def events(incident: Incident, kind: str | None = None) -> list[IncidentEvent]:
    queryset = IncidentEvent.objects.filter(incident=incident).order_by("id")
    return list(queryset.filter(kind=kind) if kind else queryset)


def advance_to(incident: Incident, phase: Phase | None, *, actor=None) -> Incident:
    """Advance one phase at a time, STEP apart from detection, until `phase` is current (None: resolved)."""
    at = incident.detected_at or incident.started_at
    while (current := phases.current_phase(incident.stamps)) != phase:
        at += STEP
        incident = services.incident_advance(
            incident_id=incident.pk, actor=actor, expected_phase=current, at=at
        )
    return incident


def frozen(incident: Incident) -> dict:
    """What a refused write must leave untouched."""
    incident.refresh_from_db()
    return {
        "stamps": incident.stamps,
        "status": incident.status,
        "version": incident.version,
        "events": IncidentEvent.objects.filter(incident=incident).count(),
    }


@pytest.fixture
def incident(user, team, service):
    """Declared from the web two hours ago, now in evaluate."""
    return factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")


@pytest.fixture
def resolved(incident, user):
    """Each phase ended STEP after the previous one."""
    return advance_to(incident, None, actor=user)


# --- incident_declare ----------------------------------------------------------------------------


def test_declare_from_web_starts_in_evaluate_with_detected_at_now(user, team):
    before = timezone.now()

    incident = services.incident_declare(actor=user, title="Checkout errors", team=team)

    incident.refresh_from_db()
    assert before <= incident.detected_at <= timezone.now()
    assert incident.started_at == incident.detected_at
    assert phases.current_phase(incident.stamps) == Phase.EVALUATE
    assert (incident.status, incident.source, incident.version) == (Status.ACTIVE, Source.WEB, 1)


def test_declare_from_alert_starts_in_detect_without_detected_at(team):
    started = timezone.now() - timedelta(minutes=5)

    incident = services.incident_declare(
        actor=None,
        title="Error rate high",
        team=team,
        source=Source.ALERT,
        started_at=started,
        detected_at=started + timedelta(minutes=1),  # ignored: nobody knows yet
    )

    incident.refresh_from_db()
    assert incident.detected_at is None
    assert incident.started_at == started
    assert phases.current_phase(incident.stamps) == Phase.DETECT


def test_declare_without_started_at_defaults_it_to_detected_at(user, team):
    detected = timezone.now() - timedelta(hours=1)

    incident = services.incident_declare(actor=user, title="Slow search", team=team, detected_at=detected)

    incident.refresh_from_db()
    assert incident.started_at == incident.detected_at == detected


def test_declare_with_backfilled_times_keeps_them(user, team, service):
    detected = timezone.now() - timedelta(hours=1)
    started = detected - timedelta(minutes=20)

    incident = services.incident_declare(
        actor=user,
        title="Slow search",
        team=team,
        services=[service],
        started_at=started,
        detected_at=detected,
        blast_radius=[" eu-west-1 ", "eu-west-1", "", "us-east-1"],
    )

    incident.refresh_from_db()
    assert (incident.started_at, incident.detected_at) == (started, detected)
    assert list(incident.services.all()) == [service]
    assert incident.blast_radius == ["eu-west-1", "us-east-1"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"started_at": -timedelta(hours=1), "detected_at": timedelta(minutes=5)}, "detected_at"),
        ({"started_at": timedelta(minutes=5)}, "started_at"),
        ({"started_at": timedelta(minutes=5), "source": Source.ALERT}, "started_at"),
    ],
)
def test_declare_with_future_time_raises_invalid_stamp_and_saves_nothing(user, team, fields, field):
    now = timezone.now()
    given = {name: now + value if isinstance(value, timedelta) else value for name, value in fields.items()}

    with pytest.raises(phases.InvalidStamp) as caught:
        services.incident_declare(actor=user, title="Time traveller", team=team, **given)

    assert caught.value.extra["field"] == field
    assert not Incident.objects.exists()
    assert not IncidentEvent.objects.exists()


def test_declare_with_only_detected_at_in_future_names_detected_at(user, team):
    with pytest.raises(phases.InvalidStamp) as caught:
        services.incident_declare(
            actor=user, title="Time traveller", team=team, detected_at=timezone.now() + timedelta(minutes=5)
        )

    assert caught.value.extra["field"] == "detected_at"


def test_declare_with_start_after_detection_raises_invalid_stamp_and_saves_nothing(user, team):
    detected = timezone.now() - timedelta(hours=1)

    with pytest.raises(errors.ValidationFailed) as caught:
        services.incident_declare(
            actor=user,
            title="Backwards",
            team=team,
            detected_at=detected,
            started_at=detected + timedelta(seconds=1),
        )

    assert caught.value.extra["conflicts_with"] == "detected_at"
    assert not Incident.objects.exists()


@pytest.mark.parametrize("title", ["", "   "])
def test_declare_with_blank_title_raises_validation_failed_and_saves_nothing(user, team, title):
    with pytest.raises(errors.ValidationFailed) as caught:
        services.incident_declare(actor=user, title=title, team=team)

    assert "title" in caught.value.extra["fields"]
    assert not Incident.objects.exists()
    assert not IncidentEvent.objects.exists()


def test_declare_appends_a_declared_event(user, team, service):
    incident = services.incident_declare(
        actor=user, title="Checkout errors", team=team, services=[service], severity=Severity.SEV1
    )

    [event] = events(incident)
    assert event.kind == EventKind.DECLARED
    assert event.actor == user
    assert event.phase == Phase.EVALUATE
    assert event.occurred_at == incident.detected_at
    assert event.data == {
        "severity": "SEV1",
        "source": "web",
        "started_at": incident.started_at.isoformat(),
        "services": ["Checkout API"],
    }


def test_declare_from_alert_event_occurs_at_impact_start(team):
    started = timezone.now() - timedelta(minutes=3)

    incident = services.incident_declare(
        actor=None, title="Disk full", team=team, source=Source.ALERT, started_at=started
    )

    [event] = events(incident)
    assert (event.phase, event.occurred_at, event.actor) == (Phase.DETECT, started, None)


# --- incident_advance ----------------------------------------------------------------------------


def test_advance_stamps_end_of_current_phase_now_and_bumps_version(incident, user):
    before = timezone.now()

    services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE)

    incident.refresh_from_db()
    assert before <= incident.evaluated_at <= timezone.now()
    assert incident.responded_at is None
    assert phases.current_phase(incident.stamps) == Phase.RESPOND
    assert incident.version == 2
    assert incident.status == Status.ACTIVE


def test_advance_appends_one_phase_advanced_event(incident, user):
    services.incident_advance(incident_id=incident.pk, actor=user, expected_phase="evaluate")

    incident.refresh_from_db()
    [event] = events(incident, EventKind.PHASE_ADVANCED)
    assert (event.phase, event.actor, event.occurred_at) == (Phase.EVALUATE, user, incident.evaluated_at)
    assert event.data == {
        "field": "evaluated_at",
        "at": incident.evaluated_at.isoformat(),
        "backfilled": False,
    }
    assert not events(incident, EventKind.PHASE_SKIPPED)


def test_advance_with_backfilled_at_stamps_that_time(incident, user):
    at = incident.detected_at + timedelta(minutes=30)

    services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE, at=at)

    incident.refresh_from_db()
    assert incident.evaluated_at == at
    [event] = events(incident, EventKind.PHASE_ADVANCED)
    assert event.occurred_at == at
    assert event.data == {"field": "evaluated_at", "at": at.isoformat(), "backfilled": True}


def test_advance_through_later_phase_stamps_skipped_phases_and_records_them(incident, user):
    at = incident.detected_at + timedelta(minutes=30)

    services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE, through=Phase.RECOVER, at=at
    )

    incident.refresh_from_db()
    assert (incident.evaluated_at, incident.responded_at, incident.recovered_at) == (at, at, at)
    assert incident.confirmed_at is None
    assert phases.current_phase(incident.stamps) == Phase.CONFIRM
    assert incident.version == 2
    [advanced] = events(incident, EventKind.PHASE_ADVANCED)
    assert advanced.phase == Phase.EVALUATE
    skipped = events(incident, EventKind.PHASE_SKIPPED)
    assert [(e.phase, e.occurred_at, e.data["field"]) for e in skipped] == [
        (Phase.RESPOND, at, "responded_at"),
        (Phase.RECOVER, at, "recovered_at"),
    ]


def test_advance_confirming_resolves_the_incident(incident, user):
    incident = advance_to(incident, Phase.CONFIRM, actor=user)

    services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.CONFIRM)

    incident.refresh_from_db()
    assert incident.confirmed_at is not None
    assert incident.status == Status.RESOLVED
    assert phases.current_phase(incident.stamps) is None


def test_advance_through_confirm_resolves_the_incident(incident, user):
    services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase="evaluate", through="confirm"
    )

    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert incident.confirmed_at == incident.evaluated_at
    assert [e.phase for e in events(incident, EventKind.PHASE_SKIPPED)] == [
        Phase.RESPOND,
        Phase.RECOVER,
        Phase.CONFIRM,
    ]


@pytest.mark.parametrize("expected_phase", [Phase.DETECT, Phase.RESPOND, Phase.CONFIRM])
def test_advance_with_stale_expected_phase_raises_stale_phase_and_changes_nothing(
    incident, user, expected_phase
):
    before = frozen(incident)

    with pytest.raises(services.StalePhase) as caught:
        services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=expected_phase)

    assert caught.value.status == 409
    assert caught.value.extra == {"current_phase": "evaluate", "expected_phase": expected_phase.value}
    assert frozen(incident) == before


def test_advance_resolved_incident_raises_illegal_transition(resolved, user):
    before = frozen(resolved)

    with pytest.raises(phases.IllegalTransition):
        services.incident_advance(incident_id=resolved.pk, actor=user, expected_phase=Phase.CONFIRM)

    assert frozen(resolved) == before


def test_advance_false_alarm_raises_illegal_transition_and_changes_nothing(incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="A test page")
    before = frozen(incident)

    with pytest.raises(phases.IllegalTransition) as caught:
        services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE)

    assert caught.value.extra == {"status": Status.FALSE_ALARM}
    assert frozen(incident) == before


def test_advance_with_at_before_last_stamp_raises_invalid_stamp_and_changes_nothing(incident, user):
    before = frozen(incident)

    with pytest.raises(phases.InvalidStamp) as caught:
        services.incident_advance(
            incident_id=incident.pk,
            actor=user,
            expected_phase=Phase.EVALUATE,
            at=incident.detected_at - timedelta(seconds=1),
        )

    assert caught.value.extra["conflicts_with"] == "detected_at"
    assert frozen(incident) == before


def test_advance_with_at_in_future_raises_invalid_stamp_and_changes_nothing(incident, user):
    before = frozen(incident)

    with pytest.raises(phases.InvalidStamp) as caught:
        services.incident_advance(
            incident_id=incident.pk,
            actor=user,
            expected_phase=Phase.EVALUATE,
            at=timezone.now() + timedelta(minutes=1),
        )

    assert caught.value.extra["field"] == "evaluated_at"
    assert frozen(incident) == before


def test_advance_unknown_incident_raises_not_found(user):
    with pytest.raises(errors.NotFound):
        services.incident_advance(incident_id=987654, actor=user, expected_phase=Phase.EVALUATE)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_advance_two_concurrent_clicks_make_one_transition(user, team):
    incident = factories.incident(actor=user, team=team)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def click() -> None:
        try:
            barrier.wait(timeout=5)
            services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE)
            outcomes.append("advanced")
        except services.StalePhase:
            outcomes.append("stale")
        except Exception as exc:  # anything else fails the assertion below, with the exception shown
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(outcomes, key=str) == ["advanced", "stale"]
    incident.refresh_from_db()
    assert incident.version == 2
    assert phases.current_phase(incident.stamps) == Phase.RESPOND
    assert len(events(incident, EventKind.PHASE_ADVANCED)) == 1


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


# --- selectors.incident_figures ------------------------------------------------------------------


def figures(incident: Incident) -> selectors.IncidentFigures:
    return selectors.incident_figures(selectors.incident_get(incident_id=incident.pk))


def test_figures_loaded_incident_needs_no_query(incident, django_assert_num_queries):
    loaded = selectors.incident_get(incident_id=incident.pk)

    with django_assert_num_queries(0):
        selectors.incident_figures(loaded)


def test_figures_active_unrecovered_incident_counts_cost_up_to_now(incident):
    result = figures(incident)

    assert result.current_phase == Phase.EVALUATE
    assert result.recovering
    assert result.downtime >= timedelta(hours=2)
    assert result.estimated_cost >= Decimal("120000.00")  # 60,000/h for at least two hours


def test_figures_resolved_incident_costs_downtime_to_recovery(resolved):
    result = figures(resolved)

    assert result.current_phase is None
    assert not result.recovering
    assert result.downtime == 3 * STEP  # started = detected -> evaluated -> responded -> recovered
    assert result.estimated_cost == Decimal("30000.00")  # 60,000/h for 30 minutes
    assert result.durations.total == 4 * STEP


def test_figures_false_alarm_costs_nothing(incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Test page")

    result = figures(incident)

    assert result.estimated_cost == Decimal("0.00")
    assert result.downtime == timedelta(0)
    assert not result.recovering


def test_figures_false_alarm_durations_stop_at_closing_time(incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Test page")
    closed_at = events(incident, EventKind.FALSE_ALARM)[0].occurred_at

    result = figures(incident)

    assert result.durations.total == pytest.approx(closed_at - incident.started_at, abs=timedelta(seconds=1))
    evaluate = result.durations.spans[1]
    assert evaluate.running
    assert evaluate.duration == pytest.approx(closed_at - incident.detected_at, abs=timedelta(seconds=1))


def test_figures_false_alarm_edited_after_closing_keeps_durations_at_closing_time(
    incident, user, monkeypatch
):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Test page")
    closed_at = events(incident, EventKind.FALSE_ALARM)[0].occurred_at
    next_day = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: next_day)
    services.incident_update(incident_id=incident.pk, actor=user, summary="A synthetic check paged us.")

    result = figures(incident)

    assert result.durations.total == pytest.approx(closed_at - incident.started_at, abs=timedelta(seconds=1))


# --- database constraints ------------------------------------------------------------------------


def _before(incident: Incident, field: str, by: timedelta = timedelta(minutes=1)) -> datetime:
    return getattr(incident, field) - by


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(lambda i: {"detected_at": _before(i, "started_at")}, id="detected-before-started"),
        pytest.param(lambda i: {"evaluated_at": _before(i, "detected_at")}, id="evaluated-before-detected"),
        pytest.param(lambda i: {"responded_at": i.detected_at}, id="responded-without-evaluated"),
        pytest.param(
            lambda i: {"detected_at": None, "evaluated_at": i.detected_at}, id="evaluated-without-detected"
        ),
        pytest.param(lambda i: {"status": Status.RESOLVED}, id="resolved-unconfirmed"),
        pytest.param(lambda i: dict.fromkeys(phases.STAMP_FIELDS[2:], i.detected_at), id="active-confirmed"),
        pytest.param(lambda i: {"severity": "SEV9"}, id="unknown-severity"),
        pytest.param(lambda i: {"status": "closed"}, id="unknown-status"),
    ],
)
def test_incident_row_violating_invariant_is_refused_by_database(incident, changes):
    before = frozen(incident)

    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(**changes(incident))

    assert frozen(incident) == before


def test_incident_event_with_unknown_kind_is_refused_by_database(incident):
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentEvent.objects.create(incident=incident, kind="deleted", occurred_at=timezone.now())

    assert not IncidentEvent.objects.filter(kind="deleted").exists()
