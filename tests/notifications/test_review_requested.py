"""A COE sent for review is told to each reviewer, in the app and by email, as each chose for
"review requested" (the preferences page lists it with the other topics)."""

import pytest

from coe import services as coe_services
from core import errors
from notifications import services
from notifications.models import Notification, OutboundMessage, Preference, Topic
from tests import events, factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def coe(owner):
    coe = factories.coe(actor=owner, title="Checkout errors")
    return factories.coe_complete(coe, actor=owner)


@pytest.fixture
def sam(db):
    return factories.user("sam", email="sam@example.com", first_name="Sam", last_name="Ng")


def submit(coe, *reviewers, actor):
    """Submit, then let the consumers run (the notifications one tells the reviewers)."""
    submitted = coe_services.coe_submit(coe_id=coe.pk, actor=actor, reviewers=list(reviewers))
    events.drain()
    return submitted


def test_submitting_tells_each_reviewer_in_the_app_and_by_email(coe, owner, reviewer, sam, settings):
    submit(coe, reviewer, sam, actor=owner)

    reference = coe.incident.reference
    path = f"/coe/{coe.pk}/#review-h"
    for person in (reviewer, sam):
        (note,) = Notification.objects.filter(recipient=person)
        assert (note.kind, note.actor, note.url) == ("review_requested", owner, path)
        assert note.text == f"Olivia sent you the {reference} COE “Checkout errors” for review."
        (message,) = OutboundMessage.objects.filter(user=person)
        assert (message.to_email, message.topic) == (person.email, "review_requested")
        assert message.subject == f"Olivia asks for your review of the {reference} COE"
        assert f"{settings.SITE_URL}{path}" in message.body_text
        assert f"{settings.SITE_URL}{path}" in message.body_html
    assert not Notification.objects.filter(recipient=owner).exists()


@pytest.mark.parametrize(("email", "in_app"), [(False, True), (True, False), (False, False)])
def test_a_review_request_follows_the_reviewers_choice(coe, owner, reviewer, email, in_app):
    Preference.objects.create(user=reviewer, topic=Topic.REVIEW_REQUESTED, email=email, in_app=in_app)

    submit(coe, reviewer, actor=owner)

    assert OutboundMessage.objects.filter(user=reviewer).count() == int(email)
    assert Notification.objects.filter(recipient=reviewer).count() == int(in_app)


def test_other_topics_choices_do_not_silence_review_requests(coe, owner, reviewer):
    Preference.objects.create(user=reviewer, topic=Topic.MENTION, email=False, in_app=False)

    submit(coe, reviewer, actor=owner)

    assert OutboundMessage.objects.filter(user=reviewer, topic="review_requested").count() == 1
    assert Notification.objects.filter(recipient=reviewer).count() == 1


def test_a_reviewer_without_an_email_address_is_told_in_the_app_only(coe, owner):
    quiet = factories.user("quinn", first_name="Quinn")

    submit(coe, quiet, actor=owner)

    assert Notification.objects.filter(recipient=quiet).count() == 1
    assert not OutboundMessage.objects.exists()


def test_a_refused_submission_tells_nobody(owner, reviewer):
    unfinished = factories.coe(actor=owner)

    with pytest.raises(errors.ValidationFailed, match="Not ready for review"):
        submit(unfinished, reviewer, actor=owner)

    assert not Notification.objects.exists() and not OutboundMessage.objects.exists()


def test_each_round_tells_its_reviewers_again(coe, owner, reviewer):
    submit(coe, reviewer, actor=owner)
    coe_services.coe_review(coe_id=coe.pk, reviewer=reviewer, decision="changes_requested", comment="Graphs")

    submit(coe, reviewer, actor=owner)

    assert Notification.objects.filter(recipient=reviewer).count() == 2
    assert OutboundMessage.objects.filter(user=reviewer).count() == 2


def test_review_requested_notify_never_tells_the_actor(owner, reviewer):
    told = services.review_requested_notify(
        recipients=[owner, reviewer], actor=owner, text="t", url="/coe/1/", subject="s"
    )

    assert told == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [reviewer.pk]


def test_the_preferences_page_offers_review_requests(client, reviewer):
    client.force_login(reviewer)

    content = client.get("/preferences/notifications/").content.decode()
    response = client.post(
        "/preferences/notifications/", {"review_requested__in_app": "on", "mention__email": "on"}
    )

    assert "A COE sent to you for review" in content
    assert 'name="review_requested__email"' in content
    assert response.status_code == 302
    preference = Preference.objects.get(user=reviewer, topic=Topic.REVIEW_REQUESTED)
    assert (preference.email, preference.in_app) == (False, True)
