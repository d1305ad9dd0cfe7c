"""The COE page changes in place and never loses input: adding or refusing a contributing factor or an
action item, and submitting for review, answer the changed card (htmx) with a confirmation or the
form as typed with the error beside its field; without htmx they redirect to the card's anchor, or
show the whole page with the refused form. An approved COE is read-only, with reopen for those the
service allows. Through Django's client, with HX-Request for the fragments."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coe import services
from coe.models import ActionItem, ActionStatus, Coe, CoeState, ContributingFactor
from core import errors
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coe(user, team, service):
    incident = factories.incident(actor=user, team=team, services_=[service], title="Checkout errors")
    return services.coe_start(incident_id=incident.pk, actor=user)


@pytest.fixture
def rita(db):
    return factories.user("rita", first_name="Rita", last_name="Martin")


def page(coe: Coe) -> str:
    return f"/coe/{coe.pk}/"


def opening(content: str, element_id: str) -> str:
    match = re.search(rf'<\w+ [^>]*id="{element_id}"[^>]*>', content)
    assert match, f"no element #{element_id}"
    return match.group(0)


def status_line(content: str, part: str) -> str:
    match = re.search(rf'data-testid="{part}-status">(.*?)</div>', content, re.S)
    assert match, f"no status line for {part}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


FACTOR = {"statement": "Config changes skip validation", "category": "process", "whys": "No schema\nNo owner"}


def item(**overrides) -> dict:
    return {"title": "Validate configs in CI", "priority": "high", "kind": "prevent", "status": "open",
            **overrides}  # fmt: skip


# --- factors -------------------------------------------------------------------------------------


def test_factor_add_with_htmx_answers_the_factors_card_with_a_confirmation(client_logged_in, coe):
    response = client_logged_in.post(f"/coe/{coe.pk}/factors/", FACTOR, **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="factors"' in opening(content, "factors") and "hx-swap-oob" not in opening(content, "factors")
    assert status_line(content, "factors") == "Factor added: Config changes skip validation"
    assert 'role="status"' in content
    assert "<strong>Config changes skip validation</strong>" in content
    assert "<li>Why? No owner</li>" in content
    # a fresh form for the next one, and the review checklist redrawn beside it
    assert 'name="statement" maxlength="500" required id="factor-statement">' in content
    assert 'hx-swap-oob="true"' in opening(content, "review")
    assert "Add at least one contributing factor" not in content
    assert "<html" not in content
    assert ContributingFactor.objects.get(coe=coe).whys == ["No schema", "No owner"]


def test_factor_refused_with_htmx_keeps_what_was_typed_and_shows_the_error_beside_the_field(
    client_logged_in, coe
):
    typed = {
        "statement": "The deploy failed",
        "category": "tooling",
        "whys": "The root cause was human error",
    }

    response = client_logged_in.post(f"/coe/{coe.pk}/factors/", typed, **HTMX)

    assert response.status_code == 422
    content = response.content.decode()
    assert "hx-swap-oob" not in opening(content, "factors")
    assert 'value="The deploy failed"' in content
    assert '<option value="tooling" selected>Tooling</option>' in content
    assert ">\nThe root cause was human error</textarea>" in content
    error = re.search(r'<p class="error" id="factor-whys_error" role="alert">([^<]+)</p>', content)
    assert error and error.group(1).startswith("This chain ends at a person")
    assert status_line(content, "factors") == "Check the field marked below."
    assert not ContributingFactor.objects.filter(coe=coe).exists()


def test_factor_add_without_htmx_redirects_to_the_factors_card(client_logged_in, coe):
    response = client_logged_in.post(f"/coe/{coe.pk}/factors/", FACTOR)

    assert (response.status_code, response["Location"]) == (302, f"{page(coe)}#factors")


def test_factor_remove_with_htmx_answers_the_card(client_logged_in, coe, user):
    factor = services.factor_save(coe_id=coe.pk, actor=user, statement="Gone", category="tooling", whys=["w"])

    response = client_logged_in.post(f"/coe/{coe.pk}/factors/{factor.pk}/delete/", **HTMX)

    assert response.status_code == 200
    assert status_line(response.content.decode(), "factors") == "Factor removed."
    assert not ContributingFactor.objects.filter(pk=factor.pk).exists()


# --- action items --------------------------------------------------------------------------------


def test_action_item_add_with_htmx_answers_the_items_card_with_a_confirmation(client_logged_in, coe, rita):
    response = client_logged_in.post(
        f"/coe/{coe.pk}/action-items/", item(owner=rita.pk, due_on="2030-01-15"), **HTMX
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "hx-swap-oob" not in opening(content, "action-items")
    assert status_line(content, "items") == "Action item added: Validate configs in CI"
    assert "<td>Rita Martin</td>" in content and "<td>Tue 15 Jan 2030</td>" in content
    assert 'hx-swap-oob="true"' in opening(content, "review")
    assert "“prevent” action item" not in content
    assert ActionItem.objects.get(coe=coe).owner == rita


def test_action_item_refused_with_htmx_keeps_what_was_typed(client_logged_in, coe, rita):
    typed = item(title="Drop the feature", status="wont_do", owner=rita.pk, tracker_url="https://t.example/9")

    response = client_logged_in.post(f"/coe/{coe.pk}/action-items/", typed, **HTMX)

    assert response.status_code == 422
    content = response.content.decode()
    assert 'value="Drop the feature"' in content
    assert f'<option value="{rita.pk}" selected>Rita Martin</option>' in content
    assert '<option value="wont_do" selected>' in content
    assert 'value="https://t.example/9"' in content
    assert 'id="item-wont_do_reason_error" role="alert">Say why it won&#x27;t be done.</p>' in content
    assert not ActionItem.objects.filter(coe=coe).exists()


def test_action_item_with_an_invalid_url_is_refused_beside_the_field(client_logged_in, coe):
    response = client_logged_in.post(f"/coe/{coe.pk}/action-items/", item(tracker_url="not a url"), **HTMX)

    assert response.status_code == 422
    content = response.content.decode()
    assert 'id="item-tracker_url_error" role="alert">Enter a valid URL.</p>' in content
    assert status_line(content, "items") == "Check the fields marked below."


def test_action_item_status_with_htmx_answers_the_items_card(client_logged_in, coe, user):
    saved = services.action_item_save(coe_id=coe.pk, actor=user, title="Canary")

    response = client_logged_in.post(
        f"/coe/{coe.pk}/action-items/{saved.pk}/status/", {"status": "in_progress"}, **HTMX
    )

    assert response.status_code == 200
    assert status_line(response.content.decode(), "items") == "Canary: in progress."


def test_action_item_status_refused_with_htmx_says_why_in_the_status_line(client_logged_in, coe, user):
    saved = services.action_item_save(coe_id=coe.pk, actor=user, title="Canary")

    bogus = client_logged_in.post(f"/coe/{coe.pk}/action-items/{saved.pk}/status/", {"status": "x"}, **HTMX)
    wont = client_logged_in.post(
        f"/coe/{coe.pk}/action-items/{saved.pk}/status/", {"status": "wont_do", "wont_do_reason": ""}, **HTMX
    )

    assert bogus.status_code == 422
    assert status_line(bogus.content.decode(), "items").startswith("status: Select a valid choice.")
    assert wont.status_code == 422
    assert status_line(wont.content.decode(), "items") == "Say why it won't be done."
    assert ActionItem.objects.get(pk=saved.pk).status == "open"


# --- submit --------------------------------------------------------------------------------------


@pytest.fixture
def complete(coe, user):
    return factories.coe_complete(coe, actor=user)


def test_submit_with_htmx_answers_the_review_card_and_the_new_state(client_logged_in, complete, rita):
    response = client_logged_in.post(f"/coe/{complete.pk}/submit/", {"reviewers": [rita.pk]}, **HTMX)

    assert response.status_code == 200
    content = response.content.decode()
    assert "hx-swap-oob" not in opening(content, "review")
    assert status_line(content, "review") == "Sent for review; notified Rita Martin."
    assert "<li>Rita Martin: Pending</li>" in content
    assert opening(content, "coe-state").endswith('hx-swap-oob="true">')
    assert ">In review</span>" in content
    assert Coe.objects.get(pk=complete.pk).state == CoeState.IN_REVIEW


def test_submit_refused_with_htmx_keeps_the_chosen_reviewers(client_logged_in, coe, rita):
    response = client_logged_in.post(f"/coe/{coe.pk}/submit/", {"reviewers": [rita.pk]}, **HTMX)

    assert response.status_code == 422
    content = response.content.decode()
    assert status_line(content, "review").startswith("Not ready for review:")
    assert f'<option value="{rita.pk}" selected>Rita Martin</option>' in content
    assert 'data-testid="problems"' in content
    assert Coe.objects.get(pk=coe.pk).state == CoeState.DRAFT


def test_submit_without_htmx_redirects_to_the_review_card(client_logged_in, complete, rita):
    response = client_logged_in.post(f"/coe/{complete.pk}/submit/", {"reviewers": [rita.pk]})

    assert (response.status_code, response["Location"]) == (302, f"{page(complete)}#review")


def test_the_forms_post_back_to_their_card_without_javascript(client_logged_in, coe):
    content = client_logged_in.get(page(coe)).content.decode()

    assert f'action="/coe/{coe.pk}/factors/#factors" hx-post="/coe/{coe.pk}/factors/"' in content
    assert (
        f'action="/coe/{coe.pk}/action-items/#action-items" hx-post="/coe/{coe.pk}/action-items/"' in content
    )
    assert f'action="/coe/{coe.pk}/submit/#review" hx-post="/coe/{coe.pk}/submit/"' in content
    assert 'hx-target="#factors"' in content and 'hx-target="#action-items"' in content


def test_the_coe_templates_have_no_inline_script_or_event_handlers(client_logged_in, coe):
    content = client_logged_in.get(page(coe)).content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)", content)
    assert not re.search(r"\son[a-z]+\s*=", content)


# --- pickers -------------------------------------------------------------------------------------


def test_the_reviewer_picker_leaves_out_the_owner_and_shows_full_names(client_logged_in, coe, user, rita):
    factories.user("sam")

    content = client_logged_in.get(page(coe)).content.decode()

    picker = re.search(r'<select name="reviewers".*?</select>', content, re.S).group(0)
    assert f'<option value="{rita.pk}">Rita Martin</option>' in picker
    assert ">sam</option>" in picker
    assert f'value="{user.pk}"' not in picker
    owners = re.search(r'<select name="owner" id="item-owner">.*?</select>', content, re.S).group(0)
    assert f'<option value="{rita.pk}">Rita Martin</option>' in owners
    assert f'<option value="{user.pk}">Alice</option>' in owners


def test_the_owner_cannot_be_chosen_as_a_reviewer_by_posting_them(client_logged_in, complete, user):
    response = client_logged_in.post(f"/coe/{complete.pk}/submit/", {"reviewers": [user.pk]}, **HTMX)

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Coe.objects.get(pk=complete.pk).state == CoeState.DRAFT


# --- approved: read-only, reopen for those allowed -----------------------------------------------


@pytest.fixture
def approved(complete, user, rita):
    services.coe_submit(coe_id=complete.pk, actor=user, reviewers=[rita])
    services.coe_review(
        coe_id=complete.pk, reviewer=rita, decision="approved", comment="Clear and blameless."
    )
    return complete


def test_an_approved_coe_renders_read_only(client_logged_in, approved):
    content = client_logged_in.get(page(approved)).content.decode()

    assert 'name="body" id="body-' not in content  # no section editors
    assert 'class="section-form"' not in content
    assert 'data-testid="factor-form"' not in content and "/delete/" not in content
    assert 'data-testid="item-form"' not in content and 'class="item-edit"' not in content
    assert 'data-testid="submit-form"' not in content and 'data-testid="review-form"' not in content
    assert 'data-testid="reopen-form"' in content  # alice owns it
    assert "published and read-only" in content


def test_reopen_is_offered_only_to_those_the_service_lets_reopen(client, approved, rita):
    stranger = factories.user("sam")
    for person, offered in ((rita, True), (stranger, False)):
        client.force_login(person)
        content = client.get(page(approved)).content.decode()
        assert ('data-testid="reopen-form"' in content) is offered
        assert services.coe_can_reopen(Coe.objects.get(pk=approved.pk), person) is offered


def test_a_stranger_posting_reopen_is_refused_and_nothing_changes(client, approved):
    client.force_login(factories.user("sam"))

    response = client.post(f"/coe/{approved.pk}/reopen/", {"reason": "Because"}, follow=True)

    assert (
        "Only the owner, a reviewer or the incident commander can reopen this COE."
        in response.content.decode()
    )
    assert Coe.objects.get(pk=approved.pk).state == CoeState.APPROVED


def test_the_decisions_are_shown_with_who_when_and_what_they_said(client_logged_in, approved):
    content = client_logged_in.get(page(approved)).content.decode()

    decisions = re.search(r'data-testid="decisions">(.*?)</ol>', content, re.S).group(1)
    assert "<strong>Approved</strong> by Rita Martin" in decisions
    assert "Clear and blameless." in decisions and "<time datetime=" in decisions


def test_the_approved_page_issues_a_fixed_number_of_queries(client_logged_in, approved, user):
    client_logged_in.get(page(approved))
    with CaptureQueriesContext(connection) as small:
        assert client_logged_in.get(page(approved)).status_code == 200
    for number in range(5):  # items from before the approval (the service adds none after it)
        ActionItem.objects.create(coe=approved, title=f"More {number}", owner=factories.user())
    with CaptureQueriesContext(connection) as large:
        assert client_logged_in.get(page(approved)).status_code == 200

    assert len(large) == len(small)


def test_an_approved_coe_takes_no_new_items_and_only_status_changes(approved, user):
    item = ActionItem.objects.create(coe=approved, title="Add a canary", owner=user)
    count = approved.action_items.count()

    with pytest.raises(errors.Conflict, match="approved"):
        services.action_item_save(coe_id=approved.pk, actor=user, title="One more")
    with pytest.raises(errors.Conflict, match="approved"):
        services.action_item_save(coe_id=approved.pk, actor=user, item_id=item.pk, title="Renamed")
    services.action_item_save(coe_id=approved.pk, actor=user, item_id=item.pk, status=ActionStatus.DONE)

    item.refresh_from_db()
    assert (item.title, item.status) == ("Add a canary", ActionStatus.DONE)
    assert approved.action_items.count() == count
