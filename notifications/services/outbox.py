"""The outbox: writing messages (in the caller's transaction, sent after commit), sending one (outside
any transaction), retrying a failed one, and sweeping up messages whose task was lost.

Sending one message, `message_send`:
1. Claim it: one conditional UPDATE that counts the attempt and marks who sends it, until when. It
   matches only a pending message that nobody else holds (or whose holder's claim ran out, or that the
   same task id held before: Celery redelivers a task whose worker died with the same id). A duplicate
   task finds it held or done and does nothing. Counting at the claim bounds the attempts even if
   workers keep dying mid-send.
2. Send, outside any transaction: email through Django's backend (EMAIL_TIMEOUT), a webhook through
   `core.http` (NOTIFY_WEBHOOK_TIMEOUT), no retry inside.
3. Record: sent (UPDATE ... WHERE state = 'pending'), or a transient failure with a retry scheduled
   (`RetryLater` carries the countdown: exponential from NOTIFY_RETRY_BACKOFF_SECONDS, full jitter),
   or failed (a permanent error, or the last attempt). At most 1 + NOTIFY_MAX_RETRIES attempts.
"""

import random
import smtplib
import time
import uuid
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core import enqueue as core_enqueue
from core import errors, http
from notifications import payloads, selectors
from notifications.models import Channel, MessageState, OutboundMessage

# A claim outlives the task's hard time limit (45 s), so a live sender is never overtaken.
CLAIM_SECONDS = 60
SWEEP_GRACE = timedelta(minutes=1)
ERROR_MAX_LENGTH = 2000


class RetryLater(errors.ApplicationError):
    """A transient failure was recorded; the task should run again after `countdown` seconds."""

    status = 503
    default_code = "retry_later"

    def __init__(self, message: str, *, countdown: float):
        super().__init__(message, extra={"countdown": countdown})
        self.countdown = countdown


def max_attempts() -> int:
    return 1 + settings.NOTIFY_MAX_RETRIES


def backoff(attempt: int) -> float:
    """Full jitter: uniform in [0, base * 2**attempt], attempt 0 for the first retry."""
    return random.uniform(0, settings.NOTIFY_RETRY_BACKOFF_SECONDS * 2**attempt)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def email_message(
    *,
    to_email: str,
    topic: str,
    subject: str,
    template: str,
    context: dict,
    url: str = "",
    user_id: int | None = None,
    reminder=None,
) -> OutboundMessage:
    """An unsaved email message, its text and HTML rendered from templates/notifications/email/."""
    context = {**context, "site_url": settings.SITE_URL, "url": url, "subject": subject}
    return OutboundMessage(
        channel=Channel.EMAIL,
        topic=topic,
        to_email=to_email,
        user_id=user_id,
        reminder=reminder,
        subject=" ".join(subject.split())[:300],
        body_text=render_to_string(f"notifications/email/{template}.txt", context),
        body_html=render_to_string(f"notifications/email/{template}.html", context),
        url=url,
    )


def webhook_message(
    *, webhook, topic: str, event: str, payload: dict, subject: str, url: str = "", reminder=None
):
    return OutboundMessage(
        channel=Channel.WEBHOOK,
        topic=topic,
        webhook=webhook,
        reminder=reminder,
        event=event,
        payload=payload,
        subject=" ".join(subject.split())[:300],
        url=url,
    )


def messages_store(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    """Insert `messages` (one INSERT) and send each after the current transaction commits."""
    if not messages:
        return []
    stored = OutboundMessage.objects.bulk_create(messages)
    enqueue([message.pk for message in stored])
    return stored


def enqueue(message_ids: list[int]) -> None:
    """Queue a send for each message after the current transaction commits. `robust`: with the broker
    down, the failure is logged and the caller's request still succeeds; the messages are stored, and
    `outbox_sweep` queues them again once it is back."""

    def send_later() -> None:  # named: Django logs a robust callback's failure by its __qualname__
        send = core_enqueue.task("notifications.tasks.message_send")  # by name: tasks import this module
        for message_id in message_ids:
            send.delay(message_id)

    if message_ids:
        transaction.on_commit(send_later, robust=True)


def _claim(message_id: int, token: str) -> bool:
    now = timezone.now()
    return (
        OutboundMessage.objects.filter(pk=message_id, state=MessageState.PENDING, attempts__lt=max_attempts())
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=token))
        .update(
            attempts=F("attempts") + 1,
            claimed_by=token,
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            next_attempt_at=None,
            updated_at=now,
        )
        == 1
    )


def _give_up_if_exhausted(message_id: int) -> bool:
    """A pending message with no attempt left and no live claim: its senders died before recording a
    result. It is marked failed (visible, retryable by hand) rather than tried forever."""
    now = timezone.now()
    return bool(
        OutboundMessage.objects.filter(
            pk=message_id, state=MessageState.PENDING, attempts__gte=max_attempts()
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            state=MessageState.FAILED,
            last_error="Every attempt ended without a result (the sender stopped mid-send).",
            claimed_by="",
            claimed_until=None,
            updated_at=now,
        )
    )


def message_send(*, message_id: int, token: str = "") -> str:
    """Send one outbox message unless it is sent, failed or held by another sender (see the module
    docstring). Returns "sent", "failed" or "skipped"; raises `RetryLater` after a transient failure
    with attempts left. Must not run inside a transaction: it does network I/O.
    """
    token = token or uuid.uuid4().hex
    if not _claim(message_id, token):
        return "failed" if _give_up_if_exhausted(message_id) else "skipped"
    message = OutboundMessage.objects.select_related("webhook").get(pk=message_id)
    try:
        if message.channel == Channel.EMAIL:
            _send_email(message)
        else:
            _send_webhook(message)
    except Exception as exc:  # every failure is recorded on the row; the kind decides what follows
        return _record_failure(message, exc)
    now = timezone.now()
    OutboundMessage.objects.filter(pk=message_id, state=MessageState.PENDING).update(
        state=MessageState.SENT, sent_at=now, last_error="", claimed_by="", claimed_until=None, updated_at=now
    )
    return "sent"


def _send_email(message: OutboundMessage) -> None:
    domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        # The same Message-ID on every attempt: a resend after an unrecorded success can be recognised.
        headers={
            "Message-ID": f"<outbound-{message.pk}@{domain}>",
            payloads.DELIVERY_HEADER: str(message.pk),
        },
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send(fail_silently=False)


def _send_webhook(message: OutboundMessage) -> None:
    webhook = message.webhook
    if not webhook.enabled and message.topic != "test":
        raise errors.Conflict("The webhook was disabled before this message was sent.")
    raw = payloads.encode(message.payload)
    headers = {
        "Content-Type": "application/json",
        **payloads.headers(
            secret=webhook.secret,
            timestamp=int(time.time()),
            raw_body=raw,
            event=message.event,
            delivery_id=message.pk,
        ),
    }
    http.request("POST", webhook.url, headers=headers, body=raw, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT)


def is_transient(exc: BaseException) -> bool:
    """Worth another try later: timeouts, refused or dropped connections, 5xx/429, SMTP 4xx."""
    if isinstance(exc, http.HttpError):
        return exc.transient
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPConnectError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, smtplib.SMTPServerDisconnected | OSError | SoftTimeLimitExceeded)


def describe(exc: BaseException) -> str:
    text = f"{exc.__class__.__name__}: {exc}".strip()
    if isinstance(exc, http.BadStatus) and exc.body:
        text += f" — {exc.body[:300].decode(errors='replace')}"
    return text[:ERROR_MAX_LENGTH]


def _record_failure(message: OutboundMessage, exc: BaseException) -> str:
    now = timezone.now()
    error = describe(exc)
    pending = OutboundMessage.objects.filter(pk=message.pk, state=MessageState.PENDING)
    if is_transient(exc) and message.attempts < max_attempts():
        countdown = backoff(message.attempts - 1)
        pending.update(
            last_error=error,
            next_attempt_at=now + timedelta(seconds=countdown),
            claimed_by="",
            claimed_until=None,
            updated_at=now,
        )
        raise RetryLater(error, countdown=countdown)
    pending.update(
        state=MessageState.FAILED, last_error=error, claimed_by="", claimed_until=None, updated_at=now
    )
    return "failed"


def message_fail(*, message_id: int, error: str) -> None:
    """Mark a pending message failed (the task's own retry budget ran out first)."""
    now = timezone.now()
    OutboundMessage.objects.filter(pk=message_id, state=MessageState.PENDING).update(
        state=MessageState.FAILED,
        last_error=error[:ERROR_MAX_LENGTH],
        claimed_by="",
        claimed_until=None,
        updated_at=now,
    )


@transaction.atomic
def message_retry(*, message_id: int) -> OutboundMessage:
    """Send a failed message again: back to pending with a fresh attempt budget, enqueued after commit.
    Holds the row lock; only a failed message can be retried (anything else is a 409)."""
    message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
    if message is None:
        raise errors.NotFound(f"Message {message_id} does not exist.", extra={"message_id": message_id})
    if message.state != MessageState.FAILED:
        raise errors.Conflict(
            f"Only a failed message can be retried; this one is {message.get_state_display().lower()}.",
            code="not_failed",
        )
    message.state = MessageState.PENDING
    message.attempts = 0
    message.next_attempt_at = None
    message.claimed_by, message.claimed_until = "", None
    message.save(
        update_fields=["state", "attempts", "next_attempt_at", "claimed_by", "claimed_until", "updated_at"]
    )
    enqueue([message.pk])
    return message


def outbox_sweep() -> int:
    """Enqueue again the pending messages whose task seems lost (Redis or a worker was down): older
    than a minute, unclaimed, no retry scheduled in the last minute. Safe with the original task still
    around: the claim lets one of them send. Returns how many it enqueued."""
    ids = selectors.outbox_stuck(now=timezone.now(), grace=SWEEP_GRACE)
    enqueue(ids)
    return len(ids)
