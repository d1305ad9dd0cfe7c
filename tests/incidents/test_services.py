"""Declaring and advancing incidents on the real database: stamps, guards, the timeline, the row lock,
and the invariants the database itself refuses to break."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import errors
from incidents import phases, services
from incidents.models import EventKind, Incident, IncidentEvent, Severity, Source, Status
from incidents.phases import Phase
from tests import factories
from tests.incidents.helpers import advance_to, events, frozen

pytestmark = pytest.mark.django_db


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
