"""Comment threads in a real browser: comment on a section while its text box holds unsaved typing (the
swap must leave that box alone), reply, resolve, and the mentioned person sees it in the top bar."""

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.test_incident_journey import PASSWORD, _assert_same_document, _log_in, _mark_document


def test_comment_journey_comment_reply_resolve_and_the_mention_reaches_bob(
    live_server, page: Page, browser, artifacts_dir
):
    alice = factories.user("alice", password=PASSWORD, first_name="Alice")
    factories.user("bob", password=PASSWORD, first_name="Bob")
    coe = factories.coe(actor=alice, title="Checkout returns 502s")

    page.goto(f"{live_server.url}/coe/{coe.pk}/")
    _log_in(page, "alice")
    _mark_document(page)
    section_box = page.locator("#body-impact")
    section_box.fill("Typed, not saved yet")  # autosave waits for a 2 s pause: it is still unsaved here

    comments = page.locator("#comments-impact")
    comments.get_by_label(re.compile("New comment on")).fill("@bob where is the **error-rate** graph?")
    comments.get_by_role("button", name="Comment", exact=True).click()

    thread = comments.locator(".thread").first
    expect(thread).to_contain_text("where is the error-rate graph?")
    expect(thread.locator("strong", has_text="error-rate")).to_be_visible()
    expect(section_box).to_have_value("Typed, not saved yet")
    expect(comments.get_by_label(re.compile("New comment on"))).to_have_value("")
    _assert_same_document(page)

    thread.get_by_placeholder("Reply…").fill("Found it: dashboard 12")
    thread.get_by_role("button", name="Reply").click()
    expect(comments.locator(".comment-reply")).to_contain_text("Found it: dashboard 12")

    comments.get_by_role("button", name="Resolve").click()
    resolved = comments.locator("details.thread-resolved")
    expect(resolved).to_be_visible()
    expect(resolved).not_to_have_attribute("open", "")
    expect(resolved.locator(".comment-reply")).to_be_hidden()
    expect(section_box).to_have_value("Typed, not saved yet")
    _assert_same_document(page)
    comments.screenshot(path=artifacts_dir / "coe-comments.png")

    bob_context = browser.new_context(viewport={"width": 1280, "height": 900})
    bob = bob_context.new_page()
    bob.goto(f"{live_server.url}/notifications/")
    _log_in(bob, "bob")
    expect(bob.get_by_test_id("unread-count")).to_have_text("1")
    bob.get_by_role("link", name=re.compile("Alice mentioned you")).click()
    bob.wait_for_url(re.compile(rf"/coe/{coe.pk}/#comment-\d+$"))
    expect(bob.get_by_test_id("notifications-link")).not_to_contain_text("1")
    bob_context.close()
