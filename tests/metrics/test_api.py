"""GET /api/v1/metrics/weekly/ and /api/v1/metrics/weekly.csv through DRF's APIClient: the stored
figures as JSON and CSV, the filters, the defaults, and every error."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core import services as core_services
from metrics import api_serializers, services
from metrics.models import TIME_METRICS
from tests import factories
from tests.metrics.conftest import NOW, PREVIOUS, WEEK

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

WEEKLY = "/api/v1/metrics/weekly/"
CSV = "/api/v1/metrics/weekly.csv"


@pytest.fixture
def computed(week, follow_up):
    services.week_recompute(week=PREVIOUS, now=NOW)
    services.week_recompute(week=WEEK, now=NOW)
    return week


def test_weekly_returns_the_stored_figures(api, computed):
    response = api.get(WEEKLY, {"week": "2026-W10"})

    assert response.status_code == 200
    body = response.json()
    assert (body["week"], body["start"], body["end"], body["time_zone"]) == (
        "2026-W10",
        "2026-03-02",
        "2026-03-08",
        "UTC",
    )
    assert body["filter"] == {"scope": "all", "key": "", "label": "Everything", "given": {}}
    assert body["incidents"] == {
        "counted": 3,
        "by_severity": {"SEV1": 1, "SEV2": 2, "SEV3": 0, "SEV4": 0},
        "false_alarms": 1,
        "auto_resolved": 1,
    }
    assert body["durations"]["time_to_detect"] == {
        "count": 3,
        "mean": 700.0,
        "p50": 600.0,
        "p90": 1080.0,
        "max": 1200,
        "small_sample": True,
    }
    assert set(body["durations"]) == set(TIME_METRICS)
    assert body["cost"] == "14400.00"
    assert body["action_items"] == {"created": 4, "completed": 3, "completed_on_time": 2, "overdue": 2}
    assert body["coes"] == {"due": 3, "on_time": 1, "late": 2}
    assert body["small_sample_below"] == 5


def test_weekly_small_sample_flag_follows_the_setting(api, computed, settings):
    settings.METRICS_SMALL_SAMPLE = 2
    durations = api.get(WEEKLY, {"week": "2026-W10"}).json()["durations"]
    assert durations["time_to_detect"]["small_sample"] is False  # 3 incidents
    assert durations["time_to_recover"]["small_sample"] is False  # 2
    settings.METRICS_SMALL_SAMPLE = 3
    assert (
        api.get(WEEKLY, {"week": "2026-W10"}).json()["durations"]["time_to_recover"]["small_sample"] is True
    )


@pytest.mark.parametrize(
    ("params", "counted"),
    [
        ({"team": "payments"}, 2),
        ({"severity": "sev2"}, 2),
        ({"service": "checkout"}, 2),
        ({"service": "ledger"}, 1),
    ],
)
def test_weekly_filters_by_one_dimension(api, computed, params, counted):
    body = api.get(WEEKLY, {"week": "2026-W10", **params}).json()
    assert body["incidents"]["counted"] == counted
    assert body["filter"]["scope"] == next(iter(params))


def test_weekly_team_and_service_by_id(api, computed):
    by_id = api.get(WEEKLY, {"week": "2026-W10", "team": computed.team_b.pk}).json()
    assert by_id["filter"] == {
        "scope": "team",
        "key": str(computed.team_b.pk),
        "label": "Search",
        "given": {"team": "search"},
    }
    assert by_id["incidents"]["counted"] == 1
    assert (
        api.get(WEEKLY, {"week": "2026-W10", "service": computed.s3.pk}).json()["incidents"]["counted"] == 1
    )


def test_weekly_scope_without_activity_in_a_computed_week_is_zeros(api, computed):
    quiet = factories.team("Quiet")
    body = api.get(WEEKLY, {"week": "2026-W10", "team": quiet.slug}).json()
    assert body["incidents"]["counted"] == 0
    assert body["durations"]["time_to_detect"] == {
        "count": 0,
        "mean": None,
        "p50": None,
        "p90": None,
        "max": None,
        "small_sample": True,
    }
    assert (body["downtime"], body["cost"]) == (0, "0.00")


def test_weekly_defaults_to_the_last_complete_week(api, db):
    last = services.current_week() - timedelta(days=7)
    assert api.get(WEEKLY).status_code == 404
    services.week_recompute(week=last)
    body = api.get(WEEKLY).json()
    assert body["start"] == last.isoformat()


def test_weekly_not_computed_is_404(api, db):
    response = api.get(WEEKLY, {"week": "2026-W10"})
    assert response.status_code == 404
    assert response.json() == {
        "message": "The metrics of 2026-W10 have not been computed yet.",
        "code": "not_computed",
        "extra": {"week": "2026-W10"},
    }


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"week": "2026-W54"}, "invalid_week", "W01 to W53"),
        ({"week": "2025-W53"}, "invalid_week", "W01 to W52"),
        ({"week": "last week"}, "invalid_week", "not an ISO week"),
        ({"team": "nope"}, "unknown_filter", "team: no team with slug or id 'nope'"),
        ({"service": "nope"}, "unknown_filter", "service: no service"),
        ({"severity": "SEV9"}, "unknown_filter", "severity: unknown severity 'SEV9'"),
        ({"team": "payments", "severity": "SEV1"}, "too_many_filters", "at most one of team, service and"),
        ({"teams": "payments"}, "invalid", "teams: Unknown field"),
        ({"week": ["2026-W10", "2026-W11"]}, "invalid", "week: Give it once."),
    ],
)
def test_weekly_errors_name_the_problem(api, computed, params, code, words):
    response = api.get(WEEKLY, {"week": "2026-W10", **params})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert words in body["message"]


def test_weekly_needs_authentication(db):
    response = APIClient().get(WEEKLY, {"week": "2026-W10"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_weekly_accepts_a_bearer_token(computed, user):
    _token, plaintext = core_services.api_token_create(user=user, name="dashboards")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(WEEKLY, {"week": "2026-W10"}).status_code == 200
    assert client.get(CSV, {"from": "2026-W10", "to": "2026-W10"}).status_code == 200


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_has_one_row_per_week_in_range(api, computed):
    response = api.get(CSV, {"from": "2026-W08", "to": "2026-W11"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="metrics-2026-W08-2026-W11.csv"'
    header = response.content.decode().splitlines()[0].split(",")
    assert header == api_serializers.csv_header()
    rows = _csv(response)
    assert [row["week"] for row in rows] == ["2026-W08", "2026-W09", "2026-W10", "2026-W11"]
    never, previous, this, after = rows
    assert (never["computed_at"], never["incidents"], never["time_to_detect_count"]) == ("", "0", "0")
    assert never["time_to_detect_p50"] == ""
    assert (previous["incidents"], previous["time_to_detect_p50"]) == ("1", "300.0")
    assert this["computed_at"].startswith("2026-04-01T12:00:00")
    assert (this["incidents"], this["incidents_sev2"], this["false_alarms"]) == ("3", "2", "1")
    assert (this["time_to_detect_count"], this["time_to_detect_p90"], this["time_to_detect_max"]) == (
        "3",
        "1080.0",
        "1200",
    )
    assert (this["cost"], this["action_items_overdue"], this["coes_late"]) == ("14400.00", "2", "2")
    assert (this["start"], this["end"], this["scope"]) == ("2026-03-02", "2026-03-08", "all")
    assert after["computed_at"] == ""


def test_csv_filtered_by_team(api, computed):
    response = api.get(CSV, {"from": "2026-W09", "to": "2026-W10", "team": "search"})
    rows = _csv(response)
    assert [(row["scope"], row["key"], row["incidents"]) for row in rows] == [
        ("team", str(computed.team_b.pk), "0"),
        ("team", str(computed.team_b.pk), "1"),
    ]
    assert rows[0]["computed_at"] != ""  # computed, no activity for this team: zeros
    assert response["Content-Disposition"].endswith('-team-search.csv"')


def test_csv_defaults_to_the_last_twelve_weeks(api, db):
    rows = _csv(api.get(CSV))
    last = services.current_week() - timedelta(days=7)
    assert len(rows) == 12
    assert rows[-1]["start"] == last.isoformat()


def test_csv_even_when_the_client_asks_for_csv_only(api, computed):
    response = api.get(CSV, {"from": "2026-W10", "to": "2026-W10"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert len(_csv(response)) == 1


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"from": "2026-W11", "to": "2026-W10"}, "invalid_range", "from (2026-W11) is after to (2026-W10)"),
        ({"from": "2016-W01", "to": "2026-W10"}, "range_too_long", "At most 520 weeks"),
        ({"from": "2026-W60", "to": "2026-W10"}, "invalid_week", "from: 2026 has weeks W01 to W53"),
        ({"from": "2026-W01", "to": "soon"}, "invalid_week", "to: 'soon' is not an ISO week"),
        ({"from": "2026-W01", "severity": "urgent"}, "unknown_filter", "unknown severity"),
        ({"from": "2026-W01", "team": "payments", "service": "ledger"}, "too_many_filters", "at most one"),
    ],
)
def test_csv_errors_name_the_problem(api, computed, params, code, words):
    response = api.get(CSV, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert words in body["message"]


def test_csv_accepts_exactly_520_weeks(api, db):
    last = services.current_week() - timedelta(days=7)
    first = last - timedelta(weeks=519)
    from metrics import weeks

    response = api.get(CSV, {"from": weeks.week_format(first), "to": weeks.week_format(last)})
    assert response.status_code == 200
    assert len(_csv(response)) == 520


def test_csv_needs_authentication(db):
    assert APIClient().get(CSV).status_code == 401


def test_weekly_reads_in_a_fixed_number_of_queries(api, computed, django_assert_num_queries):
    api.get(WEEKLY, {"week": "2026-W10", "team": "payments"})  # warm the session
    with django_assert_num_queries(4):  # session, user, the team, the rows
        api.get(WEEKLY, {"week": "2026-W10", "team": "payments"})


def test_now_is_not_needed_for_reads(api, computed):
    # Reads never recompute: a week computed at NOW keeps its computed_at.
    assert api.get(WEEKLY, {"week": "2026-W10"}).json()["computed_at"].startswith("2026-04-01T12:00:00")
    assert timezone.now() != NOW
