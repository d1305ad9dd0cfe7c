"""Browser journeys: Playwright's sync API driving Debian's chromium against pytest-django's live server.

Playwright's own browser download is not used: the tests launch /usr/bin/chromium. Without it they skip
locally and fail in CI (CI set), so a CI image that lost its browser cannot pass silently.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django's ORM would refuse to run beside
# it (SynchronousOnlyOperation) although every call here is in fact synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = E2E_DIR.parent.parent / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    # A conftest's collection hook sees the whole session's items: mark only this folder's.
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # Kept on the item so the page fixture can screenshot a failed test at teardown.
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser journeys."
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict:
    """The window size of the `page` fixture: a laptop. A module overrides it (the phone journeys)."""
    return {"width": 1280, "height": 900}


@pytest.fixture
def expected_console_errors() -> list[str]:
    """Substrings of console errors a test provokes on purpose (a refused form answers 400, which the
    browser logs as a failed load); every other console error still fails the test."""
    return []


@pytest.fixture
def page(request, browser, artifacts_dir, viewport, expected_console_errors):
    """A page in a fresh context (no cookies shared between tests).

    Any console error or uncaught page error fails the test at teardown, so a broken script or a
    failed asset load cannot hide behind an otherwise green journey.
    """
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(5_000)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message):
        line = f"console.error: {message.text} ({message.location.get('url', '')})"
        if message.type == "error" and not any(text in line for text in expected_console_errors):
            problems.append(line)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=artifacts_dir / f"failed-{request.node.name}.png", full_page=True)
    context.close()
    if problems:
        pytest.fail("The browser reported errors:\n" + "\n".join(problems), pytrace=False)
