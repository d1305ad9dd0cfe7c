"""The COE REST API, the document: start, list and retrieve (fields, sanitized HTML, query counts),
sections (stale saves, revisions, restore) and contributing factors, through DRF's APIClient on the
real database. Action items, the review workflow and the language check are in test_api_workflow.py; the
error shapes shared by every endpoint (401, 403, 405, 413, 429, the schema) in
tests/incidents/test_api_errors.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from coe import services
from coe.models import Coe, ContributingFactor, Revision, Section
from coe.sections import SectionKey
from core import services as core_services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

LIST = "/api/v1/coe/"


def url(coe: Coe, action: str = "") -> str:
    return f"/api/v1/coe/{coe.pk}/{action + '/' if action else ''}"


def section_url(coe: Coe, key: str = "what_happened", action: str = "") -> str:
    return f"/api/v1/coe/{coe.pk}/sections/{key}/{action + '/' if action else ''}"


def start_url(incident) -> str:
    return f"/api/v1/incidents/{incident.pk}/coe/"


@pytest.fixture
def incident(user, team, service):
    return factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")


@pytest.fixture
def coe(incident, user) -> Coe:
    return factories.coe(incident, actor=user)


@pytest.fixture
def bob(db):
    return factories.user("bob", first_name="Bob")


@pytest.fixture
def approved(coe, user, bob) -> Coe:
    """Complete, sent to bob, approved by him (a SEV3 needs one approval)."""
    factories.coe_complete(coe, actor=user)
    services.coe_submit(coe_id=coe.pk, actor=user, reviewers=[bob])
    return services.coe_review(coe_id=coe.pk, reviewer=bob, decision="approved")


def section(coe: Coe, key: str = "what_happened") -> Section:
    return Section.objects.get(coe=coe, key=key)


def assert_invalid(response, field: str) -> None:
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["extra"]["fields"], body


# --- Start -------------------------------------------------------------------------------------------


def test_start_creates_a_draft_with_six_prefilled_sections(api, incident, user):
    response = api.post(start_url(incident), format="json")

    assert response.status_code == 201, response.json()
    coe = Coe.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/coe/{coe.pk}/"
    body = response.json()
    assert body["id"] == coe.pk
    assert body["state"] == "draft"
    assert body["owner"] == "alice"
    assert body["incident"]["id"] == incident.pk
    assert body["incident"]["reference"] == incident.reference
    assert body["incident"]["team"] == {"slug": "payments", "name": "Payments"}
    assert [s["key"] for s in body["sections"]] == list(SectionKey.values)
    assert all(s["version"] == 1 and not s["written"] for s in body["sections"])
    assert body["sections"][0]["body"]  # prefilled from the timeline
    assert len(body["problems"]) == 8  # six sections, a factor, a prevent item


def test_start_with_an_owner(api, incident, bob):
    response = api.post(start_url(incident), {"owner": "bob"}, format="json")

    assert response.status_code == 201
    assert response.json()["owner"] == "bob"


def test_start_a_second_time_returns_409_with_the_existing_coe(api, coe, incident):
    response = api.post(start_url(incident), format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "coe_exists"
    assert body["extra"] == {"coe_id": coe.pk}
    assert Coe.objects.count() == 1


def test_start_for_an_unknown_incident_returns_404(api):
    response = api.post("/api/v1/incidents/999999/coe/", format="json")

    assert response.status_code == 404
    assert response.json() == {
        "message": "Incident 999999 does not exist.",
        "code": "not_found",
        "extra": {"incident_id": 999999},
    }


@pytest.mark.parametrize(
    ("payload", "field"), [({"owner": "nobody"}, "owner"), ({"state": "approved"}, "state")]
)
def test_start_invalid_field_returns_400_naming_it(api, incident, payload, field):
    assert_invalid(api.post(start_url(incident), payload, format="json"), field)
    assert not Coe.objects.exists()


def test_start_with_a_bearer_token_acts_as_its_owner(incident, user):
    _, plaintext = core_services.api_token_create(user=user, name="script")
    client = APIClient(enforce_csrf_checks=True)

    response = client.post(start_url(incident), format="json", HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    assert response.status_code == 201
    assert Coe.objects.get().events.get().actor == user


def test_without_credentials_returns_401(coe):
    response = APIClient().get(url(coe))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- List --------------------------------------------------------------------------------------------


def test_list_returns_coes_newest_first_and_filters_by_state(api, coe, approved, user, team):
    other = factories.coe(factories.incident(team=team, title="Queue backlog"), actor=user)

    everything = api.get(LIST).json()
    drafts = api.get(LIST, {"state": "draft"}).json()
    done = api.get(LIST, {"state": "approved"}).json()

    assert everything["count"] == 2
    assert [row["id"] for row in everything["results"]] == [other.pk, coe.pk]
    assert [row["id"] for row in drafts["results"]] == [other.pk]
    assert [row["id"] for row in done["results"]] == [coe.pk]
    row = done["results"][0]
    assert row["state"] == "approved" and row["approved_at"]
    assert row["incident"]["reference"] == coe.incident.reference
    assert row["url"] == f"http://testserver/coe/{coe.pk}/"
    assert "sections" not in row


@pytest.mark.parametrize("params", [{"state": "published"}, {"page": "0"}])
def test_list_invalid_filter_returns_400_naming_it(api, coe, params):
    (name,) = params
    assert_invalid(api.get(LIST, params), name)


def test_list_query_count_is_constant_with_the_number_of_coes(api, user, team):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = api.get(LIST, {"page_size": 50})
        assert response.status_code == 200
        assert len(response.json()["results"]) == Coe.objects.count()
        return len(context)

    api.get(LIST)  # the first request of a session also reads the profile's time zone
    for _ in range(2):
        factories.coe(factories.incident(team=team), actor=user)
    few = queries()
    for _ in range(8):
        factories.coe(factories.incident(team=team), actor=user)

    assert queries() == few


# --- Retrieve ----------------------------------------------------------------------------------------


def test_retrieve_returns_sections_factors_items_reviewers_and_problems(api, coe, user, bob):
    factories.coe_complete(coe, actor=user)
    services.coe_submit(coe_id=coe.pk, actor=user, reviewers=[bob])

    response = api.get(url(coe))

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "in_review"
    assert body["submitted_at"].endswith("Z")
    assert body["due_on"] == coe.due_on.isoformat()
    assert body["overdue"] is False
    assert body["problems"] == []
    first = body["sections"][0]
    assert set(first) == {"key", "title", "body", "html", "version", "written", "updated_by", "updated_at"}
    assert first["key"] == "what_happened"
    assert first["title"] == "What happened?"
    assert first["body"] == "Written: What happened?"
    assert first["html"] == "<p>Written: What happened?</p>"
    assert first["version"] == 2
    assert first["written"] is True
    assert first["updated_by"] == "alice"
    (factor,) = body["factors"]
    assert factor["category"] == "process"
    assert factor["whys"] == ["No validation step", "The schema was not versioned"]
    (item,) = body["action_items"]
    assert item["title"] == "Validate configs in CI"
    assert item["owner"] == "alice"
    assert item["kind"] == "prevent" and item["status"] == "open"
    assert item["coe"] == {
        "id": coe.pk,
        "incident": coe.incident.reference,
        "url": f"http://testserver/coe/{coe.pk}/",
    }
    assert body["reviewers"] == [
        {"username": "bob", "decision": "pending", "comment": "", "decided_at": None}
    ]


def test_retrieve_renders_sanitized_html(api, coe, user):
    body = (
        "# Timeline\n\n<script>alert(1)</script>\n\n"
        '[dash](javascript:alert(1)) <img src=x onerror="alert(1)">'
    )
    services.coe_section_save(coe_id=coe.pk, key="what_happened", body=body, base_version=1, actor=user)

    html = api.get(url(coe)).json()["sections"][0]["html"]

    assert "<h1>Timeline</h1>" in html
    for unsafe in ("<script", "javascript:", "onerror"):
        assert unsafe not in html


def test_retrieve_unknown_coe_returns_404_in_the_error_shape(api):
    response = api.get("/api/v1/coe/999999/")

    assert response.status_code == 404
    assert response.json() == {
        "message": "COE 999999 does not exist.",
        "code": "not_found",
        "extra": {"coe_id": 999999},
    }


def test_retrieve_query_count_is_constant_with_the_number_of_factors_and_items(api, coe, user, bob):
    def add(count: int) -> None:
        for index in range(count):
            services.factor_save(
                coe_id=coe.pk, actor=user, statement=f"Factor {index}", category="technical", whys=["Why"]
            )
            services.action_item_save(coe_id=coe.pk, actor=user, title=f"Item {index}", owner=bob)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = api.get(url(coe))
        assert response.status_code == 200
        return len(context)

    api.get(url(coe))  # the first request of a session also reads the profile's time zone
    add(1)
    one = queries()
    add(9)
    ten = queries()

    assert len(api.get(url(coe)).json()["factors"]) == 10
    assert one == ten


# --- Sections ----------------------------------------------------------------------------------------


def test_section_save_returns_the_new_version(api, coe, user):
    response = api.put(section_url(coe), {"body": "At 09:12 **errors** rose.", "version": 1}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["key"] == "what_happened"
    assert body["body"] == "At 09:12 **errors** rose."
    assert body["html"] == "<p>At 09:12 <strong>errors</strong> rose.</p>"
    assert body["version"] == 2
    assert body["written"] is True
    assert body["updated_by"] == "alice"
    assert section(coe).version == 2
    assert Revision.objects.filter(section=section(coe)).count() == 2


def test_section_save_keeps_the_text_exactly_as_sent(api, coe):
    text = "    indented code\n\n- item\n"

    response = api.put(section_url(coe, "data"), {"body": text, "version": 1}, format="json")

    assert response.status_code == 200
    assert section(coe, "data").body == text


def test_section_save_from_a_stale_version_returns_409_with_the_current_text(api, coe, bob):
    services.coe_section_save(coe_id=coe.pk, key="impact", body="Bob's text", base_version=1, actor=bob)

    response = api.put(section_url(coe, "impact"), {"body": "Alice's text", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_section"
    assert body["extra"] == {
        "section": "impact",
        "current_body": "Bob's text",
        "current_version": 2,
        "base_version": 1,
    }
    assert section(coe, "impact").body == "Bob's text"


def test_section_save_of_the_same_text_is_a_no_op(api, coe):
    current = section(coe)

    response = api.put(section_url(coe), {"body": current.body, "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "text"}, "version"),
        ({"body": "text", "version": 0}, "version"),
        ({"body": "text", "version": "one"}, "version"),
        ({"version": 1}, "body"),
        ({"body": "x" * 100_001, "version": 1}, "body"),
        ({"body": "text", "version": 1, "key": "data"}, "key"),
    ],
)
def test_section_save_invalid_field_returns_400_naming_it(api, coe, payload, field):
    assert_invalid(api.put(section_url(coe), payload, format="json"), field)
    assert section(coe).version == 1


def test_section_save_of_at_most_100000_characters_is_accepted(api, coe):
    response = api.put(section_url(coe), {"body": "x" * 100_000, "version": 1}, format="json")

    assert response.status_code == 200


def test_section_with_an_unknown_key_returns_404(api, coe):
    response = api.put(section_url(coe, "summary"), {"body": "text", "version": 1}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"]["key"] == "summary"


def test_section_of_an_unknown_coe_returns_404(api):
    response = api.put("/api/v1/coe/999999/sections/data/", {"body": "text", "version": 1}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"coe_id": 999999}


def test_section_save_on_an_approved_coe_returns_409_read_only(api, approved):
    current = section(approved)

    response = api.put(
        section_url(approved), {"body": "late edit", "version": current.version}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "coe_read_only"
    assert section(approved).body == current.body


def test_revisions_list_newest_first(api, coe, user, bob):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="First", base_version=1, actor=user)
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="Second", base_version=2, actor=bob)

    response = api.get(section_url(coe, "lessons", "revisions"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(r["version"], r["body"], r["author"]) for r in body["results"]] == [
        (3, "Second", "bob"),
        (2, "First", "alice"),
        (1, "", "alice"),
    ]
    assert body["results"][0]["restored_from"] is None


@pytest.mark.parametrize(
    ("path", "extra"),
    [("/api/v1/coe/999999/sections/data/revisions/", "coe_id"), ("sections/nope/revisions/", "key")],
)
def test_revisions_of_an_unknown_coe_or_section_returns_404(api, coe, path, extra):
    response = api.get(path if path.startswith("/") else url(coe) + path)

    assert response.status_code == 404
    assert extra in response.json()["extra"]


def test_restore_makes_an_old_version_current_as_a_new_one(api, coe, user):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="First", base_version=1, actor=user)
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="Second", base_version=2, actor=user)

    response = api.post(section_url(coe, "lessons", "revisions/2/restore"), format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["body"], body["version"]) == ("First", 4)
    latest = Revision.objects.filter(section=section(coe, "lessons")).first()
    assert (latest.version, latest.restored_from) == (4, 2)


def test_restore_of_an_unknown_version_returns_404(api, coe):
    response = api.post(section_url(coe, "lessons", "revisions/9/restore"), format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"version": 9}


def test_restore_refuses_a_body(api, coe):
    assert_invalid(
        api.post(section_url(coe, "data", "revisions/1/restore"), {"version": 1}, format="json"), "version"
    )


def test_restore_on_an_approved_coe_returns_409_read_only(api, approved):
    response = api.post(section_url(approved, "data", "revisions/1/restore"), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "coe_read_only"


# --- Contributing factors ----------------------------------------------------------------------------

FACTOR = {"statement": "Configs skip validation", "category": "process", "whys": ["No schema check", " "]}


def test_factor_create_returns_201_with_the_factor(api, coe):
    response = api.post(url(coe, "factors"), FACTOR, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    factor = ContributingFactor.objects.get()
    assert body["id"] == factor.pk
    assert body["statement"] == "Configs skip validation"
    assert body["whys"] == ["No schema check"]  # blank answers are dropped
    assert body["position"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "process"}, "statement"),
        ({**FACTOR, "statement": ""}, "statement"),
        ({**FACTOR, "category": "people"}, "category"),
        ({**FACTOR, "whys": ["1", "2", "3", "4", "5", "6"]}, "whys"),
        ({**FACTOR, "whys": "one"}, "whys"),
        ({**FACTOR, "blame": "bob"}, "blame"),
    ],
)
def test_factor_create_invalid_field_returns_400_naming_it(api, coe, payload, field):
    assert_invalid(api.post(url(coe, "factors"), payload, format="json"), field)
    assert not ContributingFactor.objects.exists()


def test_factor_whose_chain_ends_at_a_person_returns_400_asking_the_next_why(api, coe):
    payload = {**FACTOR, "whys": ["No schema check", "It was human error"]}

    response = api.post(url(coe, "factors"), payload, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "ask_next_why"
    assert body["extra"]["field"] == "whys"
    assert not ContributingFactor.objects.exists()


def test_factor_update_changes_only_the_fields_sent(api, coe, user):
    factor = services.factor_save(coe_id=coe.pk, actor=user, **FACTOR)

    response = api.patch(url(coe, f"factors/{factor.pk}"), {"whys": ["A", "B"]}, format="json")

    assert response.status_code == 200, response.json()
    factor.refresh_from_db()
    assert (factor.statement, factor.category, factor.whys) == (
        "Configs skip validation",
        "process",
        ["A", "B"],
    )
    assert response.json()["whys"] == ["A", "B"]


def test_factor_delete_returns_204(api, coe, user):
    factor = services.factor_save(coe_id=coe.pk, actor=user, **FACTOR)

    response = api.delete(url(coe, f"factors/{factor.pk}"))

    assert response.status_code == 204
    assert not ContributingFactor.objects.exists()


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_factor_unknown_returns_404(api, coe, user, team, method):
    elsewhere = factories.coe(factories.incident(team=team), actor=user)
    factor = services.factor_save(coe_id=elsewhere.pk, actor=user, **FACTOR)

    response = getattr(api, method)(url(coe, f"factors/{factor.pk}"), {}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"factor_id": factor.pk}
    assert ContributingFactor.objects.filter(pk=factor.pk).exists()


def test_factor_of_an_unknown_coe_returns_404(api):
    response = api.patch("/api/v1/coe/999999/factors/1/", {}, format="json")

    assert response.status_code == 404
    assert response.json()["extra"] == {"coe_id": 999999}


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_factor_change_on_an_approved_coe_returns_409_read_only(api, approved, method):
    factor = approved.factors.get()
    path = url(approved, "factors") if method == "post" else url(approved, f"factors/{factor.pk}")

    response = getattr(api, method)(path, FACTOR, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "coe_read_only"
    assert list(approved.factors.all()) == [factor]


def test_times_are_utc_whatever_zone_the_user_picked(api, coe):
    api.post("/preferences/", {"time_zone": "Asia/Kolkata"})

    body = api.get(url(coe)).json()

    assert body["created_at"].endswith("Z")
    assert body["sections"][0]["updated_at"].endswith("Z")
