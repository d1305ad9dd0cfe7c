"""Writing a COE together, in two real browsers (two people, two contexts, one COE page each): edits to
different sections both land and reach the other page by the poll; edits to the same section end in the
conflict view, a merge and a clean save. The poll runs every half second here (COE_POLL_SECONDS)."""

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
