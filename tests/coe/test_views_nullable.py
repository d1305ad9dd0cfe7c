"""Whatever the API accepts, every page renders: an action item without an owner, a due date, a
description or a tracker link; a factor without whys; a section or a revision whose author is gone.
Each is made through the real API (or, for a deleted author, as the database leaves it), then the COE
page, its fragments, the action-item list, the history, the export and the printable page are read."""

import pytest

from coe import services
from coe.models import ActionItem, Revision, Section
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coe(user, team, service):
    incident = factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")
    return services.coe_start(incident_id=incident.pk, actor=user)


def pages(coe) -> list[str]:
    return [
        f"/coe/{coe.pk}/",
        "/action-items/",
        "/action-items/?status=open",
        f"/coe/{coe.pk}/export.md",
        f"/coe/{coe.pk}/print/",
        f"/coe/{coe.pk}/sections/what_happened/history/",
    ]


def test_an_action_item_made_by_the_api_without_an_owner_renders_everywhere(api, client_logged_in, coe):
    created = api.post(
        f"/api/v1/coe/{coe.pk}/action-items/", {"title": "Nobody owns this yet"}, format="json"
    )
    assert created.status_code == 201, created.content
    item = ActionItem.objects.get(coe=coe)
    assert (item.owner, item.due_on, item.description, item.tracker_url) == (None, None, "", "")

    for url in pages(coe):
        response = client_logged_in.get(url)
        assert response.status_code == 200, url
        assert "Nobody owns this yet" in response.content.decode() or "history" in url, url
    row = client_logged_in.get("/action-items/").content.decode()
    assert "<td>—</td>" in row  # no owner, no due date
    assert (
        "| Nobody owns this yet | Prevent | — | — | Open |"
        in client_logged_in.get(f"/coe/{coe.pk}/export.md").content.decode()
    )


def test_an_ownerless_item_renders_in_the_fragments_too(api, client_logged_in, coe):
    api.post(f"/api/v1/coe/{coe.pk}/action-items/", {"title": "Nobody owns this yet"}, format="json")
    item = ActionItem.objects.get(coe=coe)

    status = client_logged_in.post(
        f"/coe/{coe.pk}/action-items/{item.pk}/status/", {"status": "in_progress"}, **HTMX
    )
    factor = client_logged_in.post(
        f"/coe/{coe.pk}/factors/", {"statement": "No alert on queue depth", "category": "monitoring"}, **HTMX
    )

    assert status.status_code == 200 and "Nobody owns this yet" in status.content.decode()
    assert factor.status_code == 200


def test_an_item_whose_owner_was_cleared_by_the_api_renders(api, client_logged_in, coe, user):
    created = api.post(
        f"/api/v1/coe/{coe.pk}/action-items/",
        {"title": "Owned, then not", "owner": user.username, "due_on": "2030-01-15"},
        format="json",
    ).json()
    cleared = api.patch(
        f"/api/v1/action-items/{created['id']}/", {"owner": None, "due_on": None}, format="json"
    )
    assert cleared.status_code == 200, cleared.content

    for url in pages(coe):
        assert client_logged_in.get(url).status_code == 200, url


def test_a_factor_made_by_the_api_without_whys_renders_everywhere(api, client_logged_in, coe):
    created = api.post(
        f"/api/v1/coe/{coe.pk}/factors/", {"statement": "Retries hid the errors", "category": "tooling"},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content

    content = client_logged_in.get(f"/coe/{coe.pk}/").content.decode()
    assert '<li class="muted">No why yet.</li>' in content
    for url in pages(coe):
        assert client_logged_in.get(url).status_code == 200, url


def test_a_section_and_revision_whose_author_is_gone_render(client_logged_in, coe, user):
    services.coe_section_save(coe_id=coe.pk, key="lessons", body="theirs", base_version=1, actor=user)
    Section.objects.filter(coe=coe).update(updated_by=None)
    Revision.objects.filter(section__coe=coe).update(author=None)

    for url in pages(coe):
        assert client_logged_in.get(url).status_code == 200, url
    stale = client_logged_in.post(f"/coe/{coe.pk}/sections/lessons/", {"body": "mine", "version": 1}, **HTMX)
    assert stale.status_code == 409
    assert "Saved by someone (v2)" in stale.content.decode()
