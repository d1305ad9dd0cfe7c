"""Real workers on the real Redis: a reminder through a real SMTP server on localhost, webhooks to a
local HTTP receiver that fails, always fails or hangs, and a worker killed in the middle of a send.

Transactional tests (the worker reads what they commit); PostgreSQL only (the worker shares it).
Backoffs and timeouts are set small through the environment, as production would set them.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from coe.models import ActionItem
from notifications import services
from notifications.models import OutboundMessage, ReminderLog
from tests import factories
from tests.notifications.receivers import HttpReceiver, RecordingHandler, smtp_server
from tests.worker import children, kill, start_worker, stop_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs the shared PostgreSQL"),
]

QUICK = {"NOTIFY_RETRY_BACKOFF_SECONDS": "0.2", "NOTIFY_WEBHOOK_CONNECT_TIMEOUT": "1"}


def overdue_item(owner) -> ActionItem:
    coe = factories.coe(actor=owner)
    return ActionItem.objects.create(
        coe=coe, title="Add a canary stage", owner=owner, due_on=timezone.localdate() - timedelta(days=1)
    )


def state_of(message_id: int) -> str:
    return OutboundMessage.objects.values_list("state", flat=True).get(pk=message_id)


@pytest.fixture
def smtp():
    handler = RecordingHandler()
    controller = smtp_server(handler)
    yield handler, controller.port
    controller.stop()


def smtp_env(port: int) -> dict[str, str]:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "5",
        **QUICK,
    }


def test_a_reminder_is_delivered_through_a_real_smtp_server(not_eager, smtp, owner):
    handler, port = smtp
    worker = start_worker(queues="notify", **smtp_env(port))
    try:
        overdue_item(owner)
        services.reminders_scan()
        message = OutboundMessage.objects.get()
        wait_for(lambda: state_of(message.pk) == "sent", timeout=30, worker=worker)
    finally:
        output = stop_worker(worker)

    (email,) = handler.accepted
    assert email["To"] == owner.email and email["Subject"].startswith("Overdue: Add a canary stage"), output
    assert email["Message-ID"] == f"<outbound-{message.pk}@127.0.0.1>"
    kinds = [part.get_content_type() for part in email.walk()]
    assert "text/plain" in kinds and "text/html" in kinds


@pytest.mark.parametrize(
    ("script", "state", "attempts"),
    [([500, 503, 200], "sent", 3), ([500], "failed", 3), ([404], "failed", 1)],
    ids=["fails-twice-then-succeeds", "always-fails", "client-error"],
)
def test_webhook_retries_are_bounded(not_eager, team, webhook_for, script, state, attempts):
    receiver = HttpReceiver(script=script).start()
    webhook = webhook_for(team, receiver.url, format="slack", secret="s3cret")
    worker = start_worker(queues="notify", **QUICK)
    try:
        message = services.webhook_test(webhook_id=webhook.pk)
        wait_for(lambda: state_of(message.pk) != "pending", timeout=30, worker=worker)
    finally:  # a final state is never sent again (the send claims only a pending message)
        stop_worker(worker)
        receiver.stop()

    message.refresh_from_db()
    assert (message.state, message.attempts, len(receiver.received)) == (state, attempts, attempts)
    if state == "failed":
        assert str(script[-1]) in message.last_error
    else:
        assert message.last_error == "" and message.sent_at is not None


def test_a_hanging_webhook_is_cut_off_by_the_read_timeout(not_eager, team, webhook_for):
    receiver = HttpReceiver(script=[0], hang_seconds=4).start()
    webhook = webhook_for(team, receiver.url)
    worker = start_worker(queues="notify", NOTIFY_WEBHOOK_READ_TIMEOUT="1", **QUICK)
    try:
        message = services.webhook_test(webhook_id=webhook.pk)
        wait_for(lambda: state_of(message.pk) == "failed", timeout=20, worker=worker)
    finally:
        stop_worker(worker)
        receiver.stop()

    message.refresh_from_db()
    # Without the 1 s read timeout each attempt would wait out the 4 s hang and get its answer (200):
    # three failed attempts, each a timeout, are the timeout at work. (Durations: make bench.)
    assert message.attempts == 3 and "Timeout" in message.last_error
    assert len(receiver.received) == 3


def test_a_worker_killed_mid_send_still_delivers_the_reminder_exactly_once(not_eager, owner):
    handler = RecordingHandler(stall_first=True)
    controller = smtp_server(handler)
    worker = start_worker(queues="notify", pool="prefork", concurrency=1, **smtp_env(controller.port))
    try:
        overdue_item(owner)
        services.reminders_scan()
        message = OutboundMessage.objects.get()
        wait_for(handler.stalled.is_set, timeout=30, worker=worker)
        (child,) = children(worker.pid)
        kill(child)  # the pool process dies inside the SMTP DATA exchange
        handler.release.set()
        wait_for(lambda: state_of(message.pk) == "sent", timeout=30, worker=worker)
        services.reminders_scan()  # a re-run of the scan the same day queues nothing more (counts below)
    finally:
        output = stop_worker(worker)
        controller.stop()

    assert len(handler.accepted) == 1, output
    assert handler.data_commands == 2
    assert ReminderLog.objects.count() == 1
    assert OutboundMessage.objects.count() == 1
    message.refresh_from_db()
    assert message.attempts == 2  # the killed one counted
