"""The COE pages through Django's test client (with HX-Request for the htmx fragments), on the real
database: starting a COE from the incident page, the COE page, section saves (full fragment, autosave,
conflict), history and restore, factors, action items, submit, review, reopen, login, and sanitizing."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from coe import services
from coe.models import (
    ActionItem,
    ActionKind,
    ActionStatus,
    Coe,
    CoeState,
    ContributingFactor,
    ReviewDecision,
    Reviewer,
    Revision,
    Section,
)
from coe.sections import GUIDANCE, SectionKey
from incidents import services as incident_services
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def incident(user, team, service):
    return factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")


@pytest.fixture
def coe(incident, user):
    return services.coe_start(incident_id=incident.pk, actor=user)


@pytest.fixture
def complete(coe, user):
    return factories.coe_complete(coe, actor=user)


@pytest.fixture
def rita(db):
    return factories.user("rita", first_name="Rita")


def page(coe: Coe) -> str:
    return f"/coe/{coe.pk}/"


def section_url(coe: Coe, key: str) -> str:
    return f"/coe/{coe.pk}/sections/{key}/"


def section(coe: Coe, key: str) -> Section:
    return Section.objects.get(coe=coe, key=key)


def save_section(client, coe: Coe, key: str, body: str, *, version: int, htmx: bool = True, autosave=False):
    data = {"body": body, "version": version, **({"autosave": "1"} if autosave else {})}
    return client.post(section_url(coe, key), data, **(HTMX if htmx else {}))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state(coe: Coe) -> str:
    return Coe.objects.get(pk=coe.pk).state


def textarea(content: str, key: str) -> str:
    """The text inside a section's textarea, as served (HTML-escaped)."""
    match = re.search(rf'<textarea name="body" id="body-{key}"[^>]*>(.*?)</textarea>', content, re.S)
    assert match, f"no textarea for {key}"
    return match.group(1)


def element(content: str, testid: str) -> str:
    """The inner HTML of the element with this data-testid (nested elements of its kind included)."""
    opening = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>', content)
    assert opening, f"no element with data-testid={testid}"
    tag, depth, position = opening.group(1), 1, opening.end()
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", content[position:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return content[position : position + match.start()]
    raise AssertionError(f"unclosed <{tag}> for data-testid={testid}")


def snapshot(coe: Coe) -> dict:
    """What a refused request must leave untouched."""
    row = Coe.objects.get(pk=coe.pk)
    return {
        "coe": (row.state, row.submitted_at, row.approved_at),
        "sections": list(
            Section.objects.filter(coe=coe).order_by("key").values_list("key", "body", "version")
        ),
        "revisions": Revision.objects.filter(section__coe=coe).count(),
        "factors": list(ContributingFactor.objects.filter(coe=coe).values_list("statement", "whys")),
        "items": list(ActionItem.objects.filter(coe=coe).values_list("title", "status")),
        "reviewers": list(Reviewer.objects.filter(coe=coe).values_list("user", "decision")),
    }


# --- starting a COE from the incident page -------------------------------------------------------


def test_incident_page_offers_start_coe(client_logged_in, incident):
    content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    assert f'action="/incidents/{incident.pk}/coe/start/"' in content
    assert 'data-testid="start-coe">Start COE<' in content


def test_start_from_the_incident_page_redirects_to_the_new_coe(client_logged_in, incident, user):
    response = client_logged_in.post(f"/incidents/{incident.pk}/coe/start/")

    coe = Coe.objects.get(incident=incident)
    assert response.status_code == 302
    assert response["Location"] == f"/coe/{coe.pk}/"
    assert coe.sections.count() == 6
    assert messages_of(response) == ["COE started, prefilled from the incident. Edit every section."]


def test_start_a_second_time_redirects_to_the_same_coe(client_logged_in, incident, coe):
    response = client_logged_in.post(f"/incidents/{incident.pk}/coe/start/")

    assert response.status_code == 302
    assert response["Location"] == f"/coe/{coe.pk}/"
    assert Coe.objects.filter(incident=incident).count() == 1


def test_incident_page_links_to_its_coe_once_started(client_logged_in, incident, coe):
    content = client_logged_in.get(f"/incidents/{incident.pk}/").content.decode()

    assert f'href="/coe/{coe.pk}/" data-testid="open-coe">COE (draft)</a>' in content
    assert 'data-testid="start-coe"' not in content


def test_start_for_an_unknown_incident_is_404(client_logged_in):
    assert client_logged_in.post("/incidents/987654/coe/start/").status_code == 404


def test_start_needs_a_post(client_logged_in, incident):
    assert client_logged_in.get(f"/incidents/{incident.pk}/coe/start/").status_code == 405
    assert not Coe.objects.exists()


# --- the COE page --------------------------------------------------------------------------------


def test_page_shows_the_six_sections_in_order_with_their_guidance(client_logged_in, coe):
    response = client_logged_in.get(page(coe))

    assert response.status_code == 200
    content = response.content.decode()
    positions = [content.index(f'id="section-{key.value}"') for key in SectionKey]
    assert positions == sorted(positions)
    for key in SectionKey:
        assert f'<h2 id="h-{key.value}">{escape(key.label)}</h2>' in content
        assert f"<p>{escape(GUIDANCE[key].good)}</p>" in content
        for question in GUIDANCE[key].questions:
            assert f"<li>{escape(question)}</li>" in content


def test_page_shows_the_prefilled_text_rendered_and_in_the_editor(client_logged_in, coe):
    content = client_logged_in.get(page(coe)).content.decode()

    impact = element(content, "rendered-impact")
    assert "<li>Downtime: 2h</li>" in impact
    assert "Estimated cost: $" in impact
    assert textarea(content, "impact") == escape(section(coe, "impact").body)
    assert "<table>" in element(content, "rendered-data")
    assert 'value="1"' in content and 'id="version-lessons"' in content


def test_page_shows_state_owner_and_due_date(client_logged_in, coe):
    content = client_logged_in.get(page(coe)).content.decode()

    assert 'data-testid="coe-state">Draft<' in content
    assert "Owner Alice" in content
    assert coe.due_on.strftime("due %a %-d %b %Y") in content
    assert "(overdue)" not in content


def test_page_marks_an_overdue_coe(client_logged_in, coe):
    Coe.objects.filter(pk=coe.pk).update(due_on=timezone.localdate() - timezone.timedelta(days=1))

    assert "(overdue)" in client_logged_in.get(page(coe)).content.decode()


def test_page_lists_what_keeps_it_from_review(client_logged_in, coe):
    content = client_logged_in.get(page(coe)).content.decode()

    problems = element(content, "problems")
    for key in SectionKey:
        assert escape(key.label) in problems
    assert "contributing factor" in problems
    assert "prevent" in problems


def test_page_of_a_complete_coe_is_ready_for_review(client_logged_in, complete):
    content = client_logged_in.get(page(complete)).content.decode()

    assert 'data-testid="problems"' not in content
    assert "Ready for review." in content


def test_page_of_an_unknown_coe_is_404(client_logged_in):
    assert client_logged_in.get("/coe/987654/").status_code == 404


def build(size: int, *, owner) -> tuple[Coe, object]:
    """A COE in review with `size` factors, action items and reviewers; returns it and one reviewer."""
    coe = factories.coe_complete(factories.coe(actor=owner), actor=owner)
    for number in range(1, size):
        services.factor_save(
            coe_id=coe.pk, actor=owner, statement=f"Factor {number}", category="tooling", whys=["w1", "w2"]
        )
        services.action_item_save(
            coe_id=coe.pk, actor=owner, title=f"Item {number}", owner=factories.user(), kind=ActionKind.DETECT
        )
    reviewers = [factories.user() for _ in range(size)]
    services.coe_submit(coe_id=coe.pk, actor=owner, reviewers=reviewers)
    return coe, reviewers[0]


def page_queries(client, coe: Coe, viewer) -> int:
    client.force_login(viewer)
    client.get(page(coe))  # the first request of a session caches the viewer's time zone
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page(coe)).status_code == 200
    return len(queries)


def test_page_query_count_does_not_grow_with_factors_items_and_reviewers(client, user):
    small, small_reviewer = build(1, owner=user)
    large, large_reviewer = build(10, owner=user)
    assert (large.factors.count(), large.action_items.count(), large.reviewers.count()) == (10, 10, 10)

    assert page_queries(client, small, small_reviewer) == page_queries(client, large, large_reviewer)


@pytest.mark.parametrize("size", [1, 10])
def test_page_issues_a_fixed_number_of_queries(client, user, django_assert_num_queries, size):
    coe, reviewer = build(size, owner=user)
    client.force_login(reviewer)
    client.get(page(coe))

    # session, user, COE (with incident, team, owner), sections, factors, action items, reviewers,
    # people (for the language findings), events (dismissed findings), the prevent-item check, the
    # owner picker of the action item form, the comment threads of all six sections, and the unread
    # notification count of the top bar
    with django_assert_num_queries(14):  # includes the owner list of the inline action-item editors
        assert client.get(page(coe)).status_code == 200


# --- saving a section ----------------------------------------------------------------------------


def test_save_with_htmx_answers_the_whole_section_fragment(client_logged_in, coe, user):
    response = save_section(
        client_logged_in, coe, "lessons", "## Learned\n\n- configs need **schemas**", version=1
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<section class="card coe-section" id="section-lessons"')
    assert "<h2>Learned</h2>\n<ul>\n<li>configs need <strong>schemas</strong></li>\n</ul>" in content
    assert textarea(content, "lessons") == "## Learned\n\n- configs need **schemas**"
    assert 'id="version-lessons" value="2"' in content
    assert "written" in element(content, "status-lessons")
    assert "HX-Retarget" not in response
    saved = section(coe, "lessons")
    assert (saved.body, saved.version, saved.updated_by) == (
        "## Learned\n\n- configs need **schemas**",
        2,
        user,
    )


def test_autosave_answers_only_out_of_band_fragments(client_logged_in, coe):
    response = save_section(client_logged_in, coe, "lessons", "*draft* one", version=1, autosave=True)

    assert response.status_code == 200
    content = response.content.decode()
    assert "<textarea" not in content
    assert "<section" not in content
    assert re.search(
        r'<input type="hidden" name="version" id="version-lessons" value="2" hx-swap-oob="true">', content
    )
    assert re.search(r'<span [^>]*id="status-lessons" hx-swap-oob="true"', content)
    assert re.search(
        r'<div [^>]*id="rendered-lessons"[^>]*hx-swap-oob="true">\s*<p><em>draft</em> one</p>', content
    )
    assert section(coe, "lessons").version == 2


def test_autosave_twice_in_a_row_uses_the_version_it_was_given_back(client_logged_in, coe):
    save_section(client_logged_in, coe, "lessons", "one", version=1, autosave=True)

    response = save_section(client_logged_in, coe, "lessons", "one two", version=2, autosave=True)

    assert response.status_code == 200
    assert 'value="3"' in response.content.decode()
    assert section(coe, "lessons").body == "one two"


def test_save_on_a_stale_version_answers_409_with_both_texts_and_keeps_mine(client_logged_in, coe):
    bob = factories.user("bob", first_name="Bob", last_name="Builder")
    services.coe_section_save(
        coe_id=coe.pk, key="lessons", body="Bob's <b>saved</b> text", base_version=1, actor=bob
    )
    before = snapshot(coe)

    response = save_section(client_logged_in, coe, "lessons", "Alice's unsaved & typed text", version=1)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#section-lessons"
    assert response["HX-Reswap"] == "outerHTML"
    content = response.content.decode()
    conflict = element(content, "conflict")
    assert "Yours (not saved)" in conflict
    assert "Saved by Bob Builder (v2)" in conflict
    assert element(content, "mine") == escape("Alice's unsaved & typed text")
    assert element(content, "theirs") == escape("Bob's <b>saved</b> text")
    assert textarea(content, "lessons") == escape("Alice's unsaved & typed text")
    assert 'id="version-lessons" value="2"' in content  # the merge is based on their version
    assert snapshot(coe) == before


def test_two_saves_on_the_same_version_one_succeeds_the_other_gets_409_with_its_text(client, coe, user):
    bob = factories.user("bob")
    alice_client, bob_client = client, Client()
    alice_client.force_login(user)
    bob_client.force_login(bob)

    first = save_section(alice_client, coe, "prevention", "Alice: add a schema check", version=1)
    second = save_section(bob_client, coe, "prevention", "Bob: add a canary", version=1)

    assert (first.status_code, second.status_code) == (200, 409)
    assert textarea(second.content.decode(), "prevention") == "Bob: add a canary"
    assert element(second.content.decode(), "theirs") == "Alice: add a schema check"
    assert section(coe, "prevention").body == "Alice: add a schema check"
    assert not Revision.objects.filter(body="Bob: add a canary").exists()


def test_autosave_on_a_stale_version_shows_the_conflict_in_place(client_logged_in, coe, user):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="theirs", base_version=1, actor=user)

    response = save_section(client_logged_in, coe, "lessons", "mine", version=1, autosave=True)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#section-lessons"
    content = response.content.decode()
    assert "hx-swap-oob" not in content
    assert "Yours (not saved)" in content
    assert textarea(content, "lessons") == "mine"


def test_save_without_htmx_redirects_to_the_page(client_logged_in, coe):
    response = save_section(client_logged_in, coe, "lessons", "Plain form post", version=1, htmx=False)

    assert response.status_code == 302
    assert response["Location"] == page(coe)
    assert section(coe, "lessons").body == "Plain form post"


def test_save_without_htmx_on_a_stale_version_shows_the_conflict_and_writes_nothing(
    client_logged_in, coe, user
):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="theirs", base_version=1, actor=user)
    before = snapshot(coe)

    response = save_section(client_logged_in, coe, "lessons", "mine", version=1, htmx=False)

    assert response.status_code == 409
    content = response.content.decode()
    assert 'data-testid="conflict"' in content
    assert "theirs" in content and "mine" in content
    assert snapshot(coe) == before


def test_save_without_htmx_on_a_stale_version_keeps_the_typed_text(client_logged_in, coe, user):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="theirs", base_version=1, actor=user)

    response = save_section(
        client_logged_in, coe, "lessons", "my long unsaved paragraph", version=1, htmx=False
    )

    followed = client_logged_in.get(response["Location"]) if response.status_code == 302 else response
    assert "my long unsaved paragraph" in response.content.decode() + followed.content.decode()


def test_save_on_an_approved_coe_shows_the_read_only_error_in_place(client_logged_in, complete, rita, user):
    services.coe_submit(coe_id=complete.pk, actor=user, reviewers=[rita])
    services.coe_review(coe_id=complete.pk, reviewer=rita, decision="approved")
    before = snapshot(complete)
    version = section(complete, "lessons").version

    response = save_section(client_logged_in, complete, "lessons", "late edit", version=version)

    assert response.status_code == 409
    assert response["HX-Retarget"] == "#section-lessons"
    assert "approved and published" in response.content.decode()
    assert 'data-testid="conflict"' not in response.content.decode()
    assert snapshot(complete) == before


def test_save_without_htmx_on_an_approved_coe_says_it_is_read_only(client_logged_in, complete, rita, user):
    services.coe_submit(coe_id=complete.pk, actor=user, reviewers=[rita])
    services.coe_review(coe_id=complete.pk, reviewer=rita, decision="approved")

    response = save_section(
        client_logged_in,
        complete,
        "lessons",
        "late",
        version=section(complete, "lessons").version,
        htmx=False,
    )

    assert any("approved" in message for message in messages_of(response))


def test_save_of_an_unknown_section_is_404(client_logged_in, coe):
    before = snapshot(coe)

    assert save_section(client_logged_in, coe, "summary", "x", version=1).status_code == 404
    assert snapshot(coe) == before


def test_save_on_an_unknown_coe_is_404(client_logged_in):
    assert (
        client_logged_in.post("/coe/987654/sections/lessons/", {"body": "x", "version": 1}).status_code == 404
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"body": "x"}, id="no-version"),
        pytest.param({"body": "x", "version": "abc"}, id="version-not-a-number"),
        pytest.param({"body": "x", "version": "0"}, id="version-zero"),
        pytest.param({"body": "x" * 100_001, "version": "1"}, id="body-too-long"),
    ],
)
def test_save_with_an_invalid_form_is_400_and_writes_nothing(client_logged_in, coe, data):
    before = snapshot(coe)

    assert client_logged_in.post(section_url(coe, "lessons"), data, **HTMX).status_code == 400
    assert snapshot(coe) == before


def test_save_needs_a_post(client_logged_in, coe):
    assert client_logged_in.get(section_url(coe, "lessons")).status_code == 405


# --- history and restore -------------------------------------------------------------------------


def test_history_shows_each_version_with_its_diff(client_logged_in, coe, user):
    for body in ("line one\nline two", "line one\nline 2\nline three"):
        services.coe_section_save(
            coe_id=coe.pk, key="lessons", body=body, base_version=section(coe, "lessons").version, actor=user
        )

    response = client_logged_in.get(f"/coe/{coe.pk}/sections/lessons/history/")

    assert response.status_code == 200
    content = response.content.decode()
    assert [int(v) for v in re.findall(r"<h2>Version (\d+)", content)] == [3, 2, 1]
    version_3 = content.split("<h2>Version 3")[1].split("<h2>Version 2")[0]
    assert '<span class="del">-line two</span>' in version_3
    assert '<span class="add">+line 2</span>' in version_3
    assert '<span class="add">+line three</span>' in version_3
    assert '<span class="">' in version_3  # the unchanged context line
    version_2 = content.split("<h2>Version 2")[1].split("<h2>Version 1")[0]
    assert '<span class="add">+line one</span>' in version_2
    assert "(no change in text)" in content.split("<h2>Version 1")[1]  # started empty


def test_history_offers_restore_for_every_version_but_the_current_one(client_logged_in, coe, user):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="two", base_version=1, actor=user)

    content = client_logged_in.get(f"/coe/{coe.pk}/sections/lessons/history/").content.decode()

    assert f'action="/coe/{coe.pk}/sections/lessons/restore/1/"' in content
    assert f'action="/coe/{coe.pk}/sections/lessons/restore/2/"' not in content


def test_history_escapes_the_text(client_logged_in, coe, user):
    services.coe_section_save(
        coe_id=coe.pk, key="lessons", body="<script>alert(1337)</script>", base_version=1, actor=user
    )

    content = client_logged_in.get(f"/coe/{coe.pk}/sections/lessons/history/").content.decode()

    assert "<script>alert(1337)" not in content
    assert "+&lt;script&gt;alert(1337)&lt;/script&gt;" in content


@pytest.mark.parametrize(
    "url", ["/coe/{pk}/sections/summary/history/", "/coe/987654/sections/lessons/history/"]
)
def test_history_of_an_unknown_section_or_coe_is_404(client_logged_in, coe, url):
    assert client_logged_in.get(url.format(pk=coe.pk)).status_code == 404


def test_restore_through_the_page_makes_a_new_version(client_logged_in, coe, user):
    prefilled = section(coe, "impact").body
    services.coe_section_save(coe_id=coe.pk, key="impact", body="rewritten", base_version=1, actor=user)

    response = client_logged_in.post(f"/coe/{coe.pk}/sections/impact/restore/1/")

    assert response.status_code == 302
    assert response["Location"] == page(coe)
    assert messages_of(response) == ["Version 1 restored (as a new version)."]
    restored = section(coe, "impact")
    assert (restored.body, restored.version) == (prefilled, 3)
    history = client_logged_in.get(f"/coe/{coe.pk}/sections/impact/history/").content.decode()
    assert 'Version 3 <span class="muted small">(restored from v1)</span>' in history


def test_restore_of_an_unknown_version_says_so_and_changes_nothing(client_logged_in, coe):
    before = snapshot(coe)

    response = client_logged_in.post(f"/coe/{coe.pk}/sections/impact/restore/9/")

    assert response.status_code == 302
    assert messages_of(response) == ["Version 9 of this section does not exist."]
    assert snapshot(coe) == before


def test_restore_of_an_unknown_section_changes_nothing(client_logged_in, coe):
    before = snapshot(coe)

    response = client_logged_in.post(f"/coe/{coe.pk}/sections/summary/restore/1/")

    assert response.status_code == 302  # refused with a message, never a 500
    (message,) = messages_of(response)
    assert "summary" in message.lower() or "section" in message.lower(), message
    assert snapshot(coe) == before


# --- factors and action items --------------------------------------------------------------------


def test_factor_add_through_the_page(client_logged_in, coe):
    response = client_logged_in.post(
        f"/coe/{coe.pk}/factors/",
        {
            "statement": "Config changes skip validation",
            "category": "process",
            "whys": "No schema\n\n  The schema was never owned  \n",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == page(coe) + "#factors"
    assert messages_of(response) == ["Factor added: Config changes skip validation"]
    factor = ContributingFactor.objects.get(coe=coe)
    assert (factor.statement, factor.category, factor.whys) == (
        "Config changes skip validation",
        "process",
        ["No schema", "The schema was never owned"],
    )
    content = client_logged_in.get(page(coe)).content.decode()
    assert "<strong>Config changes skip validation</strong>" in content
    assert "<li>Why? The schema was never owned</li>" in content


def test_factor_add_with_six_whys_is_refused_on_the_page_keeping_what_was_typed(client_logged_in, coe):
    whys = "\n".join(f"why {n}" for n in range(6))
    response = client_logged_in.post(
        f"/coe/{coe.pk}/factors/", {"statement": "Too deep", "category": "process", "whys": whys}
    )

    assert response.status_code == 422
    content = response.content.decode()
    form = element(content, "factor-form")
    assert 'id="factor-whys_error" role="alert">At most 5 whys.</p>' in form
    assert 'value="Too deep"' in form and f">\n{whys}</textarea>" in form
    assert not ContributingFactor.objects.filter(coe=coe).exists()


def test_factor_add_with_an_invalid_form_names_the_fields_beside_them(client_logged_in, coe):
    response = client_logged_in.post(f"/coe/{coe.pk}/factors/", {"statement": "", "category": "blame"})

    assert response.status_code == 422
    form = element(response.content.decode(), "factor-form")
    assert 'id="factor-statement_error" role="alert">This field is required.</p>' in form
    assert 'id="factor-category_error" role="alert">Select a valid choice.' in form
    assert not ContributingFactor.objects.filter(coe=coe).exists()


def test_factor_delete_through_the_page(client_logged_in, coe, user):
    factor = services.factor_save(coe_id=coe.pk, actor=user, statement="Gone", category="tooling", whys=["w"])

    response = client_logged_in.post(f"/coe/{coe.pk}/factors/{factor.pk}/delete/")

    assert response.status_code == 302
    assert not ContributingFactor.objects.filter(pk=factor.pk).exists()


def item_form(**overrides) -> dict:
    return {
        "title": "Validate configs in CI",
        "description": "",
        "owner": "",
        "due_on": "",
        "priority": "high",
        "kind": "prevent",
        "status": "open",
        "wont_do_reason": "",
        "tracker_url": "",
        **overrides,
    }


def test_action_item_add_through_the_page(client_logged_in, coe, rita):
    due = timezone.localdate() + timezone.timedelta(days=7)

    response = client_logged_in.post(
        f"/coe/{coe.pk}/action-items/",
        item_form(owner=rita.pk, due_on=due.isoformat(), tracker_url="https://tracker.example/OPS-7"),
    )

    assert response.status_code == 302
    item = ActionItem.objects.get(coe=coe)
    assert (item.title, item.owner, item.due_on, item.kind, item.priority) == (
        "Validate configs in CI",
        rita,
        due,
        ActionKind.PREVENT,
        "high",
    )
    content = client_logged_in.get(page(coe)).content.decode()
    assert '<td>Validate configs in CI <a class="small" href="https://tracker.example/OPS-7"' in content
    assert "<td>Rita</td>" in content
    assert "Add at least one “prevent” action item" not in content


def test_action_item_wont_do_without_a_reason_is_refused_beside_the_reason(client_logged_in, coe):
    response = client_logged_in.post(f"/coe/{coe.pk}/action-items/", item_form(status="wont_do"))

    assert response.status_code == 422
    form = element(response.content.decode(), "item-form")
    assert 'id="item-wont_do_reason_error" role="alert">Say why it won&#x27;t be done.</p>' in form
    assert 'value="Validate configs in CI"' in form
    assert not ActionItem.objects.filter(coe=coe).exists()


def test_action_item_edit_through_the_page_marks_it_done(client_logged_in, coe, user):
    item = services.action_item_save(coe_id=coe.pk, actor=user, title="Canary")

    client_logged_in.post(f"/coe/{coe.pk}/action-items/{item.pk}/", item_form(title="Canary", status="done"))

    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    assert item.completed_at is not None


# --- submit, review, reopen ----------------------------------------------------------------------


def test_submit_with_problems_shows_them_and_changes_nothing(client_logged_in, coe, rita):
    before = snapshot(coe)

    response = client_logged_in.post(f"/coe/{coe.pk}/submit/", {"reviewers": [rita.pk]})

    assert response.status_code == 422
    message = response.context["review_refused"]
    assert message.startswith("Not ready for review: ")
    assert f'<option value="{rita.pk}" selected>Rita</option>' in element(
        response.content.decode(), "submit-form"
    )
    for key in SectionKey:
        assert key.label in message
    assert "contributing factor" in message and "prevent" in message
    assert escape(message) in response.content.decode()
    assert snapshot(coe) == before


def test_submit_without_reviewers_names_the_missing_reviewer(client_logged_in, complete):
    before = snapshot(complete)

    response = client_logged_in.post(f"/coe/{complete.pk}/submit/", {})

    assert response.status_code == 422
    message = response.context["review_refused"]
    assert message.startswith("Not ready for review: ")
    assert "reviewer" in message
    assert snapshot(complete) == before


def test_submit_a_complete_coe_puts_it_in_review(client_logged_in, complete, rita):
    sam = factories.user("sam")

    client_logged_in.post(f"/coe/{complete.pk}/submit/", {"reviewers": [rita.pk, sam.pk]})

    assert state(complete) == CoeState.IN_REVIEW
    content = client_logged_in.get(page(complete)).content.decode()
    assert 'data-testid="coe-state">In review<' in content
    assert "<li>Rita: Pending</li>" in content
    assert "<li>sam: Pending</li>" in content
    assert f'action="/coe/{complete.pk}/review/#review"' not in content  # alice is not a reviewer


@pytest.fixture
def in_review(complete, user, rita):
    services.coe_submit(coe_id=complete.pk, actor=user, reviewers=[rita])
    return complete


@pytest.fixture
def as_rita(client, rita):
    client.force_login(rita)
    return client


def test_review_form_is_shown_to_a_named_reviewer(as_rita, in_review):
    assert f'action="/coe/{in_review.pk}/review/#review"' in as_rita.get(page(in_review)).content.decode()


def test_review_approve_through_the_page_approves_and_offers_reopen(as_rita, in_review):
    response = as_rita.post(f"/coe/{in_review.pk}/review/", {"decision": "approved", "comment": "Clear."})

    assert response.status_code == 302
    assert state(in_review) == CoeState.APPROVED
    content = as_rita.get(page(in_review)).content.decode()
    assert 'data-testid="coe-state">Approved<' in content
    assert "published and read-only" in content
    assert f'action="/coe/{in_review.pk}/reopen/#review"' in content


def test_review_request_changes_needs_a_comment(as_rita, in_review):
    before = snapshot(in_review)

    response = as_rita.post(f"/coe/{in_review.pk}/review/", {"decision": "changes_requested", "comment": ""})

    assert messages_of(response) == ["Say what should change."]
    assert snapshot(in_review) == before


def test_review_request_changes_sends_it_back_to_draft(as_rita, in_review, rita):
    as_rita.post(f"/coe/{in_review.pk}/review/", {"decision": "changes_requested", "comment": "Add graphs"})

    assert state(in_review) == CoeState.DRAFT
    assert Reviewer.objects.get(coe=in_review, user=rita).decision == ReviewDecision.CHANGES_REQUESTED


def test_review_by_someone_not_named_is_refused_with_a_message(client_logged_in, in_review):
    before = snapshot(in_review)

    response = client_logged_in.post(f"/coe/{in_review.pk}/review/", {"decision": "approved"})

    assert messages_of(response) == ["Only a named reviewer can review this COE."]
    assert snapshot(in_review) == before


def test_reopen_through_the_page_needs_a_reason(client_logged_in, in_review, rita):
    services.coe_review(coe_id=in_review.pk, reviewer=rita, decision="approved")

    refused = client_logged_in.post(f"/coe/{in_review.pk}/reopen/", {"reason": ""})

    assert "reason:" in messages_of(refused)[0]
    assert state(in_review) == CoeState.APPROVED

    client_logged_in.post(f"/coe/{in_review.pk}/reopen/", {"reason": "Same outage again"})

    assert state(in_review) == CoeState.REOPENED
    assert Reviewer.objects.get(coe=in_review, user=rita).decision == ReviewDecision.PENDING
    content = client_logged_in.get(page(in_review)).content.decode()
    assert 'data-testid="coe-state">Reopened<' in content
    assert f'action="/coe/{in_review.pk}/submit/#review"' in content


# --- login ---------------------------------------------------------------------------------------

PAGES = [
    ("get", "/coe/{coe}/"),
    ("get", "/coe/{coe}/sections/lessons/history/"),
    ("post", "/incidents/{incident}/coe/start/"),
    ("post", "/coe/{coe}/sections/lessons/"),
    ("post", "/coe/{coe}/sections/lessons/restore/1/"),
    ("post", "/coe/{coe}/factors/"),
    ("post", "/coe/{coe}/factors/{factor}/delete/"),
    ("post", "/coe/{coe}/action-items/"),
    ("post", "/coe/{coe}/action-items/{item}/"),
    ("post", "/coe/{coe}/submit/"),
    ("post", "/coe/{coe}/review/"),
    ("post", "/coe/{coe}/reopen/"),
    ("post", "/coe/{coe}/action-items/{item}/status/"),
    ("post", "/coe/{coe}/findings/dismiss/"),
    ("get", "/coe/{coe}/export.md"),
    ("get", "/coe/{coe}/print/"),
    ("get", "/action-items/"),
]


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_every_coe_page_needs_a_login(client, coe, user, method, url):
    factor = services.factor_save(coe_id=coe.pk, actor=user, statement="f", category="process", whys=["w"])
    item = services.action_item_save(coe_id=coe.pk, actor=user, title="i")
    path = url.format(coe=coe.pk, incident=coe.incident_id, factor=factor.pk, item=item.pk)
    data = {"body": "anonymous", "version": 1, "statement": "x", "category": "process", "title": "x",
            "reason": "x", "decision": "approved"}  # fmt: skip
    before = snapshot(coe)

    response = getattr(client, method)(path, data if method == "post" else None)

    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={path}")
    assert snapshot(coe) == before


# --- sanitizing what people write ----------------------------------------------------------------

PAYLOAD = (
    "# Timeline\n\n"
    "<script>alert(pwned)</script>\n\n"
    "<img src=x onerror=alert(pwned)>\n\n"
    "[click](javascript:alert(pwned))\n\n"
    '<a href="data:text/html,alert(pwned)">data</a>\n\n'
    '<iframe src="https://evil.example/pwned"></iframe>\n\n'
    "<svg onload=alert(pwned)></svg>\n\n"
    '<p style="color:red" onclick="alert(pwned)">styled</p>\n\n'
    "</textarea><script>alert(pwned)</script>\n\n"
    "**still bold**"
)


class Elements(HTMLParser):
    """Every element of a page, with the text of its scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_text.append(data)


def executable(content: str) -> list[str]:
    """What of the payload made it into the page as markup rather than text."""
    parser = Elements()
    parser.feed(content)
    # A word no page prints by itself (digits can turn up in any timestamp's microseconds).
    found = [text for text in parser.script_text if "pwned" in text]
    for tag, attrs in parser.elements:
        if tag in ("iframe", "svg", "object", "embed"):
            found.append(tag)
        for name, value in attrs.items():
            value = (value or "").lower()
            if name.startswith("on") or "pwned" in value or value.startswith(("javascript:", "data:")):
                found.append(f"{tag} {name}={value}")
    return found


def test_an_xss_body_saved_through_the_page_is_rendered_sanitized(client_logged_in, coe):
    save_section(client_logged_in, coe, "lessons", PAYLOAD, version=1, htmx=False)
    assert section(coe, "lessons").body == PAYLOAD  # stored as typed; sanitized when shown

    content = client_logged_in.get(page(coe)).content.decode()

    assert executable(content) == []
    rendered = element(content, "rendered-lessons")
    assert "<h1>Timeline</h1>" in rendered
    assert "<strong>still bold</strong>" in rendered
    assert textarea(content, "lessons") == escape(PAYLOAD)


@pytest.mark.parametrize("autosave", [False, True], ids=["fragment", "autosave"])
def test_an_xss_body_is_sanitized_in_the_htmx_answers(client_logged_in, coe, autosave):
    response = save_section(client_logged_in, coe, "lessons", PAYLOAD, version=1, autosave=autosave)

    assert response.status_code == 200
    assert executable(response.content.decode()) == []
    assert "<strong>still bold</strong>" in response.content.decode()


def test_an_xss_body_is_escaped_in_the_conflict_view(client_logged_in, coe, user):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body=PAYLOAD, base_version=1, actor=user)

    response = save_section(
        client_logged_in, coe, "lessons", PAYLOAD.replace("pwned", "pwned mine"), version=1
    )

    assert response.status_code == 409
    assert executable(response.content.decode()) == []


def test_an_xss_incident_note_prefilled_into_the_coe_is_rendered_sanitized(client_logged_in, user, team):
    incident = factories.incident(actor=user, team=team, title="<img src=x onerror=alert(1337)>")
    incident_services.incident_note_add(
        incident_id=incident.pk, actor=user, body="<script>alert(1337)</script> [x](javascript:alert(1337))"
    )
    coe = services.coe_start(incident_id=incident.pk, actor=user)

    content = client_logged_in.get(page(coe)).content.decode()

    assert "alert(1337)" in section(coe, "what_happened").body
    assert executable(content) == []
