"""Writing a COE together: presence in the cache (coe.presence, on the configured Redis and on the
in-process cache) and the page's poll and presence ping (coe.live) through Django's test client."""

import random
import threading
import time
import uuid
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.html import escape

from coe import presence, services
from coe.models import Section
from coe.sections import SectionKey
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
T0 = 1_700_000_000.0


def person(pk: int, username: str, first_name: str = "", last_name: str = ""):
    """An unsaved user: presence needs only a primary key and a name, never the database."""
    return get_user_model()(pk=pk, username=username, first_name=first_name, last_name=last_name)


ALICE = person(1, "alice", "Alice")
BOB = person(2, "bob", "Bob", "Stone")
CARO = person(3, "caro")


def at(seconds: float):
    return lambda: T0 + seconds


@pytest.fixture(params=["configured", "locmem"])
def store(request, settings):
    """Each presence test runs on the configured cache (Redis, as in production) and on the in-process one."""
    if request.param == "locmem":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"presence-{uuid.uuid4()}",
            }
        }
    return request.param


@pytest.fixture
def coe_id(store) -> int:
    # The configured cache outlives a test run: a random COE id keeps runs from seeing each other.
    return random.randrange(10**9, 10**12)


# --- coe.presence ------------------------------------------------------------------------------------


def test_mark_names_the_person_on_that_section_only(coe_id):
    presence.mark(coe_id, "impact", ALICE, clock=at(0))

    assert presence.editors(coe_id, "impact", clock=at(1)) == ["Alice"]
    assert presence.editors(coe_id, "lessons", clock=at(1)) == []
    assert presence.editors(coe_id + 1, "impact", clock=at(1)) == []


def test_editors_exclude_the_viewer_and_are_sorted_by_name(coe_id):
    for user in (CARO, BOB, ALICE):
        presence.mark(coe_id, "impact", user, clock=at(0))
    presence.mark(coe_id, "data", BOB, clock=at(0))

    assert presence.editors(coe_id, "impact", clock=at(1)) == ["Alice", "Bob Stone", "caro"]
    assert presence.editors(coe_id, "impact", exclude_user=ALICE, clock=at(1)) == ["Bob Stone", "caro"]
    assert presence.editors_by_section(coe_id, exclude_user=BOB, clock=at(1)) == {"impact": ["Alice", "caro"]}


def test_people_starting_to_type_at_the_same_moment_are_all_listed(coe_id):
    people = [person(pk, f"writer{pk}") for pk in range(10, 18)]
    start = threading.Barrier(len(people))

    def type_in(user):
        start.wait()
        presence.mark(coe_id, "impact", user)

    threads = [threading.Thread(target=type_in, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert presence.editors(coe_id, "impact") == sorted(user.username for user in people)


def test_mark_expires_by_itself_after_the_ttl(coe_id):
    presence.mark(coe_id, "impact", ALICE, ttl=20, clock=at(0))

    assert presence.editors(coe_id, "impact", clock=at(19.5)) == ["Alice"]
    assert presence.editors(coe_id, "impact", clock=at(20.5)) == []


def test_mark_renewed_while_typing_keeps_the_person_present(coe_id):
    presence.mark(coe_id, "impact", ALICE, ttl=20, clock=at(0))
    presence.mark(coe_id, "impact", ALICE, ttl=20, clock=at(15))

    assert presence.editors(coe_id, "impact", clock=at(30)) == ["Alice"]
    assert presence.editors(coe_id, "impact", clock=at(35.5)) == []


def test_one_person_expiring_leaves_the_others(coe_id):
    presence.mark(coe_id, "impact", ALICE, ttl=20, clock=at(0))
    presence.mark(coe_id, "impact", BOB, ttl=20, clock=at(10))

    assert presence.editors(coe_id, "impact", clock=at(25)) == ["Bob Stone"]


def test_ttl_defaults_to_the_setting(coe_id, settings):
    settings.COE_PRESENCE_TTL_SECONDS = 5
    presence.mark(coe_id, "impact", ALICE, clock=at(0))

    assert presence.editors(coe_id, "impact", clock=at(4)) == ["Alice"]
    assert presence.editors(coe_id, "impact", clock=at(6)) == []


def test_expired_entries_leave_the_cache_itself(settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "presence-expiry"}
    }
    now = [T0]
    monkeypatch.setattr(time, "time", lambda: now[0])  # the in-process cache and presence both read it
    presence.mark(7, "impact", ALICE, ttl=2)
    assert cache.get("coe:presence:7") == {("impact", ALICE.pk)}

    now[0] += 3
    assert cache.get("coe:presence:7") is None
    assert cache.get(f"coe:presence:7:impact:{ALICE.pk}") is None
    assert presence.editors(7, "impact") == []


def test_a_new_mark_drops_pairs_the_cache_has_let_go(settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "presence-prune"}
    }
    now = [T0]
    monkeypatch.setattr(time, "time", lambda: now[0])
    presence.mark(8, "impact", ALICE, ttl=10)
    now[0] += 5
    presence.mark(8, "data", BOB, ttl=10)
    now[0] += 6  # Alice's entry is gone, the roster (renewed by Bob) is not
    presence.mark(8, "lessons", CARO, ttl=10)

    assert cache.get("coe:presence:8") == {("data", BOB.pk), ("lessons", CARO.pk)}


def test_presence_never_touches_the_database(coe_id, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        presence.mark(coe_id, "impact", ALICE)
        presence.editors_by_section(coe_id, exclude_user=BOB)


# --- coe.live: the poll and the ping ----------------------------------------------------------------


@pytest.fixture(autouse=False)
def own_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"live-{uuid.uuid4()}",
        }
    }


@pytest.fixture
def incident(user, team, service):
    return factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")


@pytest.fixture
def coe(incident, user, own_cache):
    return services.coe_start(incident_id=incident.pk, actor=user)


@pytest.fixture
def rita(db):
    return factories.user("rita", first_name="Rita")


class OobElements(HTMLParser):
    """id -> (tag, attributes, text) of every out-of-band element of a response."""

    def __init__(self, html: str):
        super().__init__()
        self.found: dict[str, tuple[str, dict, str]] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        oob = "hx-swap-oob" in attrs and attrs.get("id")
        if oob:
            self.found[attrs["id"]] = (tag, attrs, "")
        if tag not in ("input", "br", "img", "hr", "meta", "link"):
            self._open.append(attrs["id"] if oob else None)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id is not None:
                tag, attrs, text = self.found[element_id]
                self.found[element_id] = (tag, attrs, text + data)


def versions(coe, **changed) -> dict[str, int]:
    held = {section.key: section.version for section in Section.objects.filter(coe=coe)}
    return {**held, **changed}


def poll(client, coe, held: dict[str, int]):
    return client.get(f"/coe/{coe.pk}/live/", held, **HTMX)


def save(coe, key: str, body: str, *, actor) -> Section:
    current = Section.objects.get(coe=coe, key=key)
    return services.coe_section_save(
        coe_id=coe.pk, key=key, body=body, base_version=current.version, actor=actor
    )


SECTION_PARTS = ("version-{}", "status-{}", "rendered-{}", "findings-{}", "live-notice-{}", "live-text-{}")


def section_ids(oob: OobElements) -> set[str]:
    return {element_id for element_id in oob.found if not element_id.startswith("live-editors-")}


@pytest.mark.django_db
def test_poll_with_the_current_versions_updates_no_section(client_logged_in, coe):
    response = poll(client_logged_in, coe, versions(coe))

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    oob = OobElements(response.content.decode())
    assert section_ids(oob) == set()
    assert set(oob.found) == {f"live-editors-{key}" for key in SectionKey.values}


@pytest.mark.django_db
def test_poll_returns_out_of_band_updates_only_for_the_changed_sections(client_logged_in, coe, rita):
    held = versions(coe)
    save(coe, "impact", "Checkout failed for **12%** of customers for 40 minutes.", actor=rita)
    save(coe, "lessons", "Retries hid the failure from the error-rate alert.", actor=rita)

    response = poll(client_logged_in, coe, held)

    oob = OobElements(response.content.decode())
    expected = {part.format(key) for key in ("impact", "lessons") for part in SECTION_PARTS}
    assert section_ids(oob) == expected
    tag, attrs, _ = oob.found["version-impact"]
    assert (tag, attrs["value"]) == ("input", "2")
    assert "v2" in oob.found["status-impact"][2] and "Rita" in oob.found["status-impact"][2]
    assert "<strong>12%</strong>" in response.content.decode()
    _, attrs, text = oob.found["live-text-impact"]
    assert (attrs["data-version"], text) == ("2", "Checkout failed for **12%** of customers for 40 minutes.")
    _, attrs, text = oob.found["live-notice-impact"]
    assert "hidden" in attrs  # the page shows it only if the box is being typed in
    assert text == "Rita saved a newer version; your next save will let you merge."


@pytest.mark.django_db
def test_poll_sends_the_findings_of_a_changed_section(client_logged_in, coe, rita):
    held = versions(coe)
    save(coe, "contributing_factors", "The root cause was human error.", actor=rita)

    oob = OobElements(poll(client_logged_in, coe, held).content.decode())

    assert "human error" in oob.found["findings-contributing_factors"][2]


@pytest.mark.django_db
def test_poll_escapes_the_saved_text(client_logged_in, coe, rita):
    held = versions(coe)
    save(coe, "impact", '<script>alert("x")</script> & more', actor=rita)

    html = poll(client_logged_in, coe, held).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert escape('<script>alert("x")</script> & more') in html


@pytest.mark.django_db
def test_poll_without_versions_updates_no_section(client_logged_in, coe, rita):
    save(coe, "impact", "Checkout failed.", actor=rita)

    oob = OobElements(poll(client_logged_in, coe, {"impact": "not-a-number", "bogus": 1}).content.decode())

    assert section_ids(oob) == set()


@pytest.mark.django_db
def test_poll_queries_are_constant_whatever_the_number_of_changed_sections(
    client_logged_in, coe, rita, django_assert_num_queries
):
    held = versions(coe)
    poll(client_logged_in, coe, held)  # the session's first request caches the time zone
    with django_assert_num_queries(3):  # session, user, sections
        poll(client_logged_in, coe, held)

    save(coe, "impact", "Checkout failed.", actor=rita)
    with django_assert_num_queries(5):  # + people's names, dismissed findings
        poll(client_logged_in, coe, held)

    for key in SectionKey.values:
        save(coe, key, f"Rewritten {key}.", actor=rita)
    with django_assert_num_queries(5):
        response = poll(client_logged_in, coe, held)
    assert len(section_ids(OobElements(response.content.decode()))) == len(SECTION_PARTS) * len(SectionKey)


@pytest.mark.django_db
def test_poll_says_who_is_editing_each_section_but_not_the_viewer(client_logged_in, coe, user, rita):
    bea = factories.user("bea", first_name="Bea")
    presence.mark(coe.pk, "impact", rita)
    presence.mark(coe.pk, "impact", bea)
    presence.mark(coe.pk, "lessons", user)  # the viewer

    oob = OobElements(poll(client_logged_in, coe, versions(coe)).content.decode())

    assert oob.found["live-editors-impact"][2] == "editing now: Bea, Rita"
    assert "hidden" not in oob.found["live-editors-impact"][1]
    assert oob.found["live-editors-lessons"][2] == ""
    assert "hidden" in oob.found["live-editors-lessons"][1]


@pytest.mark.django_db
def test_presence_ping_marks_the_sender_and_answers_no_content(
    client_logged_in, coe, user, django_assert_num_queries
):
    client_logged_in.get(f"/coe/{coe.pk}/")  # the session's first request caches the time zone
    with django_assert_num_queries(2):  # session and user: nothing of the COE is read or written
        response = client_logged_in.post(f"/coe/{coe.pk}/sections/impact/presence/", **HTMX)

    assert response.status_code == 204
    assert presence.editors(coe.pk, "impact") == ["Alice"]
    assert presence.editors(coe.pk, "impact", exclude_user=user) == []


@pytest.mark.django_db
def test_presence_ping_of_an_unknown_section_is_404_and_needs_post(client_logged_in, coe):
    assert client_logged_in.post(f"/coe/{coe.pk}/sections/nope/presence/").status_code == 404
    assert client_logged_in.get(f"/coe/{coe.pk}/sections/impact/presence/").status_code == 405


@pytest.mark.django_db
def test_poll_of_an_unknown_coe_is_404(client_logged_in, own_cache):
    assert client_logged_in.get("/coe/999999/live/").status_code == 404


@pytest.mark.django_db
def test_poll_and_ping_need_a_login(client, coe):
    for response in (
        client.get(f"/coe/{coe.pk}/live/", versions(coe)),
        client.post(f"/coe/{coe.pk}/sections/impact/presence/"),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert presence.editors(coe.pk, "impact") == []


@pytest.mark.django_db
def test_coe_page_polls_once_at_the_configured_interval_with_a_live_slot_per_section(
    client_logged_in, coe, settings
):
    settings.COE_POLL_SECONDS = 2.5
    settings.COE_PRESENCE_TTL_SECONDS = 20

    html = client_logged_in.get(f"/coe/{coe.pk}/").content.decode()

    assert html.count('hx-trigger="load, every 2.5s, coe:poll"') == 1
    assert f'hx-get="/coe/{coe.pk}/live/"' in html
    assert 'data-presence-every="5000"' in html
    for key in SectionKey.values:
        assert f'data-presence-url="/coe/{coe.pk}/sections/{key}/presence/"' in html
        assert f'id="live-notice-{key}"' in html and f'id="live-text-{key}"' in html


@pytest.mark.django_db
def test_conflict_view_keeps_a_hidden_preview_for_out_of_band_updates(client_logged_in, coe, rita):
    save(coe, "impact", "Theirs.", actor=rita)

    response = client_logged_in.post(
        f"/coe/{coe.pk}/sections/impact/", {"body": "Mine.", "version": 1, "autosave": "1"}, **HTMX
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    # An autosave or a poll swaps #rendered-impact out of band: without a target htmx logs an error.
    assert html.count(' id="rendered-impact"') == 1
