"""In-app notifications, reminder log, preferences, team channels (webhooks, digest subscriptions) and
the outbox.

An in-app notification is one row per person and event, its text and link written when it is created,
so the list (/notifications/) and the top bar's unread count read one table whatever made each row.

The reminder log is what makes a reminder arrive at most once: one row per (kind, subject, recipient,
period), held by unique constraints, written with INSERT ... ON CONFLICT DO NOTHING. A retried,
duplicated or re-run scan inserts nothing new and so sends nothing new.

The outbox holds every send (email or webhook) with its state; sending happens outside transactions,
from `notifications.tasks.message_send`, guarded so a message is sent by one task at a time and never
again once sent or failed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import BaseModel
from incidents.models import Team


class NotificationKind(models.TextChoices):
    MENTION = "mention", "Mention"
    # Reminders: the same values as ReminderKind below.
    ACTION_ITEM_DUE = "action_item_due", "Action item due soon"
    ACTION_ITEM_OVERDUE = "action_item_overdue", "Action item overdue"
    COE_OVERDUE = "coe_overdue", "COE past due"
    REVIEW_PENDING = "review_pending", "Review waiting"
    REVIEW_REQUESTED = "review_requested", "Review requested"
    INCIDENT_STALE = "incident_stale", "Incident without activity"


class Notification(models.Model):
    """Something a person should see, listed in the app (/notifications/ and the count in the top bar).

    Mentions in COE comments, review requests and reminders write it (notifications.services.inbox).
    Its only change is being read: `read_at` records when (no `updated_at`, nothing else moves).
    The table was core's (core_notification) until issue 11 moved it here with its rows; the index and
    constraint names are the ones it had.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who caused it; none for the system (a reminder).",
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500, help_text="Where it leads: a path on this site.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The unread count in every page's top bar: recipient = ? AND read_at IS NULL.
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(url=""), name="notification_has_url"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}: {self.text}"


class ReminderKind(models.TextChoices):
    """What a reminder log row is about. The first five are also in-app notification kinds."""

    ACTION_ITEM_DUE = NotificationKind.ACTION_ITEM_DUE.value, "Action item due within 2 days"
    ACTION_ITEM_OVERDUE = NotificationKind.ACTION_ITEM_OVERDUE.value, "Action item overdue"
    COE_OVERDUE = NotificationKind.COE_OVERDUE.value, "COE past its due date"
    REVIEW_PENDING = NotificationKind.REVIEW_PENDING.value, "COE review waiting over 2 business days"
    INCIDENT_STALE = NotificationKind.INCIDENT_STALE.value, "Active incident without timeline activity"
    WEEKLY_DIGEST = "weekly_digest", "Weekly team digest"


# What a person can choose channels for: each personal reminder kind, mentions in COE comments, and
# COEs sent to them for review.
PERSONAL_REMINDER_KINDS: tuple[str, ...] = (
    ReminderKind.ACTION_ITEM_DUE,
    ReminderKind.ACTION_ITEM_OVERDUE,
    ReminderKind.COE_OVERDUE,
    ReminderKind.REVIEW_PENDING,
    ReminderKind.INCIDENT_STALE,
)


class Topic(models.TextChoices):
    ACTION_ITEM_DUE = ReminderKind.ACTION_ITEM_DUE.value, ReminderKind.ACTION_ITEM_DUE.label
    ACTION_ITEM_OVERDUE = ReminderKind.ACTION_ITEM_OVERDUE.value, ReminderKind.ACTION_ITEM_OVERDUE.label
    COE_OVERDUE = ReminderKind.COE_OVERDUE.value, ReminderKind.COE_OVERDUE.label
    REVIEW_PENDING = ReminderKind.REVIEW_PENDING.value, ReminderKind.REVIEW_PENDING.label
    INCIDENT_STALE = ReminderKind.INCIDENT_STALE.value, ReminderKind.INCIDENT_STALE.label
    MENTION = NotificationKind.MENTION.value, "Mentioned in a COE comment"
    REVIEW_REQUESTED = "review_requested", "A COE sent to you for review"


class ReminderLog(models.Model):
    """One reminder decided: this kind, about this subject, for this person (or, recipient null, for a
    team's channels), in this period (the day in REPORTING_TIME_ZONE; the due date for "due soon",
    which is sent once; the Monday for the weekly digest). Never updated, never deleted by the app.

    `batch` is the scan run that inserted the row: after INSERT ... ON CONFLICT DO NOTHING, the rows
    carrying this run's batch are exactly the ones this run created (and must send).
    """

    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    subject = models.CharField(max_length=100, help_text='What it is about, e.g. "action_item:12".')
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="None: the team's channels (the digest).",
    )
    period = models.DateField()
    batch = models.UUIDField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
            # NULLs are distinct in a plain unique constraint, so the team-channel rows get their own.
            models.UniqueConstraint(
                fields=["kind", "subject", "recipient", "period"],
                condition=Q(recipient__isnull=False),
                name="reminder_once_per_person_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "subject", "period"],
                condition=Q(recipient__isnull=True),
                name="reminder_once_per_channel_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} → {self.recipient_id or 'team'} ({self.period})"


class Preference(BaseModel):
    """A person's channels for one topic. No row means the default: email and in-app both on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(max_length=30, choices=Topic.choices)
    email = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="preference_once_per_topic"),
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="preference_topic_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: email={self.email} in_app={self.in_app}"


class DigestSubscription(BaseModel):
    """Who receives a team's weekly digest by email: a person (their account's address), or a team
    mailing address (`email`, no person)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="digest_subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="digest_subscriptions",
    )
    email = models.EmailField(blank=True, help_text="A team mailing address, when no person is named.")

    class Meta:
        ordering = ["team", "email", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email="")) | (Q(user__isnull=True) & ~Q(email="")),
                name="digest_subscription_user_or_email",
            ),
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(user__isnull=False), name="digest_subscription_user_once"
            ),
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=Q(user__isnull=True),
                name="digest_subscription_email_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id}: {self.user_id or self.email}"


class WebhookFormat(models.TextChoices):
    SLACK = "slack", 'Slack-compatible ({"text": ...})'
    GENERIC = "generic", "Generic JSON (documented)"


class WebhookEvent(models.TextChoices):
    """What a team webhook can hear about."""

    INCIDENT_DECLARED = "incident.declared", "Incident declared"
    INCIDENT_PHASE = "incident.phase_changed", "Incident phase ended"
    INCIDENT_RESOLVED = "incident.resolved", "Incident resolved"
    INCIDENT_CLOSED = "incident.closed", "Incident closed (false alarm or auto-resolved)"
    INCIDENT_REOPENED = "incident.reopened", "Incident reopened"
    INCIDENT_SEVERITY = "incident.severity_changed", "Incident severity changed"
    DIGEST = "digest.weekly", "Weekly digest"


DEFAULT_WEBHOOK_EVENTS: list[str] = [
    WebhookEvent.INCIDENT_DECLARED,
    WebhookEvent.INCIDENT_RESOLVED,
    WebhookEvent.INCIDENT_CLOSED,
    WebhookEvent.INCIDENT_REOPENED,
    WebhookEvent.DIGEST,
]


def default_webhook_events() -> list[str]:
    return list(DEFAULT_WEBHOOK_EVENTS)


class TeamWebhook(BaseModel):
    """An outbound webhook of a team. `secret`, when set, signs each body with HMAC-SHA256 (it has to
    be stored as is to sign; it is shown once when generated, and can be replaced)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    format = models.CharField(max_length=10, choices=WebhookFormat.choices, default=WebhookFormat.SLACK)
    secret = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    events = models.JSONField(default=default_webhook_events, blank=True, help_text="WebhookEvent values.")

    class Meta:
        ordering = ["team__name", "name", "id"]
        indexes = [models.Index(fields=["team", "enabled"], name="webhook_team_enabled_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(format__in=WebhookFormat.values), name="webhook_format_valid"),
            models.UniqueConstraint(fields=["team", "name"], name="webhook_name_unique_per_team"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.team_id})"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class MessageState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class MessageTopic(models.TextChoices):
    """Why a message was sent (for the outbox filters)."""

    ACTION_ITEM_DUE = ReminderKind.ACTION_ITEM_DUE.value, "Action item due"
    ACTION_ITEM_OVERDUE = ReminderKind.ACTION_ITEM_OVERDUE.value, "Action item overdue"
    COE_OVERDUE = ReminderKind.COE_OVERDUE.value, "COE past due"
    REVIEW_PENDING = ReminderKind.REVIEW_PENDING.value, "Review waiting"
    INCIDENT_STALE = ReminderKind.INCIDENT_STALE.value, "Incident without activity"
    WEEKLY_DIGEST = ReminderKind.WEEKLY_DIGEST.value, "Weekly digest"
    MENTION = "mention", "Mention"
    REVIEW_REQUESTED = Topic.REVIEW_REQUESTED.value, "Review requested"
    INCIDENT_EVENT = "incident_event", "Incident event"
    TEST = "test", "Test"


class OutboundMessage(models.Model):
    """One send to one address or webhook, and what became of it.

    An email has `to_email`, `subject`, `body_text` and `body_html`; a webhook message has `webhook`
    and `payload` (the JSON body, in the webhook's format at the time it was written). Sending is
    guarded: a task claims the row (`claimed_by`, `claimed_until`) before sending, and marks it sent or
    failed only while it is still pending, so a duplicate task is a no-op.
    """

    channel = models.CharField(max_length=10, choices=Channel.choices)
    topic = models.CharField(max_length=30, choices=MessageTopic.choices)
    to_email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    webhook = models.ForeignKey(
        TeamWebhook, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    reminder = models.ForeignKey(
        ReminderLog, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    subject = models.CharField(max_length=300)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    payload = models.JSONField(null=True, blank=True)
    event = models.CharField(max_length=40, blank=True, help_text="Webhooks: the WebhookEvent it reports.")
    url = models.CharField(max_length=500, blank=True, help_text="The absolute link it carries.")

    state = models.CharField(max_length=10, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a retry is due.")
    claimed_by = models.CharField(max_length=64, blank=True, help_text="The task id sending it.")
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="outbound_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="outbound_channel_valid"),
            models.CheckConstraint(condition=Q(state__in=MessageState.values), name="outbound_state_valid"),
            models.CheckConstraint(condition=Q(topic__in=MessageTopic.values), name="outbound_topic_valid"),
            models.CheckConstraint(
                condition=(Q(channel=Channel.EMAIL) & ~Q(to_email="") & Q(webhook__isnull=True))
                | (Q(channel=Channel.WEBHOOK) & Q(webhook__isnull=False) & Q(to_email="")),
                name="outbound_has_its_address",
            ),
            models.CheckConstraint(
                condition=~Q(state=MessageState.SENT) | Q(sent_at__isnull=False),
                name="outbound_sent_has_time",
            ),
            # A reminder goes to each address or webhook once.
            models.UniqueConstraint(
                fields=["reminder", "to_email"],
                condition=Q(reminder__isnull=False, channel=Channel.EMAIL),
                name="outbound_reminder_email_once",
            ),
            models.UniqueConstraint(
                fields=["reminder", "webhook"],
                condition=Q(reminder__isnull=False, channel=Channel.WEBHOOK),
                name="outbound_reminder_webhook_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.state}: {self.subject}"
