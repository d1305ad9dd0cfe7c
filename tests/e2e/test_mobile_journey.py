"""A first week on a phone: every page at 390 x 844 with the demo data (what `make run` loads), none
wider than the window (the document never scrolls sideways; a wide table scrolls in its own box), the
navigation behind a Menu disclosure, and the "Correct a time" dialog keeping what was typed when it is
refused. A screenshot of each page goes to test-artifacts/mobile-<page>.png (look at them).
"""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alerts.models import Integration
from coe.models import Coe
from core.models import Profile
from devdata.demo import alerts as alerts_demo
from devdata.demo import coe as coe_demo
from devdata.demo import incidents as demo
from incidents.models import Incident, Status, Team
from notifications.models import WebhookFormat
from notifications.services import webhooks
from tests import factories
from tests.e2e.test_incident_journey import PASSWORD, _log_in
from tests.notifications.receivers import HttpReceiver

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def viewport() -> dict:
    return PHONE


@pytest.fixture
def receiver():
    # Refuses the first send on every attempt (a failed row with its error in the outbox), then accepts.
    server = HttpReceiver(script=[500, 500, 500, 200]).start()
    yield server
    server.stop()


@pytest.fixture
def demo_data(receiver):
    """The demo load of `make run` (incidents over 12 weeks with alerts, COEs, the weekly figures), plus
    a team webhook whose first send failed and a later one that went out, for the channel pages."""
    now = timezone.now()
    demo.ensure_demo_login(username="demo", password=PASSWORD)
    demo.load(now=now)
    alerts_demo.load(now=now)
    coe_demo.load(now=now)
    team = Team.objects.order_by("pk").first()
    webhook, _ = webhooks.webhook_create(
        team=team,
        name="#payments-incidents-with-a-long-channel-name",
        url=receiver.url,
        format=WebhookFormat.SLACK,
        events=["incident.declared"],
        generate_secret=True,
    )
    factories.incident(team=team, title="Checkout returns 502s for a share of requests in one region")
    factories.incident(team=team, title="Card payments declined by the acquirer")
    incident = Incident.objects.filter(status=Status.RESOLVED, coe__isnull=False).order_by("pk").first()
    return {
        "incident": incident,
        "active": Incident.objects.filter(status=Status.ACTIVE).order_by("pk").first(),
        "team": Team.objects.order_by("pk").first(),
        "service": incident.services.order_by("pk").first(),
        "integration": Integration.objects.order_by("pk").first(),
        "coe": Coe.objects.order_by("pk").first(),
        "webhook": webhook,
    }


def _pages(data) -> list[tuple[str, str]]:
    pages = [
        ("incidents", "/incidents/"),
        ("declare", "/incidents/declare/"),
        ("incident", f"/incidents/{data['incident'].pk}/"),
        ("incident-active", f"/incidents/{data['active'].pk}/"),
        ("incident-edit", f"/incidents/{data['incident'].pk}/edit/"),
        ("teams", "/teams/"),
        ("team", f"/teams/{data['team'].slug}/"),
        ("services", "/services/"),
        ("service", f"/services/{data['service'].slug}/"),
        ("integrations", "/integrations/"),
        ("integration", f"/integrations/{data['integration'].pk}/"),
        ("integration-form", "/integrations/new/"),
        ("coe", f"/coe/{data['coe'].pk}/"),
        ("action-items", "/action-items/"),
        ("weekly-review", "/dashboard/weekly/"),
        ("notifications", "/notifications/"),
        ("preferences", "/preferences/"),
        ("notification-preferences", "/preferences/notifications/"),
        ("outbox", "/outbox/"),
        ("team-channels", "/channels/"),
        ("webhook-form", "/channels/webhooks/new/"),
        ("webhook", f"/channels/webhooks/{data['webhook'].pk}/"),
    ]
    return pages


def _widths(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _overflowing(page: Page) -> list[str]:
    """What sticks out of the window outside any scroll box: the culprits, for the failure message."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth, found = [];
            for (const el of document.body.querySelectorAll("*")) {
                if (el.getBoundingClientRect().right <= width + 1) continue;
                let clipped = false;
                for (let up = el.parentElement; up && !clipped; up = up.parentElement) {
                    clipped = ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX);
                }
                if (!clipped) found.push(el.tagName.toLowerCase() + "." + el.className);
            }
            return found.slice(0, 8);
        }"""
    )


def test_every_page_fits_a_phone_width(live_server, page: Page, artifacts_dir, demo_data):
    page.goto(f"{live_server.url}/accounts/login/")
    scroll, inner = _widths(page)
    page.screenshot(path=artifacts_dir / "mobile-login.png", full_page=True)
    assert scroll <= inner, ("login", scroll, inner, _overflowing(page))

    page.goto(f"{live_server.url}/incidents/")
    _log_in(page, "demo")
    too_wide = {}
    for name, path in _pages(demo_data):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (name, response.status)
        scroll, inner = _widths(page)
        assert inner == PHONE["width"]
        page.screenshot(path=artifacts_dir / f"mobile-{name}.png", full_page=True)
        if scroll > inner:
            too_wide[name] = (scroll, _overflowing(page))
    assert too_wide == {}, f"pages wider than {PHONE['width']} px: {too_wide}"


def test_phone_navigation_is_a_menu_that_opens_and_leads_to_each_page(
    live_server, page: Page, artifacts_dir, demo_data
):
    page.goto(f"{live_server.url}/incidents/")
    _log_in(page, "demo")
    main_nav = page.get_by_role("navigation", name="Main")
    menu = page.locator(".nav-toggle summary")

    expect(main_nav).to_be_hidden()
    expect(menu).to_be_visible()
    expect(page.locator(".topbar").get_by_role("link", name="Declare")).to_be_visible()
    assert _widths(page)[0] <= PHONE["width"]

    menu.click()
    expect(main_nav).to_be_visible()
    for name in ("Incidents", "Services", "Teams", "Action items", "Weekly review", "Integrations"):
        expect(main_nav.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_test_id("notifications-link")).to_be_visible()
    page.screenshot(path=artifacts_dir / "mobile-menu-open.png")

    main_nav.get_by_role("link", name="Weekly review").click()
    page.wait_for_url(re.compile(r"/dashboard/weekly/$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()  # closed again on the new page
    assert _widths(page)[0] <= PHONE["width"]


def test_refused_time_correction_keeps_the_input_in_the_open_dialog(
    live_server, page: Page, artifacts_dir, expected_console_errors
):
    """In Auckland (far from UTC): the box is filled and read in that zone, and a refusal keeps it all."""
    user = demo.ensure_demo_login(username="demo", password=PASSWORD)
    Profile.objects.create(user=user, time_zone="Pacific/Auckland")
    demo.load(now=timezone.now())
    incident = next(
        incident
        for incident in Incident.objects.filter(status=Status.RESOLVED).order_by("pk")
        if incident.detected_at - incident.started_at >= timedelta(minutes=10)
    )
    # The refusal is a 400, which the browser logs as a failed load.
    expected_console_errors.append(
        f"status of 400 (Bad Request) ({live_server.url}/incidents/{incident.pk}/correct/)"
    )
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    _log_in(page, "demo")

    page.get_by_role("button", name="Correct a time").click()
    dialog = page.locator("#correct-dialog")
    expect(dialog).to_be_visible()
    # Choosing which time fills the box with its current value, in the viewer's zone.
    dialog.get_by_label("Which time").select_option("detected_at")
    expect(dialog.get_by_label("Corrected time")).to_have_value(_typed(incident.detected_at))
    # A time before the impact started is refused.
    too_early = _typed(incident.started_at - timedelta(hours=2))
    dialog.get_by_label("Corrected time").fill(too_early)
    dialog.get_by_label("Reason").fill("The pager fired earlier than we logged")
    dialog.get_by_role("button", name="Correct", exact=True).click()

    dialog = page.locator("#correct-dialog")
    expect(dialog.locator(".error")).to_contain_text("cannot be before the impact started time")
    expect(dialog).to_be_visible()
    page.wait_for_function("document.getElementById('correct-dialog').matches(':modal')")
    expect(dialog.get_by_label("Which time")).to_have_value("detected_at")
    expect(dialog.get_by_label("Corrected time")).to_have_value(too_early)
    expect(dialog.get_by_label("Reason")).to_have_value("The pager fired earlier than we logged")
    expect(dialog).to_contain_text("NZ")  # NZST or NZDT: the viewer's zone, not UTC
    expect(dialog).not_to_contain_text("+00:00")
    assert _widths(page)[0] <= PHONE["width"]
    page.screenshot(path=artifacts_dir / "mobile-correct-a-time-refused.png")
    before = incident.detected_at
    incident.refresh_from_db()
    assert incident.detected_at == before

    # Corrected to a valid time typed in Auckland time: stored as that instant.
    wanted = incident.detected_at - timedelta(minutes=5)
    dialog.get_by_label("Corrected time").fill(_typed(wanted))
    dialog.get_by_role("button", name="Correct", exact=True).click()
    expect(page.locator(".event-stamp_corrected").first).to_be_visible()
    incident.refresh_from_db()
    assert incident.detected_at == wanted.replace(second=0, microsecond=0)


AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")


def _typed(moment) -> str:
    """What a person in Auckland types (or sees) in a datetime-local box for that instant."""
    return moment.astimezone(AUCKLAND).strftime("%Y-%m-%dT%H:%M")
