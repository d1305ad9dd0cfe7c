"""COE export (Markdown, printable page), the action-item list page, and language findings on the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from coe import services, views
from coe.models import ActionItem, ActionStatus
from core import errors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def coe(user, team, service):
    incident = factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")
    return factories.coe(incident, actor=user)


def test_markdown_export_holds_sections_factors_items_stamps_and_timeline(client_logged_in, coe, user):
    services.coe_section_save(
        coe_id=coe.pk, key="lessons", body="Canaries catch this.", base_version=1, actor=user
    )
    services.factor_save(
        coe_id=coe.pk, actor=user, statement="Config pushed to all cells at once", category="process",
        whys=["The pipeline had no staged rollout for config", "Config was not treated as code"],
    )  # fmt: skip
    services.action_item_save(
        coe_id=coe.pk, actor=user, title="Stage config rollouts", kind="prevent", owner=user,
        due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip

    response = client_logged_in.get(f"/coe/{coe.pk}/export.md")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith(f"# Correction of Errors: {coe.incident.reference} Checkout errors")
    for heading in ("## 1. What happened?", "## 5. What did you learn?", "## 6. How will you prevent it"):
        assert heading in text
    assert "Canaries catch this." in text
    assert "- **Config pushed to all cells at once** (Process)" in text
    assert "  2. Why? Config was not treated as code" in text
    assert "| Stage config rollouts | Prevent |" in text
    assert "## Phase stamps and durations" in text
    assert "| Detect |" in text
    assert "## Timeline" in text and "Declared" in text


def test_printable_page_is_sanitized_html_of_the_export(client_logged_in, coe, user):
    services.coe_section_save(
        coe_id=coe.pk, key="lessons", body="<script>alert(1)</script> **bold**", base_version=1, actor=user
    )

    content = client_logged_in.get(f"/coe/{coe.pk}/print/").content.decode()

    assert "<strong>bold</strong>" in content
    assert "<script>alert(1)</script>" not in content
    assert "@media print" in content


def test_action_item_list_filters_mine_overdue_and_status(client_logged_in, coe, user):
    other = factories.user("omar")
    today = timezone.localdate()
    services.action_item_save(
        coe_id=coe.pk, actor=user, title="Mine and late", owner=user, due_on=today - timedelta(days=2)
    )
    services.action_item_save(
        coe_id=coe.pk, actor=user, title="Omar's", owner=other, due_on=today + timedelta(days=2)
    )
    services.action_item_save(
        coe_id=coe.pk, actor=user, title="Mine but done", owner=user, due_on=today - timedelta(days=5),
        status=ActionStatus.DONE,
    )  # fmt: skip

    everything = client_logged_in.get("/action-items/").content.decode()
    mine = client_logged_in.get("/action-items/?mine=on").content.decode()
    overdue = client_logged_in.get("/action-items/?overdue=on").content.decode()
    done = client_logged_in.get("/action-items/?status=done").content.decode()

    assert (
        everything.index("Mine but done")
        < everything.index("Mine and late")
        < everything.index("Omar&#x27;s")
    )
    assert "Omar&#x27;s" not in mine and "Mine and late" in mine
    assert "Mine and late" in overdue and "Mine but done" not in overdue and "Omar&#x27;s" not in overdue
    assert "Mine but done" in done and "Mine and late" not in done


def test_blocking_finding_shows_on_the_page_and_blocks_until_a_reviewer_dismisses_it(client, coe, user):
    body = "Root cause: human error."
    section = coe.sections.get(key="what_happened")
    services.coe_section_save(
        coe_id=coe.pk, key="what_happened", body=body, base_version=section.version, actor=user
    )
    client.force_login(user)

    content = client.get(f"/coe/{coe.pk}/").content.decode()

    assert "Blocks review" in content
    assert "blocking language findings (1)" in content
    reviewer = factories.user("rita")
    with pytest.raises(errors.PermissionDenied, match="other than the owner"):
        services.finding_dismiss(
            coe_id=coe.pk, actor=coe.owner, section="what_happened", rule="human-error-cause",
            words="human error", reason="quoting the old report",
        )  # fmt: skip
    client.force_login(reviewer)
    response = client.post(
        f"/coe/{coe.pk}/findings/dismiss/",
        {
            "section": "what_happened",
            "rule": "human-error-cause",
            "words": "human error",
            "reason": "a quote",
        },
    )

    assert response.status_code == 302
    content = client.get(f"/coe/{coe.pk}/").content.decode()
    assert "blocking language findings" not in content
    assert coe.events.filter(kind="finding_dismissed", body="a quote").exists()


def test_done_item_shows_later_incidents_of_the_same_services(client_logged_in, coe, user, team, service):
    item = services.action_item_save(coe_id=coe.pk, actor=user, title="Add canaries", owner=user)
    services.action_item_save(coe_id=coe.pk, actor=user, item_id=item.pk, status=ActionStatus.DONE)
    # Impact of the next one begins after the item was done; the unrelated one has another service.
    factories.incident(
        actor=user, team=team, services_=[service], title="Checkout errors again", detected_at=timezone.now()
    )
    factories.incident(actor=user, team=team, title="Unrelated", detected_at=timezone.now())

    content = client_logged_in.get(f"/coe/{coe.pk}/").content.decode()

    assert "1 later incident of the same services" in content


def test_action_item_edited_inline_from_the_coe_page(client_logged_in, coe, user):
    item = services.action_item_save(coe_id=coe.pk, actor=user, title="Add canaries")
    due = timezone.localdate() + timedelta(days=3)

    response = client_logged_in.post(
        f"/coe/{coe.pk}/action-items/{item.pk}/",
        {"title": "Add canaries to every cell", "owner": user.pk, "due_on": due.isoformat(), "kind": "detect",
         "priority": "high", "status": "open", "wont_do_reason": "", "tracker_url": "", "description": "x"},
    )  # fmt: skip

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.owner, item.due_on, item.kind, item.priority) == (
        "Add canaries to every cell",
        user,
        due,
        "detect",
        "high",
    )


def test_action_item_list_pages_without_counting(client_logged_in, coe, user):
    for index in range(views.ACTION_ITEMS_PER_PAGE + 2):
        ActionItem.objects.create(coe=coe, title=f"Item {index:03d}", owner=user)
    first = client_logged_in.get("/action-items/")
    second = client_logged_in.get("/action-items/?page=2")

    assert first.context["has_next"] is True and len(first.context["items"]) == views.ACTION_ITEMS_PER_PAGE
    assert second.context["has_next"] is False
    assert b'rel="prev"' in second.content
    assert client_logged_in.get("/action-items/?page=nope").context["page"] == 1
