"""The incident lifecycle through the REST API: advance, correct, reopen, false alarm, the timeline and
notes; teams and services; and that the API and the web pages, calling the same services, agree."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents import phases, services
from incidents.models import EventKind, Incident, Status
from incidents.phases import Phase
from tests import factories
from tests.incidents.helpers import STEP, advance_to, events, frozen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]


@pytest.fixture
def incident(user, team, service):
    """Impact began three hours ago, detected two hours ago: now in evaluate."""
    now = timezone.now()
    return factories.incident(
        actor=user,
        team=team,
        services_=[service],
        title="Checkout errors",
        started_at=now - timedelta(hours=3),
        detected_at=now - timedelta(hours=2),
    )


@pytest.fixture
def resolved(incident, user):
    return advance_to(incident, None, actor=user)


def url(incident: Incident, action: str = "") -> str:
    return f"/api/v1/incidents/{incident.pk}/{action + '/' if action else ''}"


def current(incident: Incident) -> Phase | None:
    incident.refresh_from_db()
    return phases.current_phase(incident.stamps)


# --- Advance -----------------------------------------------------------------------------------------


def test_advance_without_a_body_ends_the_current_phase_now(api, incident, user):
    before = timezone.now()

    response = api.post(url(incident, "advance"), format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["phase"] == "respond"
    assert body["version"] == 2
    incident.refresh_from_db()
    assert before <= incident.evaluated_at <= timezone.now()
    (advanced,) = events(incident, EventKind.PHASE_ADVANCED)
    assert advanced.actor == user and advanced.phase == Phase.EVALUATE


def test_advance_with_expected_phase_and_a_backfilled_time(api, incident):
    at = incident.detected_at + timedelta(minutes=30)

    response = api.post(
        url(incident, "advance"), {"expected_phase": "evaluate", "at": at.isoformat()}, format="json"
    )

    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.evaluated_at == at
    assert response.json()["durations"]["evaluate"] == 1800
    assert events(incident, EventKind.PHASE_ADVANCED)[0].data["backfilled"] is True


def test_advance_through_skips_phases(api, incident):
    response = api.post(url(incident, "advance"), {"through": "recover"}, format="json")

    assert response.status_code == 200
    assert response.json()["phase"] == "confirm"
    assert [e.phase for e in events(incident, EventKind.PHASE_SKIPPED)] == [Phase.RESPOND, Phase.RECOVER]


def test_advance_the_last_phase_resolves(api, incident):
    incident = advance_to(incident, Phase.CONFIRM)

    response = api.post(url(incident, "advance"), {"expected_phase": "confirm"}, format="json")

    body = response.json()
    assert body["status"] == "resolved"
    assert body["phase"] is None
    assert body["stamps"]["closed_at"] == body["stamps"]["confirmed_at"]


def test_advance_with_a_stale_expected_phase_returns_409_and_changes_nothing(api, incident):
    services.incident_advance(
        incident_id=incident.pk, actor=None, expected_phase=Phase.EVALUATE
    )  # someone else
    before = frozen(incident)

    response = api.post(url(incident, "advance"), {"expected_phase": "evaluate"}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_phase"
    assert body["extra"] == {"current_phase": "respond", "expected_phase": "evaluate"}
    assert frozen(incident) == before


def test_two_clients_advancing_at_once_make_one_transition(api, incident):
    first = api.post(url(incident, "advance"), {"expected_phase": "evaluate"}, format="json")
    second = api.post(url(incident, "advance"), {"expected_phase": "evaluate"}, format="json")

    assert (first.status_code, second.status_code) == (200, 409)
    assert current(incident) == Phase.RESPOND


def test_advance_a_resolved_incident_returns_409_illegal_transition(api, resolved):
    before = frozen(resolved)

    response = api.post(url(resolved, "advance"), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "illegal_transition"
    assert body["message"] == "The incident is resolved; reopen it to change its phases."
    assert frozen(resolved) == before


def test_advance_through_a_phase_already_behind_returns_409(api, incident):
    incident = advance_to(incident, Phase.RECOVER)

    response = api.post(url(incident, "advance"), {"through": "respond"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_advance_before_the_previous_stamp_returns_400_naming_the_stamp(api, incident):
    response = api.post(
        url(incident, "advance"),
        {"at": (incident.detected_at - timedelta(minutes=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_stamp"
    assert body["extra"]["conflicts_with"] == "detected_at"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"expected_phase": "party"}, "expected_phase"), ({"through": "x"}, "through"), ({"at": "soon"}, "at")],
)
def test_advance_invalid_input_returns_400(api, incident, payload, field):
    response = api.post(url(incident, "advance"), payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["extra"]["fields"]) == [field]


def test_advance_unknown_incident_returns_404(api):
    response = api.post("/api/v1/incidents/999999/advance/", format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Correct, reopen, false alarm --------------------------------------------------------------------


def test_correct_moves_a_stamp_and_records_the_reason(api, incident):
    earlier = incident.started_at - timedelta(hours=1)

    response = api.post(
        url(incident, "correct"),
        {"field": "started_at", "value": earlier.isoformat(), "reason": "Logs show errors from 09:00."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["durations"]["detect"] == 2 * 3600
    (corrected,) = events(incident, EventKind.STAMP_CORRECTED)
    assert corrected.body == "Logs show errors from 09:00."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "2025-01-01T00:00:00Z", "reason": "r"}, "field"),
        ({"field": "closed_at", "value": "2025-01-01T00:00:00Z", "reason": "r"}, "field"),
        ({"field": "started_at", "reason": "r"}, "value"),
        ({"field": "started_at", "value": "2025-01-01T00:00:00Z"}, "reason"),
        ({"field": "started_at", "value": "2025-01-01T00:00:00Z", "reason": ""}, "reason"),
    ],
)
def test_correct_invalid_input_returns_400(api, incident, payload, field):
    response = api.post(url(incident, "correct"), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_correct_a_stamp_not_set_yet_returns_400_from_the_service(api, incident):
    response = api.post(
        url(incident, "correct"),
        {"field": "recovered_at", "value": timezone.now().isoformat(), "reason": "typo"},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_stamp"
    assert body["message"].startswith("The recovered time is not set yet")


def test_reopen_brings_a_resolved_incident_back(api, resolved):
    response = api.post(
        url(resolved, "reopen"), {"reason": "Errors are back.", "to_phase": "recover"}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["phase"]) == ("active", "recover")
    assert body["stamps"]["recovered_at"] is None and body["stamps"]["closed_at"] is None
    assert events(resolved, EventKind.REOPENED)[0].body == "Errors are back."


def test_reopen_an_active_incident_returns_409(api, incident):
    response = api.post(url(incident, "reopen"), {"reason": "why not"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "message": "The incident is already active.",
        "code": "illegal_transition",
        "extra": {"status": "active"},
    }


def test_reopen_without_a_reason_returns_400(api, resolved):
    response = api.post(url(resolved, "reopen"), {}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "reason: This field is required."


def test_false_alarm_closes_the_incident_and_zeroes_its_cost(api, incident):
    response = api.post(url(incident, "false-alarm"), {"reason": "A test alert."}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == Status.FALSE_ALARM
    assert body["estimated_cost"] == "0.00"
    assert body["durations"]["downtime"] == 0
    assert body["stamps"]["closed_at"] is not None


def test_false_alarm_twice_returns_409(api, incident):
    api.post(url(incident, "false-alarm"), {"reason": "A test alert."}, format="json")

    response = api.post(url(incident, "false-alarm"), {"reason": "Again."}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_false_alarm_unknown_incident_returns_404(api):
    assert (
        api.post("/api/v1/incidents/999999/false-alarm/", {"reason": "x"}, format="json").status_code == 404
    )


# --- Timeline and notes ------------------------------------------------------------------------------


def test_timeline_lists_events_oldest_first(api, incident, user):
    services.incident_note_add(incident_id=incident.pk, actor=user, body="Looking at the logs.")

    response = api.get(url(incident, "timeline"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    declared, note = body["results"]
    assert declared["kind"] == "declared"
    assert declared["phase"] == "evaluate"
    assert note == {
        "id": note["id"],
        "kind": "note",
        "phase": None,
        "actor": "alice",
        "occurred_at": note["occurred_at"],
        "recorded_at": note["recorded_at"],
        "body": "Looking at the logs.",
        "data": {},
    }


def test_timeline_query_count_is_constant(api, incident, user, django_assert_num_queries):
    api.get(url(incident, "timeline"))
    for index in range(20):
        services.incident_note_add(incident_id=incident.pk, actor=factories.user(), body=f"Note {index}")

    # session, user, incident exists, count, page (with actors)
    with django_assert_num_queries(5):
        assert api.get(url(incident, "timeline"), {"page_size": 100}).status_code == 200


def test_timeline_of_an_unknown_incident_returns_404(api):
    assert api.get("/api/v1/incidents/999999/timeline/").status_code == 404


def test_add_note_returns_the_event(api, incident, user):
    response = api.post(url(incident, "timeline"), {"body": "  Rolled back to v1.42. "}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "note" and body["body"] == "Rolled back to v1.42." and body["actor"] == "alice"
    assert events(incident, EventKind.NOTE)[0].actor == user


def test_add_backdated_note(api, incident):
    at = incident.detected_at + timedelta(minutes=5)

    response = api.post(
        url(incident, "timeline"), {"body": "From the chat log", "at": at.isoformat()}, format="json"
    )

    assert response.status_code == 201
    assert events(incident, EventKind.NOTE)[0].occurred_at == at


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        ({}, "invalid", "body: This field is required."),
        ({"body": ""}, "invalid", "body: This field may not be blank."),
        ({"body": "x" * 10_001}, "invalid", "body: Ensure this field has no more than 10000 characters."),
        ({"body": "   "}, "invalid", "body: This field may not be blank."),
        (
            {"body": "n", "at": "2000-01-01T00:00:00Z"},
            "invalid",
            "A note's time must lie between the start of impact and now.",
        ),
        ({"body": "n", "colour": "red"}, "invalid", "colour: Unknown field; accepted: body, at."),
    ],
)
def test_add_note_invalid_returns_400(api, incident, payload, code, message):
    response = api.post(url(incident, "timeline"), payload, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["message"]) == (code, message)
    assert not events(incident, EventKind.NOTE)


def test_add_note_to_an_unknown_incident_returns_404(api):
    response = api.post("/api/v1/incidents/999999/timeline/", {"body": "hi"}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"incident_id": 999999}


# --- Teams and services ------------------------------------------------------------------------------


def test_team_list_and_detail(api, incident, team, service):
    factories.team("Search")

    listed = api.get("/api/v1/teams/").json()
    one = api.get("/api/v1/teams/payments/").json()

    assert [t["slug"] for t in listed["results"]] == ["payments", "search"]
    assert one == {
        "slug": "payments",
        "name": "Payments",
        "description": "",
        "service_count": 1,
        "active_incident_count": 1,
        "url": "http://testserver/teams/payments/",
    }
    assert listed["results"][0] == one


def test_service_list_and_detail(api, incident, service):
    listed = api.get("/api/v1/services/").json()
    one = api.get("/api/v1/services/checkout-api/").json()

    assert listed["count"] == 1 and listed["results"][0] == one
    assert one == {
        "slug": "checkout-api",
        "name": "Checkout API",
        "team": {"slug": "payments", "name": "Payments"},
        "criticality": "critical",
        "cost_per_hour": "60000.00",
        "description": "",
        "incident_count": 1,
        "active_incident_count": 1,
        "url": "http://testserver/services/checkout-api/",
    }


@pytest.mark.parametrize("path", ["/api/v1/teams/nope/", "/api/v1/services/nope/"])
def test_unknown_team_or_service_returns_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response.json()["extra"] == {"slug": "nope"}


def test_team_and_service_lists_query_count_is_constant(api, django_assert_num_queries):
    api.get("/api/v1/teams/")
    for _ in range(10):
        factories.service(team=factories.team())

    with django_assert_num_queries(4):  # session, user, count, page
        assert api.get("/api/v1/teams/").status_code == 200
    with django_assert_num_queries(4):
        assert api.get("/api/v1/services/").status_code == 200


# --- The API and the pages agree ---------------------------------------------------------------------


def step_classes(page: str, phase: str) -> str:
    return re.search(rf'class="step step-{phase}([^"]*)"', page).group(1)


def test_advance_via_the_api_shows_on_the_incident_page(api, incident):
    api.post(url(incident, "advance"), {"expected_phase": "evaluate"}, format="json")

    page = api.get(f"/incidents/{incident.pk}/").content.decode()

    assert "is-done" in step_classes(page, "evaluate")
    assert "is-current" in step_classes(page, "respond")


def test_advance_on_the_page_shows_in_the_api(api, incident):
    api.post(f"/incidents/{incident.pk}/advance/", {"expected_phase": "evaluate"})

    assert api.get(url(incident)).json()["phase"] == "respond"


def test_page_and_api_refuse_a_stale_advance_with_the_same_message(api, incident):
    api.post(url(incident, "advance"), {"expected_phase": "evaluate"}, format="json")

    from_api = api.post(url(incident, "advance"), {"expected_phase": "evaluate"}, format="json")
    from_page = api.post(
        f"/incidents/{incident.pk}/advance/", {"expected_phase": "evaluate"}, HTTP_HX_REQUEST="true"
    )

    assert from_api.status_code == from_page.status_code == 409
    assert from_api.json()["message"] in from_page.content.decode()


def test_note_via_the_api_shows_on_the_page_and_declare_via_the_api_lists_on_the_page(api, incident, team):
    api.post(url(incident, "timeline"), {"body": "Rolled back to v1.42."}, format="json")
    declared = api.post(
        "/api/v1/incidents/", {"title": "Declared by a bot", "team": "payments"}, format="json"
    )

    assert "Rolled back to v1.42." in api.get(f"/incidents/{incident.pk}/").content.decode()
    assert declared.status_code == 201
    assert "Declared by a bot" in api.get("/incidents/").content.decode()


def test_edit_on_the_page_makes_the_api_version_stale(api, incident, team):
    version = api.get(url(incident)).json()["version"]
    api.post(
        f"/incidents/{incident.pk}/edit/",
        {"title": "Edited on the page", "severity": "SEV2", "team": team.pk, "version": version},
    )

    response = api.patch(url(incident), {"title": "Edited by a script", "version": version}, format="json")

    assert response.status_code == 409
    assert api.get(url(incident)).json()["title"] == "Edited on the page"


def test_lifecycle_through_the_api_keeps_step_spacing(api, incident):
    """Walk an incident to resolved with backfilled times, as a chat-ops bot would."""
    at = incident.detected_at
    for phase in ("evaluate", "respond", "recover", "confirm"):
        at += STEP
        response = api.post(
            url(incident, "advance"), {"expected_phase": phase, "at": at.isoformat()}, format="json"
        )
        assert response.status_code == 200, response.json()

    body = response.json()
    assert body["status"] == "resolved"
    assert body["durations"]["time_to_resolve"] == 3600 + 4 * int(STEP.total_seconds())
