"""COE journeys in real browsers. Writing a COE together (two people, two contexts, one COE page each):
edits to different sections both land and reach the other page by the poll; edits to the same section
end in the conflict view, a merge and a clean save. The poll runs every half second here
(COE_POLL_SECONDS). And completing a COE in place: a refused factor keeps its text, factors, action
items and the submission change their card only, each with its confirmation."""

import itertools
import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from coe import services
from coe.models import Section
from tests import factories
from tests.e2e.test_incident_journey import PASSWORD, _log_in

KEY = "what_happened"
NOTICE = "Alice saved a newer version; your next save will let you merge."


@pytest.fixture
def expected_console_errors() -> list[re.Pattern]:
    """Console errors a test expects from the second page: Chromium logs every 4xx answer, so the
    conflict view (an intended 409) logs one. Anything else still fails the test."""
    return []


@pytest.fixture
def other_page(request, browser, artifacts_dir, expected_console_errors):
    """A second person's page, in a context of its own (own cookies), watched like the `page` fixture:
    a console error (unless the test expects it) or an uncaught page error fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        if message.type == "error":
            problems.append(f"console.error: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=artifacts_dir / f"failed-{request.node.name}-other.png", full_page=True)
    context.close()
    problems = [p for p in problems if not any(pattern.search(p) for pattern in expected_console_errors)]
    if problems:
        pytest.fail("The second browser reported errors:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def coe(settings, transactional_db):
    settings.COE_POLL_SECONDS = 0.5
    # Presence of this test only (the configured Redis outlives a run and COE ids repeat across runs).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"e2e-{uuid.uuid4()}",
        }
    }
    alice = factories.user("alice", password=PASSWORD, first_name="Alice")
    factories.user("bob", password=PASSWORD, first_name="Bob")
    incident = factories.incident(actor=alice, title="Checkout returns 502s")
    return services.coe_start(incident_id=incident.pk, actor=alice)


def _open(page: Page, url: str, username: str) -> None:
    page.goto(url)
    _log_in(page, username)
    expect(page).to_have_url(url)
    expect(page.locator("#coe-live")).to_be_attached()


def _section(coe, key: str) -> Section:
    return Section.objects.get(coe=coe, key=key)


def _version(number: int) -> re.Pattern:
    return re.compile(rf"\bv{number}\b")


def test_two_people_editing_different_sections_both_save_and_see_each_other(
    live_server, page: Page, other_page: Page, coe
):
    alice, bob = page, other_page
    url = f"{live_server.url}/coe/{coe.pk}/"
    _open(alice, url, "alice")
    _open(bob, url, "bob")
    told = "Checkout returned 502s for 40 minutes after the 14:02 deploy."
    measured = "Retries hid the failure from the error-rate alert."

    alice.locator(f"#body-{KEY}").fill(told)
    bob.locator("#body-lessons").fill(measured)

    # Each sees the other at work, then both autosaves land (neither waits for the other).
    expect(bob.get_by_test_id(f"editors-{KEY}")).to_have_text("editing now: Alice")
    expect(alice.get_by_test_id("editors-lessons")).to_have_text("editing now: Bob")
    expect(alice.get_by_test_id(f"status-{KEY}")).to_contain_text(_version(2))
    expect(bob.get_by_test_id("status-lessons")).to_contain_text(_version(2))
    assert (_section(coe, KEY).body, _section(coe, KEY).version) == (told, 2)
    assert (_section(coe, "lessons").body, _section(coe, "lessons").version) == (measured, 2)

    # Without a reload, each page shows the other's text, preview and version.
    expect(bob.locator(f"#body-{KEY}")).to_have_value(told)
    expect(bob.get_by_test_id(f"rendered-{KEY}")).to_have_text(told)
    expect(bob.locator(f"#version-{KEY}")).to_have_value("2")
    expect(alice.locator("#body-lessons")).to_have_value(measured)
    expect(alice.get_by_test_id("rendered-lessons")).to_have_text(measured)
    expect(alice.get_by_test_id("status-lessons")).to_contain_text(_version(2))

    # The version came along with the text, so building on it is no conflict.
    bob.locator(f"#body-{KEY}").fill(told + " Rolled back at 14:42.")
    bob.locator(f"#section-{KEY}").get_by_role("button", name="Save").click()
    expect(bob.get_by_test_id(f"status-{KEY}")).to_contain_text(_version(3))
    expect(bob.get_by_test_id("conflict")).to_have_count(0)
    expect(alice.locator(f"#body-{KEY}")).to_have_value(told + " Rolled back at 14:42.")


def test_two_people_editing_the_same_section_merge_through_the_conflict_view(
    live_server, page: Page, other_page: Page, coe, artifacts_dir, expected_console_errors
):
    alice, bob = page, other_page
    expected_console_errors.append(
        re.compile(rf"status of 409 \(Conflict\) \(http://[^/]+/coe/{coe.pk}/sections/{KEY}/\)$")
    )
    url = f"{live_server.url}/coe/{coe.pk}/"
    _open(alice, url, "alice")
    _open(bob, url, "bob")
    theirs = "Checkout returned 502s for 40 minutes after the 14:02 deploy."
    bob_box = bob.locator(f"#body-{KEY}")
    notice = bob.get_by_test_id(f"notice-{KEY}")

    alice.locator(f"#body-{KEY}").fill(theirs)
    bob_box.fill("The payment queue backed up")  # Bob starts too: his box is dirty
    alice.locator(f"#section-{KEY}").get_by_role("button", name="Save").click()

    # Bob keeps typing (so his autosave, which waits for a 2 s pause, does not fire) while Alice's save
    # lands and his page's poll brings it; his text and his version stay as they are.
    typing = itertools.cycle(" while the workers restarted")
    deadline = time.monotonic() + 10
    while not notice.is_visible() and time.monotonic() < deadline:
        bob_box.press_sequentially(next(typing))
        bob.wait_for_timeout(100)
    expect(notice).to_have_text(NOTICE)
    expect(alice.get_by_test_id(f"status-{KEY}")).to_contain_text(_version(2))
    expect(bob_box).to_have_value(re.compile(r"^The payment queue backed up"))
    expect(bob.locator(f"#version-{KEY}")).to_have_value("1")
    expect(bob.get_by_test_id(f"rendered-{KEY}")).to_have_text(theirs)  # the preview shows what is saved
    mine = bob_box.input_value().strip()  # what the server keeps (its form strips the ends)

    bob.locator(f"#section-{KEY}").get_by_role("button", name="Save").click()

    conflict = bob.get_by_test_id("conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_test_id("mine")).to_have_text(mine)
    expect(conflict.get_by_test_id("theirs")).to_have_text(theirs)
    mine_box = conflict.get_by_test_id("mine").bounding_box()
    theirs_box = conflict.get_by_test_id("theirs").bounding_box()
    assert mine_box["x"] + mine_box["width"] <= theirs_box["x"] and abs(mine_box["y"] - theirs_box["y"]) < 1
    expect(notice).to_be_hidden()
    expect(bob_box).to_have_value(mine)
    bob.locator(f"#section-{KEY}").screenshot(path=artifacts_dir / "coe-conflict.png")
    assert _section(coe, KEY).body == theirs

    merged = f"{theirs} {mine}"
    bob_box.fill(merged)
    bob.locator(f"#section-{KEY}").get_by_role("button", name="Save").click()

    expect(conflict).to_have_count(0)
    expect(bob.get_by_test_id(f"status-{KEY}")).to_contain_text(_version(3))
    section = _section(coe, KEY)
    assert (section.body, section.version) == (merged, 3)
    expect(alice.locator(f"#body-{KEY}")).to_have_value(merged)
    expect(alice.get_by_test_id(f"status-{KEY}")).to_contain_text(_version(3))


def test_factors_items_and_submit_change_in_place_without_losing_input(
    live_server, other_page: Page, artifacts_dir, expected_console_errors, settings, transactional_db
):
    """One person completes a COE from its page: a refused factor keeps what was typed and says why
    beside the field, the fixed one is added in place, then an action item, then it goes to review;
    each with its confirmation, in the same document, without the page jumping to the top."""
    settings.COE_POLL_SECONDS = 30  # this journey is about one person; the poll stays out of the way
    page = other_page
    expected_console_errors.append(re.compile(r"status of 422 \(Unprocessable (Content|Entity)\)"))
    alice = factories.user("alice", password=PASSWORD, first_name="Alice", last_name="Martin")
    bob = factories.user("bob", password=PASSWORD, first_name="Bob", last_name="Stone", email="b@example.com")
    incident = factories.incident(actor=alice, title="Checkout returns 502s")
    coe = services.coe_start(incident_id=incident.pk, actor=alice)
    for section in coe.sections.all():
        services.coe_section_save(
            coe_id=coe.pk, key=section.key, body=f"Written: {section.key}", base_version=1, actor=alice
        )
    url = f"{live_server.url}/coe/{coe.pk}/"
    page.goto(url)
    _log_in(page, "alice")
    expect(page).to_have_url(url)
    page.evaluate("window.__marker = 1")
    factors = page.locator("#factors")

    # A chain that ends at "human error" is refused: the text stays, the reason is beside the field.
    factors.get_by_label("Statement").fill("Config changes reach every cell at once")
    factors.get_by_label("Category").select_option(label="Process")
    factors.get_by_label("Whys").fill("The pipeline has no staged rollout\nThe root cause was human error")
    factors.scroll_into_view_if_needed()
    factors.get_by_role("button", name="Add factor").click()
    expect(page.locator("#factor-whys_error")).to_contain_text("This chain ends at a person or at human")
    expect(factors.get_by_label("Statement")).to_have_value("Config changes reach every cell at once")
    expect(factors.get_by_label("Whys")).to_have_value(
        "The pipeline has no staged rollout\nThe root cause was human error"
    )
    assert page.evaluate("window.scrollY") > 0, "the page jumped to the top"
    factors.screenshot(path=artifacts_dir / "coe-factor-refused.png")

    factors.get_by_label("Whys").fill("The pipeline has no staged rollout\nConfig was never treated as code")
    factors.get_by_role("button", name="Add factor").click()
    added = "Factor added: Config changes reach every cell at once"
    expect(factors.get_by_role("status")).to_have_text(added)
    expect(factors.locator(".factor")).to_have_count(1)
    expect(factors.get_by_label("Statement")).to_have_value("")  # a fresh form for the next one
    expect(page.get_by_test_id("problems")).not_to_contain_text("contributing factor")

    items = page.locator("#action-items")
    items.get_by_label("Title").fill("Stage config rollouts by cell")
    items.get_by_label("Kind").select_option(label="Prevent")
    items.get_by_label("Owner").select_option(label="Bob Stone")
    items.get_by_label("Due on").fill("2030-01-15")
    items.get_by_role("button", name="Add action item").click()
    expect(items.get_by_role("status")).to_have_text("Action item added: Stage config rollouts by cell")
    expect(items.locator("tbody tr")).to_have_count(1)
    expect(items.locator("tbody tr").first).to_contain_text("Bob Stone")
    expect(page.get_by_test_id("ready")).to_have_text("Ready for review.")

    review = page.locator("#review")
    review.get_by_label("Reviewers").select_option(label="Bob Stone")
    expect(review.get_by_label("Reviewers").locator("option")).not_to_contain_text(["Alice Martin"])
    review.get_by_role("button", name="Submit for review").click()
    expect(review.get_by_role("status")).to_have_text("Sent for review; notified Bob Stone.")
    expect(page.get_by_test_id("coe-state")).to_have_text("In review")
    expect(review.get_by_test_id("reviewers")).to_have_text("Bob Stone: Pending")

    assert page.evaluate("window.__marker") == 1, "the page navigated instead of swapping a fragment"
    assert page.evaluate("window.scrollY") > 0, "the page jumped to the top"
    review.screenshot(path=artifacts_dir / "coe-submitted-in-place.png")
    page.screenshot(path=artifacts_dir / "coe-in-place-journey.png", full_page=True)
    assert bob.notifications.filter(url=f"/coe/{coe.pk}/#review-h").count() == 1


def test_an_approved_coe_reads_as_published_with_its_decisions(
    live_server, page: Page, artifacts_dir, settings, transactional_db
):
    """The owner opens an approved COE: nothing to edit, every decision with who said what, and the
    reopen form (which the service would accept from them)."""
    settings.COE_POLL_SECONDS = 30
    alice = factories.user("alice", password=PASSWORD, first_name="Alice", last_name="Martin")
    bob = factories.user("bob", password=PASSWORD, first_name="Bob", last_name="Stone")
    coe = factories.coe_complete(factories.coe(actor=alice, title="Checkout returns 502s"), actor=alice)
    services.coe_submit(coe_id=coe.pk, actor=alice, reviewers=[bob])
    services.coe_review(coe_id=coe.pk, reviewer=bob, decision="changes_requested", comment="Add the graphs.")
    services.coe_submit(coe_id=coe.pk, actor=alice, reviewers=[bob])
    services.coe_review(coe_id=coe.pk, reviewer=bob, decision="approved", comment="Clear and blameless.")
    url = f"{live_server.url}/coe/{coe.pk}/"

    page.goto(url)
    _log_in(page, "alice")
    expect(page).to_have_url(url)

    expect(page.get_by_test_id("coe-state")).to_have_text("Approved")
    expect(page.locator(".coe-section textarea")).to_have_count(0)
    expect(page.locator("#factors form, #action-items .item-form, #action-items .item-edit")).to_have_count(0)
    decisions = page.get_by_test_id("decisions").locator("li")
    expect(decisions).to_have_count(2)
    expect(decisions.nth(0)).to_contain_text("Changes requested by Bob Stone")
    expect(decisions.nth(0)).to_contain_text("Add the graphs.")
    expect(decisions.nth(1)).to_contain_text("Approved by Bob Stone")
    expect(page.get_by_test_id("reopen-form").get_by_role("button", name="Reopen")).to_be_visible()
    page.locator("#review").screenshot(path=artifacts_dir / "coe-approved-review.png")
