"""The incident journey in a real browser: log in, declare, walk the phases with htmx, add a note."""

import re

from playwright.sync_api import Page, expect

from tests import factories

PASSWORD = "correct horse battery staple"
PHASES = ("detect", "evaluate", "respond", "recover", "confirm")
# What the `duration` filter prints: "0s", "45s", "2h", "1h 12m", "3d 4h" (a regex is matched against the
# raw text, template whitespace included).
DURATION = re.compile(r"^\s*\d+[dhms]( \d+[hm])?\s*$")
DETAIL_URL = re.compile(r"/incidents/\d+/$")


def _log_in(page: Page, username: str) -> None:
    """Fill the login form the redirect led to, and wait for the page it sends back to."""
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _mark_document(page: Page) -> None:
    """Tag the loaded document: the tag survives htmx swaps and disappears on any navigation."""
    page.evaluate("window.__marker = 1")


def _assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page navigated instead of swapping a fragment"


def test_incident_journey_declare_and_advance_to_resolved_shows_every_phase_done(
    live_server, page: Page, artifacts_dir
):
    factories.user("jo", password=PASSWORD, first_name="Jo")
    team = factories.team("Payments")
    factories.service("Checkout API", team=team, critical=True, cost_per_hour="60000")

    page.goto(live_server.url)
    _log_in(page, "jo")
    expect(page).to_have_url(f"{live_server.url}/incidents/")

    page.locator(".topbar").get_by_role("link", name="Declare incident").click()
    page.wait_for_url(re.compile(r"/incidents/declare/$"))
    page.get_by_label("Title").fill("Checkout returns 502s")
    page.get_by_role("radio", name=re.compile(r"^SEV2:")).check()
    page.get_by_label("Team").select_option(label="Payments")
    page.get_by_label("Checkout API").check()
    page.get_by_role("button", name="Declare incident").click()

    page.wait_for_url(DETAIL_URL)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout returns 502s")
    expect(page.get_by_role("status").first).to_contain_text("declared")
    current = page.locator('.stepper [aria-current="step"]')
    expect(current).to_have_attribute("data-phase", "evaluate")
    _mark_document(page)

    advance = page.get_by_test_id("advance")
    for ending, following in (("evaluate", "respond"), ("respond", "recover"), ("recover", "confirm")):
        expect(advance).to_have_text(f"End {ending}")
        advance.click()
        expect(current).to_have_attribute("data-phase", following)
    expect(advance).to_have_text("End confirm and resolve")
    advance.click()

    expect(page.get_by_test_id("status")).to_have_text("Resolved")
    expect(current).to_have_count(0)
    expect(advance).to_have_count(0)
    steps = page.locator(".stepper .step")
    expect(steps).to_have_count(len(PHASES))
    for phase in PHASES:
        expect(page.locator(f'.stepper [data-phase="{phase}"]')).to_have_class(re.compile(r"\bis-done\b"))
        expect(page.get_by_test_id(f"duration-{phase}")).to_have_text(DURATION)
    for headline in ("ttd", "ttr", "ttres"):
        expect(page.get_by_test_id(headline)).to_have_text(DURATION)
    segments = page.get_by_test_id("anatomy-bar").locator(".segment")
    expect(segments).not_to_have_count(0)
    shares = segments.evaluate_all("nodes => nodes.map(node => parseFloat(node.dataset.share))")
    assert abs(sum(shares) - 100) <= 1, shares

    page.get_by_label("Note").fill("Rolled back the 14:02 deploy; 502s gone.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline .event-note .event-body")).to_have_text(
        "Rolled back the 14:02 deploy; 502s gone."
    )
    expect(page.get_by_label("Note")).to_have_value("")
    _assert_same_document(page)

    page.screenshot(path=artifacts_dir / "incident-journey.png", full_page=True)


def test_incident_journey_jump_through_recover_from_evaluate_marks_skipped_phases(live_server, page: Page):
    user = factories.user("sam", password=PASSWORD)
    team = factories.team("Payments")
    service = factories.service("Checkout API", team=team, critical=True, cost_per_hour="60000")
    incident = factories.incident(
        actor=user, title="Card payments time out", team=team, services_=[service], severity="SEV2"
    )

    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    _log_in(page, "sam")
    expect(page).to_have_url(f"{live_server.url}/incidents/{incident.pk}/")
    current = page.locator('.stepper [aria-current="step"]')
    expect(current).to_have_attribute("data-phase", "evaluate")
    _mark_document(page)

    page.get_by_text("Earlier time or jump ahead").click()
    page.get_by_label("Through").select_option(label="Recover")
    page.get_by_test_id("advance").click()

    expect(current).to_have_attribute("data-phase", "confirm")
    expect(page.get_by_test_id("status")).to_have_text("Active")
    for skipped in ("respond", "recover"):
        expect(page.get_by_test_id(f"duration-{skipped}")).to_have_text("skipped")
        expect(page.locator(f'.stepper [data-phase="{skipped}"]')).to_have_class(
            re.compile(r"\bis-skipped\b")
        )
    expect(page.get_by_test_id("duration-evaluate")).to_have_text("2h")
    segments = page.get_by_test_id("anatomy-bar").locator(".segment")
    # Detect took no time (declared the moment impact began) and respond/recover were skipped:
    # only the phases that took time have a segment.
    expect(segments).to_have_count(2)
    assert segments.evaluate_all("nodes => nodes.map(node => node.dataset.phase)") == ["evaluate", "confirm"]
    _assert_same_document(page)


def test_incident_list_on_a_phone_has_no_horizontal_overflow(live_server, page: Page):
    user = factories.user("kim", password=PASSWORD)
    team = factories.team("Payments and settlement platform")
    services = [
        factories.service(f"Checkout API {n}", team=team, critical=True, cost_per_hour="60000")
        for n in (1, 2)
    ]
    for title in ("Checkout returns 502s for card payments in eu-west-1", "Settlement batch is late"):
        factories.incident(actor=user, title=title, team=team, services_=services, severity="SEV2")
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/incidents/")
    _log_in(page, "kim")
    expect(page.get_by_role("heading", level=1, name="Incidents")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(2)

    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})"
    )
    assert widths["scroll"] <= widths["viewport"] + 1, widths
