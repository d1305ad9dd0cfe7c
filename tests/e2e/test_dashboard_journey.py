"""A manager's Monday: the weekly review for a seeded history, another week, a team filter; every chart
drawn with data and no console errors (the `page` fixture fails the test on any)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from devdata import scale
from metrics import dashboard, weeks
from metrics import services as metrics_services
from tests import factories
from tests.e2e.test_incident_journey import PASSWORD, _log_in

pytestmark = pytest.mark.django_db(transaction=True)

CHARTS = (
    "chart-detect",
    "chart-recover",
    "chart-severity",
    "chart-anatomy",
    "chart-services-incidents",
    "chart-services-downtime",
    "chart-actions",
    "chart-factors",
)


def _charts_drawn(page: Page) -> None:
    for test_id in CHARTS:
        chart = page.get_by_test_id(test_id)
        expect(chart).to_be_visible()
        # Drawn with data: bars, lines or band shapes, not only the axes.
        assert chart.locator("rect, polyline, polygon").count() > 0, test_id


def test_weekly_review_journey(live_server, page: Page, artifacts_dir):
    now = timezone.now()
    scale.seed(incidents=400, now=now, weeks=14, seed=3)
    metrics_services.history_recompute(since=(now - timezone.timedelta(weeks=15)).date())
    factories.user("manager", password=PASSWORD)
    week = dashboard.last_complete_week(now)
    label, previous = weeks.week_format(week), weeks.week_format(week - weeks.WEEK)

    page.goto(f"{live_server.url}/dashboard/weekly/")
    _log_in(page, "manager")

    expect(page.get_by_test_id("dashboard-week")).to_contain_text(label)
    expect(page.get_by_test_id("tile")).to_have_count(10)
    _charts_drawn(page)
    expect(page.get_by_test_id("week-incidents").locator("tbody tr").first).to_contain_text("INC-")

    page.get_by_test_id("previous-week").click()
    expect(page.get_by_test_id("dashboard-week")).to_contain_text(previous)
    expect(page).to_have_url(re.compile(rf"week={previous}"))
    _charts_drawn(page)

    page.get_by_label("Team").select_option(label="Payments (scale)")
    expect(page).to_have_url(re.compile(rf"week={previous}&team=scale-payments"))
    expect(page.get_by_test_id("dashboard-week")).to_contain_text("team Payments (scale)")
    _charts_drawn(page)

    # Choosing a severity clears the team: one filter at a time.
    page.get_by_label("Severity").select_option("SEV3")
    expect(page).to_have_url(re.compile(r"severity=SEV3"))
    expect(page.get_by_label("Team")).to_have_value("")
    expect(page.get_by_test_id("download-csv")).to_have_attribute("href", re.compile(r"severity=SEV3"))

    page.screenshot(path=str(artifacts_dir / "weekly-review.png"), full_page=True)
