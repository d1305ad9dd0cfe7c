"""Sending one message: email through Django's backend, webhooks to a local receiver; bounded retries,
the claim that keeps duplicates from sending twice, retry from the outbox, and the sweep."""

import json
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core import errors
from notifications import payloads, services, tasks
from notifications.models import MessageState, OutboundMessage
from notifications.services import outbox
from tests import factories
from tests.notifications.receivers import HttpReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick(settings):
    settings.NOTIFY_RETRY_BACKOFF_SECONDS = 0.01
    settings.NOTIFY_WEBHOOK_TIMEOUT = (1.0, 0.5)


def email(owner, **fields) -> OutboundMessage:
    message = outbox.email_message(
        to_email=owner.email,
        user_id=owner.pk,
        topic="action_item_overdue",
        subject="Overdue: Add a canary",
        template="reminder",
        context={"reminder": {"text": "Your action item is overdue."}},
        url="http://127.0.0.1:8000/coe/1/",
    )
    for name, value in fields.items():
        setattr(message, name, value)
    message.save()
    return message


def hook_message(webhook, *, payload=None) -> OutboundMessage:
    message = outbox.webhook_message(
        webhook=webhook,
        topic="incident_event",
        event="incident.declared",
        payload=payload or {"text": "INC-1 declared"},
        subject="INC-1 declared",
    )
    message.save()
    return message


def test_email_is_sent_once_with_html_and_text(owner):
    message = email(owner)

    assert services.message_send(message_id=message.pk) == "sent"
    assert services.message_send(message_id=message.pk) == "skipped"

    (sent,) = mail.outbox
    assert sent.to == [owner.email] and sent.subject == "Overdue: Add a canary"
    assert "Your action item is overdue." in sent.body and "http://127.0.0.1:8000/coe/1/" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and 'href="http://127.0.0.1:8000/coe/1/"' in html
    assert sent.extra_headers["Message-ID"] == f"<outbound-{message.pk}@127.0.0.1>"
    message.refresh_from_db()
    assert (message.state, message.attempts, message.sent_at is not None) == ("sent", 1, True)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user")}), False),
        (smtplib.SMTPRecipientsRefused({"a@b": (450, b"mailbox busy")}), True),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (ValueError("bad header"), False),
    ],
)
def test_email_errors_are_told_apart(error, transient):
    assert outbox.is_transient(error) is transient


def test_email_transient_failure_retries_then_fails_after_three_attempts(owner, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    message = email(owner)

    for attempt in (1, 2):
        with pytest.raises(services.RetryLater) as caught:
            services.message_send(message_id=message.pk)
        message.refresh_from_db()
        assert (message.state, message.attempts) == ("pending", attempt)
        assert 0 <= caught.value.countdown <= 0.01 * 2 ** (attempt - 1)
        assert message.next_attempt_at is not None and message.claimed_until is None
    assert services.message_send(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert (message.state, message.attempts) == ("failed", 3)
    assert "SMTPServerDisconnected" in message.last_error


def test_backoff_is_exponential_with_full_jitter(settings, monkeypatch):
    settings.NOTIFY_RETRY_BACKOFF_SECONDS = 30
    calls = []
    monkeypatch.setattr(outbox.random, "uniform", lambda low, high: calls.append((low, high)) or high)

    assert [outbox.backoff(0), outbox.backoff(1)] == [30, 60]
    assert calls == [(0, 30), (0, 60)]


def test_webhook_body_is_posted_with_its_headers(receiver, team, webhook_for):
    webhook = webhook_for(team, receiver.url, secret="s3cret")
    message = hook_message(webhook, payload={"text": "héllo"})

    assert services.message_send(message_id=message.pk) == "sent"

    (request,) = receiver.received
    assert json.loads(request.body) == {"text": "héllo"}
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-cornerstone-event"] == "incident.declared"
    assert request.headers["x-cornerstone-delivery"] == str(message.pk)
    assert payloads.verify(
        secret="s3cret",
        timestamp=request.headers["x-cornerstone-timestamp"],
        raw_body=request.body,
        header=request.headers["x-cornerstone-signature"],
    )


def test_unsigned_webhook_has_no_signature_header(receiver, team, webhook_for):
    message = hook_message(webhook_for(team, receiver.url))

    services.message_send(message_id=message.pk)
    assert "x-cornerstone-signature" not in receiver.received[0].headers


def test_webhook_failing_twice_then_succeeding_is_sent_once_after_three_attempts(team, webhook_for):
    receiver = HttpReceiver(script=[503, 500, 200]).start()
    try:
        message = hook_message(webhook_for(team, receiver.url))
        for _ in range(2):
            with pytest.raises(services.RetryLater):
                services.message_send(message_id=message.pk)
        assert services.message_send(message_id=message.pk) == "sent"
        assert services.message_send(message_id=message.pk) == "skipped"
    finally:
        receiver.stop()

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == ("sent", 3, "")
    assert len(receiver.received) == 3


def test_webhook_client_error_fails_at_once(team, webhook_for):
    receiver = HttpReceiver(script=[404]).start()
    try:
        message = hook_message(webhook_for(team, receiver.url))
        assert services.message_send(message_id=message.pk) == "failed"
    finally:
        receiver.stop()

    message.refresh_from_db()
    assert (message.state, message.attempts) == ("failed", 1)
    assert "404" in message.last_error


def test_webhook_that_hangs_times_out_as_a_transient_failure(team, webhook_for):
    receiver = HttpReceiver(script=[0], hang_seconds=2).start()
    try:
        message = hook_message(webhook_for(team, receiver.url))
        started = timezone.now()
        with pytest.raises(services.RetryLater):
            services.message_send(message_id=message.pk)
        assert timezone.now() - started < timedelta(seconds=1.5)
    finally:
        receiver.stop()
    message.refresh_from_db()
    assert "Timeout" in message.last_error


def test_disabled_webhook_message_fails_without_a_request(receiver, team, webhook_for):
    webhook = webhook_for(team, receiver.url)
    message = hook_message(webhook)
    services.webhook_set_enabled(webhook_id=webhook.pk, enabled=False)

    assert services.message_send(message_id=message.pk) == "failed"
    assert receiver.received == []


def test_the_task_retries_eagerly_and_records_each_attempt(team, webhook_for):
    receiver = HttpReceiver(script=[500, 500, 200]).start()
    try:
        message = hook_message(webhook_for(team, receiver.url))
        tasks.message_send.apply(args=[message.pk])
    finally:
        receiver.stop()
    message.refresh_from_db()
    assert (message.state, message.attempts, len(receiver.received)) == ("sent", 3, 3)


def test_the_task_gives_up_after_two_retries(team, webhook_for):
    receiver = HttpReceiver(script=[500]).start()
    try:
        message = hook_message(webhook_for(team, receiver.url))
        tasks.message_send.apply(args=[message.pk])
    finally:
        receiver.stop()
    message.refresh_from_db()
    assert (message.state, message.attempts, len(receiver.received)) == ("failed", 3, 3)
    assert "500" in message.last_error


def test_a_message_held_by_another_sender_is_skipped_but_its_own_task_may_take_it_again(owner):
    message = email(
        owner, claimed_by="task-a", claimed_until=timezone.now() + timedelta(seconds=60), attempts=1
    )

    assert services.message_send(message_id=message.pk, token="task-b") == "skipped"
    assert mail.outbox == []
    # Celery redelivers a task whose worker died with the same id: it takes its claim back.
    assert services.message_send(message_id=message.pk, token="task-a") == "sent"
    assert len(mail.outbox) == 1


def test_an_expired_claim_can_be_taken_over(owner):
    message = email(
        owner, claimed_by="task-a", claimed_until=timezone.now() - timedelta(seconds=1), attempts=1
    )

    assert services.message_send(message_id=message.pk, token="task-b") == "sent"


def test_a_message_whose_senders_all_died_is_marked_failed_not_retried_forever(owner):
    message = email(owner, attempts=3)

    assert services.message_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.state == "failed" and "without a result" in message.last_error
    assert mail.outbox == []


def test_retry_puts_a_failed_message_back_with_a_fresh_budget(owner, monkeypatch):
    queued = []
    monkeypatch.setattr(outbox, "enqueue", queued.extend)
    message = email(owner, state=MessageState.FAILED, attempts=3, last_error="554 rejected")

    services.message_retry(message_id=message.pk)

    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 0)
    assert queued == [message.pk]
    with pytest.raises(errors.Conflict):
        services.message_retry(message_id=message.pk)
    with pytest.raises(errors.NotFound):
        services.message_retry(message_id=999_999)


def test_sweep_enqueues_only_messages_whose_task_seems_lost(owner, monkeypatch, time_machine):
    queued = []
    monkeypatch.setattr(outbox, "enqueue", queued.extend)
    now = timezone.now()
    time_machine.move_to(now - timedelta(minutes=5), tick=False)
    lost = email(owner)
    sent = email(owner, state=MessageState.SENT, sent_at=now)
    held = email(owner, claimed_by="x", claimed_until=now + timedelta(seconds=30))
    retry_due_soon = email(owner, attempts=1, next_attempt_at=now + timedelta(seconds=20))
    retry_long_late = email(owner, attempts=1, next_attempt_at=now - timedelta(minutes=3))
    time_machine.move_to(now, tick=False)
    fresh = email(owner)

    assert services.outbox_sweep() == 2
    assert sorted(queued) == sorted([lost.pk, retry_long_late.pk])
    assert {sent.pk, held.pk, retry_due_soon.pk, fresh.pk}.isdisjoint(queued)


def test_stored_messages_are_enqueued_after_commit(owner, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.message_send, "delay", lambda message_id: sent.append(message_id))

    with django_capture_on_commit_callbacks(execute=True):
        (message,) = outbox.messages_store([outbox.webhook_message(**_hook_fields(owner))])
        assert sent == []
    assert sent == [message.pk]


def _hook_fields(owner):
    team = factories.team("Hooks")
    webhook, _ = services.webhook_create(
        team=team, name="h", url="http://127.0.0.1:9/", format="slack", events=["incident.declared"]
    )
    return {"webhook": webhook, "topic": "test", "event": "test", "payload": {"text": "t"}, "subject": "t"}
