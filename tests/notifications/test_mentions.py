"""Mentions in COE comments are told in the app and by email, as each person chose."""

import pytest

from coe.sections import SectionKey
from coe.services import comments
from notifications.models import Notification, OutboundMessage, Preference
from tests import events, factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def coe(owner):
    return factories.coe(actor=owner, title="Checkout errors")


def test_a_mention_is_emailed_and_shown_by_default(coe, owner, reviewer, settings):
    comment = comments.comment_add(
        coe_id=coe.pk, key=SectionKey.values[0], author=owner, body="@rita can you check?"
    )
    events.drain()  # the notifications consumer tells the people a comment mentions

    (message,) = OutboundMessage.objects.all()
    assert (message.to_email, message.topic, message.user_id) == (reviewer.email, "mention", reviewer.pk)
    assert message.subject == f"Olivia mentioned you in the {coe.incident.reference} COE"
    link = f"{settings.SITE_URL}/coe/{coe.pk}/#comment-{comment.pk}"
    assert link in message.body_text and link in message.body_html
    assert Notification.objects.filter(recipient=reviewer, kind="mention").count() == 1


@pytest.mark.parametrize(("email", "in_app"), [(False, True), (True, False), (False, False)])
def test_a_mention_follows_the_persons_choice(coe, owner, reviewer, email, in_app):
    Preference.objects.create(user=reviewer, topic="mention", email=email, in_app=in_app)

    comments.comment_add(coe_id=coe.pk, key=SectionKey.values[0], author=owner, body="@rita can you check?")
    events.drain()

    assert OutboundMessage.objects.count() == int(email)
    assert Notification.objects.filter(recipient=reviewer).count() == int(in_app)


def test_the_author_mentioning_themselves_gets_nothing(coe, owner):
    comments.comment_add(coe_id=coe.pk, key=SectionKey.values[0], author=owner, body="note to @olivia")
    events.drain()

    assert not OutboundMessage.objects.exists() and not Notification.objects.exists()
