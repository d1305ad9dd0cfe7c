"""The COE REST API, the workflow: action items (across COEs, filters, query counts), submit, review and
reopen, and the language check, through DRF's APIClient on the real database. The document itself
(start, sections, factors) is in test_api_documents.py."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from coe import services
from coe.models import ActionItem, Coe, CoeEvent, CoeEventKind, CoeState, Reviewer
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

ITEMS = "/api/v1/action-items/"
LINT = "/api/v1/coe/lint/"


def url(coe: Coe, action: str = "") -> str:
    return f"/api/v1/coe/{coe.pk}/{action + '/' if action else ''}"


def item_url(item: ActionItem) -> str:
    return f"/api/v1/action-items/{item.pk}/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def api(user):
    return client_for(user)


@pytest.fixture
def bob(db):
    return factories.user("bob", first_name="Bob")


@pytest.fixture
def coe(user, team, service) -> Coe:
    incident = factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")
    return factories.coe(incident, actor=user)


@pytest.fixture
def ready(coe, user) -> Coe:
    """Everything submission asks for except the reviewers."""
    return factories.coe_complete(coe, actor=user)


@pytest.fixture
def in_review(ready, user, bob) -> Coe:
    return services.coe_submit(coe_id=ready.pk, actor=user, reviewers=[bob])


@pytest.fixture
def approved(in_review, bob) -> Coe:
    return services.coe_review(coe_id=in_review.pk, reviewer=bob, decision="approved")


def state(coe: Coe) -> str:
    coe.refresh_from_db()
    return coe.state


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"], body


def add_item(coe: Coe, *, actor, **fields) -> ActionItem:
    return services.action_item_save(coe_id=coe.pk, actor=actor, **{"title": "Add a config schema", **fields})


# --- Action items: create and update -----------------------------------------------------------------


def test_item_create_returns_201_with_the_item(api, coe, bob):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    payload = {
        "title": " Validate configs in CI ",
        "description": "A schema check in the pipeline.",
        "owner": "bob",
        "due_on": due,
        "priority": "high",
        "kind": "detect",
        "tracker_url": "https://tracker.example.com/OPS-1",
    }

    response = api.post(url(coe, "action-items"), payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    item = ActionItem.objects.get()
    assert body["id"] == item.pk
    assert body["title"] == "Validate configs in CI"
    assert (body["owner"], body["due_on"], body["priority"], body["kind"]) == ("bob", due, "high", "detect")
    assert body["status"] == "open"
    assert body["completed_at"] is None and body["overdue"] is False
    assert body["coe"] == {
        "id": coe.pk,
        "incident": coe.incident.reference,
        "url": f"http://testserver/coe/{coe.pk}/",
    }
    assert item.owner == bob


def test_item_create_with_only_a_title_takes_the_defaults(api, coe):
    response = api.post(url(coe, "action-items"), {"title": "Write a runbook"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["priority"], body["status"], body["owner"]) == (
        "prevent",
        "medium",
        "open",
        None,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "T", "owner": "nobody"}, "owner"),
        ({"title": "T", "due_on": "next week"}, "due_on"),
        ({"title": "T", "priority": "urgent"}, "priority"),
        ({"title": "T", "kind": "blame"}, "kind"),
        ({"title": "T", "status": "closed"}, "status"),
        ({"title": "T", "tracker_url": "not a url"}, "tracker_url"),
        ({"title": "T", "completed_at": "2025-01-01T00:00:00Z"}, "completed_at"),
    ],
)
def test_item_create_invalid_field_returns_400_naming_it(api, coe, payload, field):
    assert_invalid(api.post(url(coe, "action-items"), payload, format="json"), field)
    assert not ActionItem.objects.exists()


def test_item_create_for_an_inactive_owner_returns_400(api, coe):
    factories.user("former", is_active=False)

    assert_invalid(
        api.post(url(coe, "action-items"), {"title": "T", "owner": "former"}, format="json"), "owner"
    )


def test_item_create_on_an_unknown_coe_returns_404(api):
    response = api.post("/api/v1/coe/999999/action-items/", {"title": "T"}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"coe_id": 999999}


def test_item_update_changes_only_the_fields_sent(api, coe, user, bob):
    item = add_item(coe, actor=user, owner=bob, priority="low")

    response = api.patch(item_url(item), {"status": "in_progress"}, format="json")

    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.status, item.owner, item.priority, item.title) == (
        "in_progress",
        bob,
        "low",
        "Add a config schema",
    )


def test_item_update_to_done_stamps_completion_and_can_record_effectiveness(api, coe, user):
    item = add_item(coe, actor=user)

    done = api.patch(item_url(item), {"status": "done", "effective": True}, format="json").json()
    reopened = api.patch(item_url(item), {"status": "open"}, format="json").json()

    assert done["status"] == "done" and done["completed_at"] and done["effective"] is True
    assert reopened["completed_at"] is None and reopened["effective"] is None


def test_item_update_to_wont_do_needs_a_reason(api, coe, user):
    item = add_item(coe, actor=user)

    refused = api.patch(item_url(item), {"status": "wont_do"}, format="json")
    accepted = api.patch(item_url(item), {"status": "wont_do", "wont_do_reason": "Superseded"}, format="json")

    assert refused.status_code == 400
    assert refused.json()["extra"] == {"field": "wont_do_reason"}
    assert accepted.status_code == 200
    assert accepted.json()["wont_do_reason"] == "Superseded"


def test_item_update_can_clear_the_owner(api, coe, user, bob):
    item = add_item(coe, actor=user, owner=bob)

    response = api.patch(item_url(item), {"owner": None}, format="json")

    assert response.status_code == 200
    assert response.json()["owner"] is None


@pytest.mark.parametrize(("payload", "field"), [({"title": ""}, "title"), ({"coe": 2}, "coe")])
def test_item_update_invalid_field_returns_400_naming_it(api, coe, user, payload, field):
    item = add_item(coe, actor=user)

    assert_invalid(api.patch(item_url(item), payload, format="json"), field)


def test_item_update_unknown_returns_404(api):
    response = api.patch("/api/v1/action-items/999999/", {"status": "done"}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "message": "Action item 999999 does not exist.",
        "code": "not_found",
        "extra": {"item_id": 999999},
    }


def test_item_on_an_approved_coe_can_still_be_tracked_to_done(api, approved):
    item = approved.action_items.get()

    response = api.patch(item_url(item), {"status": "done"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "done"


# --- Action items: the list across COEs --------------------------------------------------------------


@pytest.fixture
def items(coe, user, bob, team):
    """Five items in two COEs of two teams: due in the past (open and done), soon, later, never."""
    other_team = factories.team("Search")
    other = factories.coe(factories.incident(team=other_team, title="Slow search"), actor=user)
    today = timezone.localdate()
    return {
        "late": add_item(coe, actor=user, title="Late", owner=bob, due_on=today - timedelta(days=2)),
        "done": add_item(
            coe, actor=user, title="Done", owner=user, due_on=today - timedelta(days=3), status="done"
        ),
        "soon": add_item(other, actor=user, title="Soon", owner=user, due_on=today + timedelta(days=1)),
        "later": add_item(coe, actor=user, title="Later", owner=bob, due_on=today + timedelta(days=30)),
        "undated": add_item(other, actor=user, title="Undated", status="in_progress"),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_item_list_is_sorted_by_due_date_with_undated_last(api, items):
    response = api.get(ITEMS)

    assert titles(response) == ["Done", "Late", "Soon", "Later", "Undated"]
    rows = {row["title"]: row for row in response.json()["results"]}
    assert rows["Late"]["overdue"] is True
    assert rows["Done"]["overdue"] is False
    assert rows["Soon"]["coe"]["incident"] != rows["Late"]["coe"]["incident"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mine": "true"}, ["Done", "Soon"]),
        ({"mine": "false"}, ["Done", "Late", "Soon", "Later", "Undated"]),
        ({"owner": "bob"}, ["Late", "Later"]),
        ({"mine": "true", "owner": "alice"}, ["Done", "Soon"]),
        ({"team": "search"}, ["Soon", "Undated"]),
        ({"status": "in_progress"}, ["Undated"]),
        ({"status": "done"}, ["Done"]),
        ({"overdue": "true"}, ["Late"]),
        ({"team": "payments", "owner": "bob", "overdue": "true"}, ["Late"]),
        ({"status": "", "team": ""}, ["Done", "Late", "Soon", "Later", "Undated"]),
    ],
)
def test_item_list_filters(api, items, params, expected):
    assert titles(api.get(ITEMS, params)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"mine": "maybe"}, "mine"),
        ({"owner": "nobody"}, "owner"),
        ({"team": "no-such-team"}, "team"),
        ({"status": "closed"}, "status"),
        ({"overdue": "soon"}, "overdue"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_item_list_invalid_filter_returns_400_naming_it(api, items, params, field):
    assert_invalid(api.get(ITEMS, params), field)


def test_item_list_mine_with_another_owner_returns_400(api, items):
    assert_invalid(api.get(ITEMS, {"mine": "true", "owner": "bob"}), "owner")


def test_item_list_paginates(api, items):
    first = api.get(ITEMS, {"page_size": 2}).json()
    last = api.get(ITEMS, {"page_size": 2, "page": 3}).json()

    assert first["count"] == 5 and len(first["results"]) == 2
    assert "page=2" in first["next"]
    assert [row["title"] for row in last["results"]] == ["Undated"] and last["next"] is None
    assert api.get(ITEMS, {"page": 9}).status_code == 404


def test_item_list_query_count_is_constant_with_the_number_of_items(api, user, bob, team):
    coes = [factories.coe(factories.incident(team=team), actor=user) for _ in range(3)]

    def add(count: int) -> None:
        for index in range(count):
            add_item(
                coes[index % 3], actor=user, owner=bob, due_on=timezone.localdate() + timedelta(days=index)
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = api.get(ITEMS, {"page_size": 50})
        assert response.status_code == 200
        assert len(response.json()["results"]) == ActionItem.objects.count()
        return len(context)

    api.get(ITEMS)  # the first request of a session also reads the profile's time zone
    add(3)
    three = queries()
    add(27)

    assert queries() == three


# --- Submit ------------------------------------------------------------------------------------------


def test_submit_an_unfinished_coe_returns_400_listing_everything_missing(api, coe):
    response = api.post(url(coe, "submit"), {"reviewers": []}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "not_ready"
    missing = body["extra"]["missing"]
    assert len(missing) == 9  # six sections, a factor, a prevent item, a reviewer
    assert sum("Write section" in problem for problem in missing) == 6
    assert any("contributing factor" in problem for problem in missing)
    assert any("prevent" in problem for problem in missing)
    assert any("reviewer" in problem for problem in missing)
    assert state(coe) == CoeState.DRAFT


def test_submit_counts_blocking_language_findings(api, ready, user, bob):
    section = ready.sections.get(key="lessons")
    services.coe_section_save(
        coe_id=ready.pk, key="lessons", body="It was human error.", base_version=section.version, actor=user
    )

    response = api.post(url(ready, "submit"), {"reviewers": ["bob"]}, format="json")

    assert response.status_code == 400
    assert response.json()["extra"]["missing"] == ["Resolve or dismiss the blocking language findings (1)."]


def test_submit_a_ready_coe_sends_it_to_the_reviewers(api, ready, bob):
    response = api.post(url(ready, "submit"), {"reviewers": ["bob"]}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "in_review"
    assert body["submitted_at"]
    assert body["problems"] == []
    assert [(r["username"], r["decision"]) for r in body["reviewers"]] == [("bob", "pending")]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reviewers": ["nobody"]}, "reviewers"),
        ({"reviewers": "bob"}, "reviewers"),
        ({"reviewer": "bob"}, "reviewer"),
    ],
)
def test_submit_invalid_field_returns_400_naming_it(api, ready, bob, payload, field):
    assert_invalid(api.post(url(ready, "submit"), payload, format="json"), field)
    assert state(ready) == CoeState.DRAFT


def test_submit_twice_returns_409(api, in_review):
    response = api.post(url(in_review, "submit"), {"reviewers": ["bob"]}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_submit_an_unknown_coe_returns_404(api):
    assert api.post("/api/v1/coe/999999/submit/", {"reviewers": []}, format="json").status_code == 404


# --- Review ------------------------------------------------------------------------------------------


def test_review_approval_by_the_reviewer_approves_the_coe(in_review, bob):
    response = client_for(bob).post(url(in_review, "review"), {"decision": "approved"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "approved"
    assert body["approved_at"]
    (reviewer,) = body["reviewers"]
    assert reviewer["decision"] == "approved" and reviewer["decided_at"]


def test_review_requesting_changes_sends_the_coe_back_to_draft(in_review, bob):
    payload = {"decision": "changes_requested", "comment": "Add the error-rate graph."}

    response = client_for(bob).post(url(in_review, "review"), payload, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "draft"
    assert response.json()["reviewers"][0]["comment"] == "Add the error-rate graph."


def test_review_requesting_changes_without_a_comment_returns_400(in_review, bob):
    response = client_for(bob).post(
        url(in_review, "review"), {"decision": "changes_requested"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "comment"}
    assert state(in_review) == CoeState.IN_REVIEW


def test_review_by_someone_not_named_returns_403(api, in_review):
    response = api.post(url(in_review, "review"), {"decision": "approved"}, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "message": "Only a named reviewer can review this COE.",
        "code": "permission_denied",
        "extra": {},
    }
    assert state(in_review) == CoeState.IN_REVIEW


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "decision"), ({"decision": "pending"}, "decision"), ({"decision": "approved", "vote": 1}, "vote")],
)
def test_review_invalid_field_returns_400_naming_it(in_review, bob, payload, field):
    assert_invalid(client_for(bob).post(url(in_review, "review"), payload, format="json"), field)


def test_review_of_a_coe_not_in_review_returns_409(coe, bob):
    response = client_for(bob).post(url(coe, "review"), {"decision": "approved"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


# --- Reopen ------------------------------------------------------------------------------------------


def test_reopen_an_approved_coe_makes_it_editable_again(api, approved, user):
    response = api.post(url(approved, "reopen"), {"reason": "The fix did not hold."}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "reopened"
    assert [r["decision"] for r in body["reviewers"]] == ["pending"]
    event = CoeEvent.objects.filter(coe=approved, kind=CoeEventKind.REOPENED).get()
    assert (event.actor, event.body) == (user, "The fix did not hold.")
    section = approved.sections.get(key="data")
    saved = api.put(
        url(approved, "sections/data"), {"body": "More data", "version": section.version}, format="json"
    )
    assert saved.status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"), [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "x" * 1001}, "reason")]
)
def test_reopen_without_a_reason_returns_400(api, approved, payload, field):
    assert_invalid(api.post(url(approved, "reopen"), payload, format="json"), field)
    assert state(approved) == CoeState.APPROVED


def test_reopen_a_draft_returns_409(api, coe):
    response = api.post(url(coe, "reopen"), {"reason": "Why not"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_reopened_coe_goes_back_to_review_with_fresh_decisions(api, approved, bob):
    api.post(url(approved, "reopen"), {"reason": "The fix did not hold."}, format="json")

    response = api.post(url(approved, "submit"), {"reviewers": ["bob"]}, format="json")

    assert response.status_code == 200
    assert response.json()["state"] == "in_review"
    assert Reviewer.objects.get(coe=approved).decision == "pending"


# --- Language check ----------------------------------------------------------------------------------


def test_lint_finds_blame_with_its_offsets(api):
    text = "At 10:42 the certificate expired. It was human error."

    response = api.post(LINT, {"text": text}, format="json")

    assert response.status_code == 200
    (finding,) = response.json()["findings"]
    assert set(finding) == {"start", "end", "rule", "severity", "message", "suggestion"}
    assert text[finding["start"] : finding["end"]] == "human error"
    assert (finding["start"], finding["end"]) == (text.index("human error"), text.index("human error") + 11)
    assert finding["rule"] == "human-error-cause"
    assert finding["severity"] == "blocking"
    assert finding["message"] and finding["suggestion"]


def test_lint_counts_active_users_names_as_people(api, user):
    # Neither username is a first name of the lexicon: only the active user's counts as a person.
    factories.user("rsmith")
    factories.user("zgone", is_active=False)
    text = "  rsmith forgot to renew it. zgone forgot too."

    findings = api.post(LINT, {"text": text}, format="json").json()["findings"]

    assert [(text[f["start"] : f["end"]], f["severity"]) for f in findings] == [("rsmith forgot", "warning")]


def test_lint_neutral_text_has_no_findings(api, user):
    text = "Alice restarted the service at 10:42; the health check had not detected the expired certificate."

    response = api.post(LINT, {"text": text}, format="json")

    assert response.status_code == 200
    assert response.json() == {"findings": []}


def test_lint_empty_text_has_no_findings(api):
    assert api.post(LINT, {"text": ""}, format="json").json() == {"findings": []}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * 100_001}, "text"),
        ({"text": "ok", "people": []}, "people"),
    ],
)
def test_lint_invalid_text_returns_400(api, payload, field):
    assert_invalid(api.post(LINT, payload, format="json"), field)


def test_lint_of_100000_characters_is_accepted(api):
    text = "The deploy ran. " * 6250
    assert len(text) == 100_000

    response = api.post(LINT, {"text": text}, format="json")

    assert response.status_code == 200
