"""The weekly review page through Django's client: its figures are the stored aggregates."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coe.models import Coe, CoeState, ContributingFactor
from devdata import scale
from incidents import services as incident_services
from metrics import dashboard, weeks
from metrics import services as metrics_services
from metrics.models import Scope, WeeklyAggregate
from tests import factories

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-11-25T12:00:00+00:00")  # a Wednesday of 2026-W48
WEEK = weeks.week_parse("2026-W47")  # Monday 16 November
MONDAY = datetime.fromisoformat("2026-11-16T09:00:00+00:00")


@pytest.fixture
def week_data(user):
    """Two teams; W47: three counted incidents (one SEV1) and a false alarm; W46: one incident."""
    payments, storefront = factories.team("Payments"), factories.team("Storefront")
    checkout = factories.service("Checkout", team=payments, critical=True)
    search = factories.service("Search", team=storefront)
    made = []
    with time_machine.travel(NOW, tick=False):
        for offset, team, service, severity, detect_minutes in (
            (0, payments, checkout, "SEV1", 5),
            (1, payments, checkout, "SEV3", 15),
            (2, storefront, search, "SEV3", 40),
        ):
            start = MONDAY + timedelta(days=offset)
            incident = factories.incident(
                team=team,
                services_=[service],
                severity=severity,
                started_at=start,
                detected_at=start + timedelta(minutes=detect_minutes),
            )
            made.append(factories.advance(incident, to=None, step=timedelta(minutes=20)))
        noise = factories.incident(
            team=storefront, started_at=MONDAY, detected_at=MONDAY + timedelta(minutes=1)
        )
        incident_services.incident_mark_false_alarm(incident_id=noise.pk, actor=user, reason="Flapping check")
        earlier = factories.incident(
            team=payments, started_at=MONDAY - timedelta(days=7), detected_at=MONDAY - timedelta(days=7)
        )
        factories.advance(earlier, to=None)
        for week in (WEEK - weeks.WEEK, WEEK):
            metrics_services.week_recompute(week=week, now=NOW)
    return {"payments": payments, "storefront": storefront, "checkout": checkout, "incidents": made}


def _get(client, query: str = "", **headers):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/dashboard/weekly/{query}", **headers)


def _tile(response, name: str):
    return next(tile for tile in response.context["board"].tiles if tile.name == name)


def test_dashboard_defaults_to_the_last_complete_week(client_logged_in, week_data):
    response = _get(client_logged_in)

    assert response.status_code == 200
    assert response.context["board"].week == WEEK
    assert b"2026-W47" in response.content


def test_dashboard_tiles_equal_the_stored_aggregates(client_logged_in, week_data):
    row = WeeklyAggregate.objects.get(week=WEEK, scope=Scope.ALL, key="")
    previous = WeeklyAggregate.objects.get(week=WEEK - weeks.WEEK, scope=Scope.ALL, key="")

    response = _get(client_logged_in, "?week=2026-W47")

    assert row.incidents == 3 and row.false_alarms == 1
    incidents = _tile(response, "Incidents")
    assert (incidents.value, incidents.previous) == (row.incidents, previous.incidents)
    assert _tile(response, "SEV1-2 incidents").value == 1
    detect = _tile(response, "Time to detect, p50")
    assert detect.value == row.durations["time_to_detect"]["p50"] == 15 * 60
    assert detect.samples == 3
    assert detect.small_sample  # three incidents: fewer than five
    assert _tile(response, "Downtime").value == row.downtime
    assert _tile(response, "Time to recover, p90").value == row.durations["time_to_recover"]["p90"]
    html = response.content.decode()
    assert "15m" in html and "small sample" in html
    assert 'data-testid="chart-detect"' in html and 'data-testid="chart-anatomy"' in html


def test_dashboard_team_filter_reads_the_team_row(client_logged_in, week_data):
    team = week_data["payments"]
    row = WeeklyAggregate.objects.get(week=WEEK, scope=Scope.TEAM, key=str(team.pk))

    response = _get(client_logged_in, f"?week=2026-W47&team={team.slug}")

    assert response.status_code == 200
    assert _tile(response, "Incidents").value == row.incidents == 2
    assert _tile(response, "Time to detect, p50").value == row.durations["time_to_detect"]["p50"]
    board = response.context["board"]
    assert [service["name"] for service in board.services] == ["Checkout"]
    assert {incident.team_id for incident in board.incidents} == {team.pk}


def test_dashboard_severity_and_service_filters(client_logged_in, week_data):
    by_severity = _get(client_logged_in, "?week=2026-W47&severity=SEV1")
    by_service = _get(client_logged_in, f"?week=2026-W47&service={week_data['checkout'].slug}")

    assert _tile(by_severity, "Incidents").value == 1
    assert _tile(by_service, "Incidents").value == 2
    assert by_service.context["board"].services[0]["critical"] is True


def test_dashboard_top_services_count_each_affected_service(client_logged_in, week_data):
    board = _get(client_logged_in, "?week=2026-W47").context["board"]

    counts = {service["name"]: service["incidents"] for service in board.services}
    assert counts == {"Checkout": 2, "Search": 1}  # the false alarm has no service and is noise anyway


def test_dashboard_week_table_lists_the_weeks_incidents_with_noise_marked(client_logged_in, week_data):
    response = _get(client_logged_in, "?week=2026-W47")

    board = response.context["board"]
    assert len(board.incidents) == 4
    assert board.incident_total == 4
    assert b"False alarm" in response.content


def test_dashboard_empty_week_renders_zeros_with_a_note(client_logged_in, week_data):
    with time_machine.travel(NOW, tick=False):
        metrics_services.week_recompute(week=weeks.week_parse("2026-W40"), now=NOW)

    response = _get(client_logged_in, "?week=2026-W40")

    assert response.status_code == 200
    assert _tile(response, "Incidents").value == 0
    assert _tile(response, "Time to detect, p50").value is None
    assert b"No incidents started this week" in response.content


def _not_computed_note(response) -> str:
    content = response.content.decode()
    start = content.index('data-testid="not-computed"')
    return content[start : content.index("</p>", start)]


def test_dashboard_uncomputed_week_with_workers_says_the_workers_compute_it(
    client_logged_in, week_data, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker and workers are configured

    response = _get(client_logged_in, "?week=2025-W10")

    assert response.status_code == 200
    assert response.context["board"].computed is False
    note = _not_computed_note(response)
    assert "The workers compute the current and previous week every ten minutes" in note
    assert "recompute_metrics --since 2025-03-03" in note
    assert "make periodic" not in note


def test_dashboard_uncomputed_week_without_workers_says_to_run_make_periodic(
    client_logged_in, week_data, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker, no worker, no beat

    response = _get(client_logged_in, "?week=2025-W10")

    assert response.status_code == 200
    note = _not_computed_note(response)
    assert "run <code>make periodic</code> for the current and previous week" in note
    assert "recompute_metrics --since 2025-03-03" in note
    assert "The workers compute" not in note


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?week=2026-W60", b"2026 has weeks W01 to W53"),
        ("?week=yesterday", b"write it like 2026-W47"),
        ("?team=nope", b"No team"),
        ("?severity=SEV9", b"Severity must be one of"),
        ("?team=payments&severity=SEV1", b"Choose one of team, service or severity"),
    ],
)
def test_dashboard_bad_parameters_answer_400_with_the_reason(client_logged_in, week_data, query, message):
    response = _get(client_logged_in, query)

    assert response.status_code == 400
    assert message in response.content


def test_dashboard_htmx_gets_only_the_fragment(client_logged_in, week_data):
    response = _get(client_logged_in, "?week=2026-W47", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="tiles"' in response.content


def test_dashboard_links_keep_the_filter(client_logged_in, week_data):
    team = week_data["payments"]

    response = _get(client_logged_in, f"?week=2026-W47&team={team.slug}")

    assert response.context["previous_url"] == f"/dashboard/weekly/?week=2026-W46&team={team.slug}"
    assert response.context["next_url"] == f"/dashboard/weekly/?week=2026-W48&team={team.slug}"
    assert response.context["csv_url"] == (
        f"/api/v1/metrics/weekly.csv?from=2026-W36&to=2026-W47&team={team.slug}"
    )


def test_dashboard_has_no_next_link_into_the_future(client_logged_in, week_data):
    response = _get(client_logged_in, "?week=2026-W48")

    assert response.context["next_url"] == ""


def test_dashboard_requires_login(client, week_data):
    response = _get(client, "?week=2026-W47")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _queries(client, url: str) -> int:
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/dashboard/weekly/?week=2026-W47", "/incidents/", "/action-items/", "/api/v1/incidents/"],
)
def test_pages_issue_the_same_number_of_queries_for_10_and_1000_incidents(client_logged_in, url):
    with time_machine.travel(NOW, tick=False):
        scale.seed(incidents=10, now=NOW, weeks=2, seed=1)
        metrics_services.week_recompute(week=WEEK, now=NOW)
    _queries(client_logged_in, url)  # the first request of a session also creates the user's profile
    small = _queries(client_logged_in, url)
    with time_machine.travel(NOW, tick=False):
        scale.seed(incidents=990, now=NOW, weeks=2, seed=2)
        metrics_services.week_recompute(week=WEEK, now=NOW)
    large = _queries(client_logged_in, url)

    assert large == small


def test_last_complete_week_is_the_week_before_the_current_one():
    assert dashboard.last_complete_week(NOW) == WEEK


def test_contributing_factors_count_in_the_week_their_coe_was_approved(client_logged_in, week_data, user):
    incident = week_data["incidents"][0]  # Payments, Checkout
    coe = factories.coe(incident, actor=user)
    ContributingFactor.objects.create(coe=coe, statement="Config reached every region", category="process")
    ContributingFactor.objects.create(coe=coe, statement="Alert fired late", category="monitoring")
    Coe.objects.filter(pk=coe.pk).update(state=CoeState.APPROVED, approved_at=MONDAY + timedelta(days=2))
    with time_machine.travel(NOW, tick=False):
        metrics_services.week_recompute(week=WEEK, now=NOW)

    team_row = WeeklyAggregate.objects.get(week=WEEK, scope=Scope.TEAM, key=str(week_data["payments"].pk))
    storefront = _get(client_logged_in, f"?week=2026-W47&team={week_data['storefront'].slug}")
    everything = _get(client_logged_in, "?week=2026-W47")

    assert team_row.factors == {"monitoring": 1, "process": 1}
    assert everything.context["board"].factors == [
        {"category": "Monitoring", "count": 1},
        {"category": "Process", "count": 1},
    ]
    assert storefront.context["board"].factors == []
