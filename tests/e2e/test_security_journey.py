"""The Content-Security-Policy in a real browser: the pages and the API docs work under it with no
violation, and an injected inline handler is refused by it (so "no violation" means something).

Each page records the browser's `securitypolicyviolation` events (an init script, which runs outside
the page's policy), and the `page` fixture fails on any console error as well.
"""

import pytest
from playwright.sync_api import Page, expect

from alerts import services as alert_services
from tests import factories

PASSWORD = "correct horse battery staple"
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def _log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _violations(page: Page) -> list[str]:
    return page.evaluate("window.__violations")


def test_pages_and_api_docs_work_under_the_policy_without_violations(live_server, page: Page, artifacts_dir):
    user = factories.user("jo", password=PASSWORD, first_name="Jo")
    team = factories.team("Payments")
    incident = factories.incident(actor=user, team=team)
    coe = factories.coe(factories.incident(actor=user, team=team, title="Checkout slow"), actor=user)
    integration, _key = alert_services.integration_create(name="gen", kind="generic", team=team)
    page.add_init_script(RECORD_VIOLATIONS)
    _log_in(page, live_server, "jo")

    for path in [
        "/incidents/",
        f"/incidents/{incident.pk}/",
        "/incidents/declare/",
        f"/coe/{coe.pk}/",
        f"/coe/{coe.pk}/print/",
        "/action-items/",
        "/dashboard/weekly/",
        f"/integrations/{integration.pk}/",
        "/channels/",
        "/preferences/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert _violations(page) == [], path

    # htmx runs under the policy: a fragment swap (the phase panel's advance) works.
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.evaluate("window.__marker = 1")
    current = page.locator('.stepper [aria-current="step"]')
    before = current.get_attribute("data-phase")
    page.get_by_test_id("advance").click()
    expect(current).not_to_have_attribute("data-phase", before)
    assert page.evaluate("window.__marker") == 1, "the page navigated instead of swapping a fragment"
    assert _violations(page) == []

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    page.screenshot(path=artifacts_dir / "security-api-docs.png")
    assert _violations(page) == []


@pytest.fixture
def expected_console_errors() -> list[str]:
    return ["inline event handler violates the following Content Security Policy directive 'script-src"]


def test_an_injected_inline_handler_is_refused_by_the_policy(live_server, page: Page):
    factories.user("jo", password=PASSWORD, first_name="Jo")
    page.add_init_script(RECORD_VIOLATIONS)
    _log_in(page, live_server, "jo")

    page.evaluate(
        """document.body.insertAdjacentHTML("beforeend",
             '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="window.__ran = 1">')"""
    )
    page.wait_for_function("window.__violations.length > 0")

    assert page.evaluate("window.__ran") is None
    assert any(violation.startswith("script-src") for violation in _violations(page))
