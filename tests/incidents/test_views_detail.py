"""The incident page and its forms: detail, advance, correct, reopen, false alarm, notes and edit,
through Django's test client (with HX-Request for the htmx fragments), on the real database.
The declare form is in test_views_declare.py."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Profile
from incidents import phases, services
from incidents.models import EventKind, Incident, IncidentEvent, Status
from incidents.phases import Phase
from tests import factories
from tests.incidents.helpers import kinds, local, minute

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def frozen(incident: Incident) -> dict:
    """What a refused write must leave untouched (unlike helpers.frozen, also the title)."""
    incident.refresh_from_db()
    return {
        "stamps": incident.stamps,
        "status": incident.status,
        "version": incident.version,
        "title": incident.title,
        "events": IncidentEvent.objects.filter(incident=incident).count(),
    }


def current(incident: Incident) -> Phase | None:
    incident.refresh_from_db()
    return phases.current_phase(incident.stamps)


def post(client, incident: Incident, action: str, data: dict, *, htmx: bool = True):
    return client.post(f"/incidents/{incident.pk}/{action}/", data, **(HTMX if htmx else {}))


@pytest.fixture
def incident(user, team, service):
    """Declared from the web: impact began three hours ago, detected two hours ago; now in evaluate."""
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
    return factories.advance(incident, to=None, actor=user)


# Detail


def test_detail_full_page_shows_the_incident(client_logged_in, incident):
    response = client_logged_in.get(f"/incidents/{incident.pk}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content
    assert f"INC-{incident.pk}</span> Checkout errors" in content
    assert "<strong>Now: Evaluate.</strong>" in content
    assert 'data-testid="status">Active<' in content


def test_detail_htmx_returns_only_the_main_fragment(client_logged_in, incident):
    response = client_logged_in.get(f"/incidents/{incident.pk}/", **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="incident-main"')
    assert "<html" not in content


def test_detail_unknown_id_returns_404(client_logged_in):
    assert client_logged_in.get("/incidents/999999/").status_code == 404


def test_detail_recovered_incident_shows_downtime_and_cost(client_logged_in, user, team, service):
    now = timezone.now()
    incident = factories.incident(
        actor=user,
        team=team,
        services_=[service],
        started_at=now - timedelta(hours=2),
        detected_at=now - timedelta(hours=2),
    )
    for phase, minutes_ago in [(Phase.EVALUATE, 100), (Phase.RESPOND, 80), (Phase.RECOVER, 60)]:
        services.incident_advance(
            incident_id=incident.pk, actor=user, expected_phase=phase, at=now - timedelta(minutes=minutes_ago)
        )

    content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    assert 'data-testid="cost">$60,000<' in content
    assert 'data-testid="downtime">1h<' in content
    assert 'data-testid="ttr">1h<' in content
    assert "and counting" not in content


def test_detail_resolved_anatomy_has_one_segment_per_unskipped_phase_sharing_100(
    client_logged_in, incident, user
):
    detected = incident.detected_at
    services.incident_advance(
        incident_id=incident.pk,
        actor=user,
        expected_phase=Phase.EVALUATE,
        at=detected + timedelta(minutes=20),
    )
    services.incident_advance(
        incident_id=incident.pk,
        actor=user,
        expected_phase=Phase.RESPOND,
        through=Phase.RECOVER,
        at=detected + timedelta(minutes=50),
    )
    services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase=Phase.CONFIRM, at=detected + timedelta(minutes=60)
    )

    content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    bar = content[content.index('data-testid="anatomy-bar"') : content.index('<table class="durations">')]
    segments = re.findall(r'data-phase="(\w+)" data-share="([\d.]+)"', bar)
    assert [phase for phase, _share in segments] == ["detect", "evaluate", "respond", "confirm"]
    assert sum(float(share) for _phase, share in segments) == pytest.approx(100, abs=0.05)
    assert 'data-testid="status">Resolved<' in content
    assert re.search(r'data-testid="duration-recover">\s*skipped', content)


def _detail_queries(client, incident: Incident) -> int:
    url = f"/incidents/{incident.pk}/"
    client.get(url)  # caches the viewer's time zone in the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_detail_query_count_is_constant_in_services_and_events(
    client_logged_in, django_assert_num_queries, user, team
):
    small = factories.incident(actor=user, team=team, services_=[factories.service(team=team)])
    baseline = _detail_queries(client_logged_in, small)
    big = factories.incident(
        actor=user, team=team, services_=[factories.service() for _ in range(10)], commander=user
    )
    for index in range(9):
        services.incident_note_add(incident_id=big.pk, actor=factories.user(), body=f"Note {index}")

    client_logged_in.get(f"/incidents/{big.pk}/")
    with django_assert_num_queries(baseline):
        response = client_logged_in.get(f"/incidents/{big.pk}/")
    assert len(response.context["timeline"]) == 10
    assert len(response.context["incident"].services.all()) == 10


def test_detail_of_an_incident_without_alerts_reads_no_alert(client_logged_in, user, team):
    incident = factories.incident(actor=user, team=team)
    client_logged_in.get(f"/incidents/{incident.pk}/")

    with CaptureQueriesContext(connection) as captured:
        content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    assert not [q["sql"] for q in captured.captured_queries if '"alerts_alert"' in q["sql"]]
    assert 'data-testid="alert-count"' not in content
    assert 'data-testid="start-coe">Start COE<' in content  # the COE's panel, served by coe


# Advance


def test_advance_htmx_returns_the_main_fragment_in_the_next_phase(client_logged_in, incident):
    response = post(client_logged_in, incident, "advance", {"expected_phase": "evaluate"})

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="incident-main"')
    assert "<html" not in content
    assert "<strong>Now: Respond.</strong>" in content
    assert current(incident) == Phase.RESPOND
    assert kinds(incident) == [EventKind.DECLARED, EventKind.PHASE_ADVANCED]


def test_advance_without_htmx_redirects_to_the_incident(client_logged_in, incident):
    response = post(client_logged_in, incident, "advance", {"expected_phase": "evaluate"}, htmx=False)

    assert response.status_code == 302
    assert response.url == f"/incidents/{incident.pk}/"
    assert current(incident) == Phase.RESPOND


def test_advance_stale_expected_phase_returns_409_and_changes_nothing(client_logged_in, incident, user):
    services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE)
    before = frozen(incident)

    response = post(client_logged_in, incident, "advance", {"expected_phase": "evaluate"})

    assert response.status_code == 409
    content = response.content.decode()
    assert 'class="flash flash-warning"' in content
    assert "The incident is already in Respond; someone else advanced it. Nothing was changed." in content
    assert frozen(incident) == before


def test_advance_stale_without_htmx_redirects_with_the_notice(client_logged_in, incident, user):
    services.incident_advance(incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE)
    before = frozen(incident)

    response = post(client_logged_in, incident, "advance", {"expected_phase": "evaluate"}, htmx=False)

    assert response.status_code == 302
    page = client_logged_in.get(response.url).content.decode()
    assert "someone else advanced it" in page
    assert frozen(incident) == before


def test_advance_through_recover_marks_the_phases_between_as_skipped(client_logged_in, incident):
    response = post(
        client_logged_in, incident, "advance", {"expected_phase": "evaluate", "through": "recover"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Phase skipped: Respond" in content
    assert "Phase skipped: Recover" in content
    assert "<strong>Now: Confirm.</strong>" in content
    incident.refresh_from_db()
    assert incident.evaluated_at == incident.responded_at == incident.recovered_at
    assert kinds(incident).count(EventKind.PHASE_SKIPPED) == 2


def test_advance_future_time_returns_400_and_changes_nothing(client_logged_in, incident):
    before = frozen(incident)

    response = post(
        client_logged_in,
        incident,
        "advance",
        {"expected_phase": "evaluate", "at": local(timezone.now() + timedelta(days=1))},
    )

    assert response.status_code == 400
    assert "The evaluated time cannot be in the future." in response.content.decode()
    assert frozen(incident) == before


def test_advance_backfilled_time_stamps_it_and_says_so(client_logged_in, incident):
    at = incident.detected_at + timedelta(minutes=30)

    response = post(client_logged_in, incident, "advance", {"expected_phase": "evaluate", "at": local(at)})

    assert response.status_code == 200
    assert "Backfilled time." in response.content.decode()
    incident.refresh_from_db()
    assert incident.evaluated_at == minute(at)


def test_advance_confirming_resolves_the_incident(client_logged_in, incident, user):
    factories.advance(incident, to=Phase.CONFIRM, actor=user)

    response = post(client_logged_in, incident, "advance", {"expected_phase": "confirm"})

    assert response.status_code == 200
    assert 'data-testid="status">Resolved<' in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert incident.confirmed_at is not None


def test_advance_resolved_incident_returns_409(client_logged_in, resolved):
    before = frozen(resolved)

    response = post(client_logged_in, resolved, "advance", {"expected_phase": "confirm"})

    assert response.status_code == 409
    assert "reopen it to change its phases" in response.content.decode()
    assert frozen(resolved) == before


# Correct a time


def test_correct_valid_time_updates_it_and_shows_old_and_new_on_the_timeline(client_logged_in, incident):
    old = incident.detected_at
    new = minute(old - timedelta(minutes=30))

    response = post(
        client_logged_in,
        incident,
        "correct",
        {"field": "detected_at", "value": local(new), "reason": "The pager fired earlier"},
    )

    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.detected_at == new
    event = IncidentEvent.objects.get(incident=incident, kind=EventKind.STAMP_CORRECTED)
    assert event.data == {"field": "detected_at", "old": old.isoformat(), "new": new.isoformat()}
    content = response.content.decode()
    assert f'<del><time datetime="{old.isoformat()}"' in content
    assert f'<ins><time datetime="{new.isoformat()}"' in content
    assert "Reason: The pager fired earlier" in content


def test_correct_without_reason_returns_400_and_changes_nothing(client_logged_in, incident):
    before = frozen(incident)

    response = post(
        client_logged_in,
        incident,
        "correct",
        {"field": "detected_at", "value": local(incident.detected_at - timedelta(minutes=30)), "reason": ""},
    )

    assert response.status_code == 400
    assert "Reason: This field is required." in response.content.decode()
    assert frozen(incident) == before


def test_correct_out_of_order_time_returns_400_and_keeps_the_stamp(client_logged_in, incident):
    before = frozen(incident)

    response = post(
        client_logged_in,
        incident,
        "correct",
        {
            "field": "detected_at",
            "value": local(incident.started_at - timedelta(hours=1)),
            "reason": "Typo",
        },
    )

    assert response.status_code == 400
    assert "The detected time cannot be before the impact started time" in response.content.decode()
    assert frozen(incident) == before


# Correct a time: the dialog keeps what was typed, and times are read and shown in the viewer's zone


def correct_dialog(response) -> str:
    return re.search(r'<dialog id="correct-dialog".*?</dialog>', response.content.decode(), re.S).group(0)


def in_zone(user, name: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"time_zone": name})


def test_correct_refused_keeps_the_typed_input_and_puts_the_error_beside_the_time(client_logged_in, incident):
    typed = local(incident.started_at - timedelta(hours=1))

    response = post(
        client_logged_in,
        incident,
        "correct",
        {"field": "detected_at", "value": typed, "reason": "Pager fired earlier"},
    )

    assert response.status_code == 400
    dialog = correct_dialog(response)
    assert "open data-show-modal" in dialog.split(">", 1)[0]
    assert '<option value="detected_at"' in dialog
    assert re.search(r'<option value="detected_at"[^>]* selected>', dialog)
    assert f'value="{typed}"' in dialog
    assert ">Pager fired earlier</textarea>" in dialog
    value_field = re.search(r'<label for="correct-value">.*?</div>', dialog, re.S).group(0)
    assert "The detected time cannot be before the impact started time" in value_field
    assert 'aria-invalid="true"' in value_field


def test_correct_refused_message_shows_the_conflicting_time_in_the_viewers_format(client_logged_in, user):
    in_zone(user, "Pacific/Auckland")
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False):
        incident = factories.incident(
            actor=user,
            started_at=datetime(2026, 11, 19, 22, 0, tzinfo=UTC),
            detected_at=datetime(2026, 11, 19, 23, 0, tzinfo=UTC),
        )
        response = post(
            client_logged_in,
            incident,
            "correct",
            {"field": "detected_at", "value": "2026-11-20T10:00", "reason": "Typo"},
        )

    assert response.status_code == 400
    # 22:00 UTC on the 19th is 11:00 on Friday the 20th in Auckland (NZDT, +13).
    assert "cannot be before the impact started time (Fri 20 Nov 11:00 NZDT)" in correct_dialog(response)
    assert "2026-11-19T22:00" not in correct_dialog(response)


def test_correct_options_show_each_time_in_the_viewers_zone_never_as_iso(client_logged_in, user):
    in_zone(user, "America/Los_Angeles")
    with time_machine.travel(datetime(2026, 11, 1, 12, 0, tzinfo=UTC), tick=False):
        incident = factories.incident(
            actor=user,
            started_at=datetime(2026, 11, 1, 7, 30, tzinfo=UTC),  # 00:30 PDT
            detected_at=datetime(2026, 11, 1, 10, 15, tzinfo=UTC),  # 02:15 PST, after the clocks went back
        )
        dialog = correct_dialog(client_logged_in.get(f"/incidents/{incident.pk}/"))

    assert "Impact started: Sun 1 Nov 00:30 PDT</option>" in dialog
    assert "Detected: Sun 1 Nov 02:15 PST</option>" in dialog
    assert 'data-value="2026-11-01T02:15"' in dialog  # what the time box is filled with, in that zone
    assert "+00:00" not in dialog
    assert "In your time zone, America/Los_Angeles." in dialog


@pytest.mark.parametrize(
    ("zone", "now", "started", "typed", "stored"),
    [
        # Los Angeles, the night the clocks go back (1 Nov 2026, 02:00 PDT -> 01:00 PST): 02:15 is PST.
        (
            "America/Los_Angeles",
            datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
            "2026-11-01T02:15",
            datetime(2026, 11, 1, 10, 15, tzinfo=UTC),
        ),
        # ... and 00:45 the same night is still PDT (-7).
        (
            "America/Los_Angeles",
            datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
            "2026-11-01T00:45",
            datetime(2026, 11, 1, 7, 45, tzinfo=UTC),
        ),
        # Auckland, the night the clocks go forward (27 Sep 2026, 02:00 NZST -> 03:00 NZDT): 03:10 is NZDT.
        (
            "Pacific/Auckland",
            datetime(2026, 9, 27, 0, 0, tzinfo=UTC),
            datetime(2026, 9, 26, 13, 0, tzinfo=UTC),
            "2026-09-27T03:10",
            datetime(2026, 9, 26, 14, 10, tzinfo=UTC),
        ),
        # ... and 01:40 before the change is NZST (+12).
        (
            "Pacific/Auckland",
            datetime(2026, 9, 27, 0, 0, tzinfo=UTC),
            datetime(2026, 9, 26, 13, 0, tzinfo=UTC),
            "2026-09-27T01:40",
            datetime(2026, 9, 26, 13, 40, tzinfo=UTC),
        ),
    ],
)
def test_correct_reads_the_typed_time_in_the_viewers_zone_across_a_dst_change(
    client_logged_in, user, zone, now, started, typed, stored
):
    in_zone(user, zone)
    with time_machine.travel(now, tick=False):
        incident = factories.incident(actor=user, started_at=started, detected_at=now - timedelta(minutes=5))
        response = post(
            client_logged_in,
            incident,
            "correct",
            {"field": "detected_at", "value": typed, "reason": "Pager log"},
        )

    assert response.status_code == 200
    incident.refresh_from_db()
    assert incident.detected_at == stored


@pytest.mark.parametrize(
    ("zone", "now", "typed"),
    [
        (
            "America/Los_Angeles",
            datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
            "2026-11-01T01:30",
        ),  # happens twice
        ("Pacific/Auckland", datetime(2026, 9, 27, 0, 0, tzinfo=UTC), "2026-09-27T02:30"),  # never happens
    ],
)
def test_correct_a_time_the_zone_repeats_or_skips_is_refused_beside_the_time_keeping_the_input(
    client_logged_in, user, zone, now, typed
):
    in_zone(user, zone)
    with time_machine.travel(now, tick=False):
        incident = factories.incident(
            actor=user, started_at=now - timedelta(hours=12), detected_at=now - timedelta(minutes=5)
        )
        before = frozen(incident)
        response = post(
            client_logged_in,
            incident,
            "correct",
            {"field": "detected_at", "value": typed, "reason": "Pager log"},
        )

    assert response.status_code == 400
    dialog = correct_dialog(response)
    value_field = re.search(r'<label for="correct-value">.*?</div>', dialog, re.S).group(0)
    assert f"couldn\N{RIGHT SINGLE QUOTATION MARK}t be interpreted in time zone {zone}" in value_field
    assert f'value="{typed}"' in value_field
    assert ">Pager log</textarea>" in dialog
    assert frozen(incident) == before


def test_correct_refused_without_htmx_shows_the_full_page_with_the_input_kept(client_logged_in, incident):
    typed = local(incident.started_at - timedelta(hours=1))

    response = post(
        client_logged_in,
        incident,
        "correct",
        {"field": "detected_at", "value": typed, "reason": "Pager fired earlier"},
        htmx=False,
    )

    assert response.status_code == 400
    assert "<html" in response.content.decode()
    dialog = correct_dialog(response)
    assert f'value="{typed}"' in dialog
    assert ">Pager fired earlier</textarea>" in dialog


def test_timeline_names_a_commander_change_by_full_names(client_logged_in, incident, user):
    bob = factories.user("bob", first_name="Bob", last_name="Stone")
    services.incident_update(
        incident_id=incident.pk, actor=user, expected_version=incident.version, commander=bob
    )

    content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    assert "Commander: <del>nobody</del> → <ins>Bob Stone</ins>" in content


# Reopen and false alarm


def test_reopen_resolved_into_recover_clears_the_later_stamps(client_logged_in, resolved):
    response = post(
        client_logged_in, resolved, "reopen", {"to_phase": "recover", "reason": "Errors are back"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="status">Active<' in content
    assert "<strong>Now: Recover.</strong>" in content
    assert "Reason: Errors are back" in content
    resolved.refresh_from_db()
    assert resolved.status == Status.ACTIVE
    assert resolved.recovered_at is None
    assert resolved.confirmed_at is None
    assert resolved.responded_at is not None


def test_reopen_without_reason_returns_400_and_changes_nothing(client_logged_in, resolved):
    before = frozen(resolved)

    response = post(client_logged_in, resolved, "reopen", {"to_phase": "recover", "reason": "  "})

    assert response.status_code == 400
    assert "Reason: This field is required." in response.content.decode()
    assert frozen(resolved) == before


def test_reopen_active_incident_returns_409(client_logged_in, incident):
    before = frozen(incident)

    response = post(client_logged_in, incident, "reopen", {"reason": "Just because"})

    assert response.status_code == 409
    assert "The incident is already active." in response.content.decode()
    assert frozen(incident) == before


def _reopen_dialog_default(content: str) -> str:
    """The phase the reopen dialog's select posts unless the user picks another."""
    dialog = content[content.index('<dialog id="reopen-dialog"') :]
    dialog = dialog[: dialog.index("</dialog>")]
    return re.search(r'<option value="(\w+)" selected>', dialog).group(1)


def test_reopen_resolved_from_the_dialog_defaults_goes_back_into_confirm(client_logged_in, resolved):
    to_phase = _reopen_dialog_default(client_logged_in.get(f"/incidents/{resolved.pk}/").content.decode())

    response = post(client_logged_in, resolved, "reopen", {"to_phase": to_phase, "reason": "Not yet"})

    assert response.status_code == 200
    assert current(resolved) == Phase.CONFIRM
    assert resolved.recovered_at is not None


def test_reopen_false_alarm_from_the_dialog_defaults_returns_to_its_phase(client_logged_in, incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Looked like noise")
    detected_at = incident.detected_at
    to_phase = _reopen_dialog_default(client_logged_in.get(f"/incidents/{incident.pk}/").content.decode())

    response = post(client_logged_in, incident, "reopen", {"to_phase": to_phase, "reason": "It was real"})

    assert response.status_code == 200
    assert current(incident) == Phase.EVALUATE
    assert incident.detected_at == detected_at


def test_reopen_false_alarm_timeline_names_the_old_status(client_logged_in, incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Looked like noise")

    response = post(client_logged_in, incident, "reopen", {"reason": "It was real"})

    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r"From false ?alarm back into evaluate", content)  # the reopened event is shown
    assert "From false alarm back into evaluate" in content


def test_false_alarm_marks_it_and_a_second_time_returns_409(client_logged_in, incident):
    first = post(client_logged_in, incident, "false-alarm", {"reason": "A test alert"})

    assert first.status_code == 200
    assert 'data-testid="status">False alarm<' in first.content.decode()
    incident.refresh_from_db()
    assert incident.status == Status.FALSE_ALARM
    before = frozen(incident)

    second = post(client_logged_in, incident, "false-alarm", {"reason": "Again"})

    assert second.status_code == 409
    assert "Only an active incident can be marked a false alarm" in second.content.decode()
    assert frozen(incident) == before


# Notes


def test_note_htmx_returns_the_timeline_fragment_with_the_note(client_logged_in, incident):
    response = post(client_logged_in, incident, "notes", {"body": "Rolled back the deploy"})

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section class="card timeline" id="timeline"')
    assert "<html" not in content
    assert '<p class="event-body">Rolled back the deploy</p>' in content
    assert kinds(incident)[-1] == EventKind.NOTE


def test_note_html_is_escaped_on_the_timeline(client_logged_in, incident):
    response = post(client_logged_in, incident, "notes", {"body": "<script>alert(1)</script>"})

    content = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)</script>" not in content
    page = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page


def test_note_blank_returns_400_with_an_error_and_adds_nothing(client_logged_in, incident):
    before = frozen(incident)

    response = post(client_logged_in, incident, "notes", {"body": "   "})

    assert response.status_code == 400
    assert '<p class="error" role="alert">This field is required.</p>' in response.content.decode()
    assert frozen(incident) == before


def test_note_without_htmx_redirects_to_the_incident(client_logged_in, incident):
    response = post(client_logged_in, incident, "notes", {"body": "Paged the DBA"}, htmx=False)

    assert response.status_code == 302
    assert response.url == f"/incidents/{incident.pk}/"
    assert IncidentEvent.objects.get(incident=incident, kind=EventKind.NOTE).body == "Paged the DBA"


def test_note_on_unknown_incident_returns_404(client_logged_in):
    response = client_logged_in.post("/incidents/999999/notes/", {"body": "Hello"}, **HTMX)

    assert response.status_code == 404
    assert not IncidentEvent.objects.exists()


# Edit


def edit_data(incident: Incident, **changes) -> dict:
    """The edit form as the GET prefilled it, with `changes`."""
    data = {
        "title": incident.title,
        "severity": incident.severity,
        "team": incident.team_id,
        "services": [service.pk for service in incident.services.all()],
        "commander": incident.commander_id or "",
        "summary": incident.summary,
        "customer_impact": incident.customer_impact,
        "customers_affected": "" if incident.customers_affected is None else incident.customers_affected,
        "blast_radius": ", ".join(incident.blast_radius),
        "version": incident.version,
    }
    return {**data, **changes}


def test_edit_get_prefills_the_form(client_logged_in, incident):
    response = client_logged_in.get(f"/incidents/{incident.pk}/edit/")

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="Checkout errors"' in content
    assert re.search(r'<input type="radio" name="severity" value="SEV3"[^>]* checked', content)
    assert f'<input type="hidden" name="version" value="{incident.version}"' in content
    assert re.search(rf'name="services" value="{incident.services.get().pk}"[^>]* checked', content)


def test_edit_post_changes_fields_and_records_each_change(client_logged_in, incident):
    response = client_logged_in.post(
        f"/incidents/{incident.pk}/edit/", edit_data(incident, title="Checkout down", severity="SEV1")
    )

    assert response.status_code == 302
    assert response.url == f"/incidents/{incident.pk}/"
    incident.refresh_from_db()
    assert (incident.title, incident.severity) == ("Checkout down", "SEV1")
    changes = IncidentEvent.objects.filter(incident=incident, kind=EventKind.FIELD_CHANGED)
    assert sorted((event.data["field"], event.data["old"], event.data["new"]) for event in changes) == [
        ("severity", "SEV3", "SEV1"),
        ("title", "Checkout errors", "Checkout down"),
    ]
    page = client_logged_in.get(response.url).content.decode()
    assert "Title: <del>Checkout errors</del> → <ins>Checkout down</ins>" in page


def test_edit_stale_version_returns_409_and_changes_nothing(client_logged_in, incident, user):
    stale = edit_data(incident, title="My title")
    services.incident_update(incident_id=incident.pk, actor=user, summary="Someone else's summary")
    before = frozen(incident)

    response = client_logged_in.post(f"/incidents/{incident.pk}/edit/", stale)

    assert response.status_code == 409
    assert "Someone else changed this incident while you were editing." in response.content.decode()
    assert frozen(incident) == before


def test_edit_unknown_incident_returns_404(client_logged_in):
    assert client_logged_in.get("/incidents/999999/edit/").status_code == 404
