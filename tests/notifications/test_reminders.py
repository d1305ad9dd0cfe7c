"""The reminder scan on the real database, travelling in time: once per period, by preference."""

from datetime import timedelta

import pytest

from coe.models import ActionItem, Coe, Reviewer
from incidents import services as incident_services
from notifications import selectors, services
from notifications.models import Notification, OutboundMessage, Preference, ReminderLog
from tests import factories
from tests.notifications.conftest import WEDNESDAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(time_machine):
    """Move the clock (frozen) to a moment; returns the mover."""

    def move(moment):
        time_machine.move_to(moment, tick=False)
        return moment

    move(WEDNESDAY)
    return move


def action_item(owner, *, due_in_days: int, status: str = "open") -> ActionItem:
    coe = factories.coe(actor=owner)
    return ActionItem.objects.create(
        coe=coe,
        title="Add a canary stage",
        owner=owner,
        due_on=WEDNESDAY.date() + timedelta(days=due_in_days),
        status=status,
        wont_do_reason="not needed" if status == "wont_do" else "",
        completed_at=WEDNESDAY if status == "done" else None,
    )


def logged(kind: str) -> list[ReminderLog]:
    return list(ReminderLog.objects.filter(kind=kind).order_by("id"))


def test_action_item_due_within_two_days_is_reminded_once(at, owner, settings):
    item = action_item(owner, due_in_days=2)

    assert services.reminders_scan() == 1
    assert services.reminders_scan() == 0  # the same day again
    at(WEDNESDAY + timedelta(days=1))
    assert services.reminders_scan() == 0  # the next day: still due soon, but once is enough

    (entry,) = logged("action_item_due")
    assert (entry.subject, entry.recipient, entry.period) == (f"action_item:{item.pk}", owner, item.due_on)
    (message,) = OutboundMessage.objects.all()
    assert (message.to_email, message.topic, message.reminder) == (owner.email, "action_item_due", entry)
    assert "Add a canary stage" in message.subject
    link = f"{settings.SITE_URL}/coe/{item.coe_id}/"
    assert link in message.body_text and link in message.body_html
    assert message.url == link
    (notification,) = Notification.objects.all()
    assert (notification.recipient, notification.kind, notification.url) == (
        owner,
        "action_item_due",
        f"/coe/{item.coe_id}/",
    )


def test_action_item_due_in_three_days_is_not_reminded_yet(at, owner):
    action_item(owner, due_in_days=3)

    assert services.reminders_scan() == 0
    assert not OutboundMessage.objects.exists()


def test_action_item_overdue_is_reminded_daily_until_done(at, owner):
    item = action_item(owner, due_in_days=-1)

    services.reminders_scan()
    services.reminders_scan()
    assert len(logged("action_item_overdue")) == 1

    at(WEDNESDAY + timedelta(days=1))
    services.reminders_scan()
    assert [entry.period for entry in logged("action_item_overdue")] == [
        WEDNESDAY.date(),
        WEDNESDAY.date() + timedelta(days=1),
    ]
    assert OutboundMessage.objects.filter(topic="action_item_overdue").count() == 2

    ActionItem.objects.filter(pk=item.pk).update(status="done", completed_at=WEDNESDAY)
    at(WEDNESDAY + timedelta(days=2))
    services.reminders_scan()
    assert len(logged("action_item_overdue")) == 2


@pytest.mark.parametrize("status", ["done", "wont_do"])
def test_closed_action_item_is_never_reminded(at, owner, status):
    action_item(owner, due_in_days=-5, status=status)

    assert services.reminders_scan() == 0


def test_once_a_day_follows_the_reporting_time_zone(at, owner, settings):
    settings.REPORTING_TIME_ZONE = "America/New_York"
    action_item(owner, due_in_days=-2)
    at(WEDNESDAY.replace(hour=3))  # 22:00 on Tuesday in New York
    services.reminders_scan()
    at(WEDNESDAY.replace(hour=4, minute=59))  # 23:59 on Tuesday there: the same day
    services.reminders_scan()
    at(WEDNESDAY.replace(hour=5, minute=1))  # 00:01 on Wednesday there: a new day
    services.reminders_scan()

    assert [entry.period.isoformat() for entry in logged("action_item_overdue")] == [
        "2026-03-03",
        "2026-03-04",
    ]


def test_coe_past_due_reminds_owner_and_commander_daily(at, owner, commander):
    incident = factories.incident(actor=commander, commander=commander, severity="SEV2")
    coe = factories.coe(incident, actor=commander, owner=owner)
    Coe.objects.filter(pk=coe.pk).update(due_on=WEDNESDAY.date() - timedelta(days=1))

    services.reminders_scan()
    services.reminders_scan()
    assert sorted(entry.recipient.username for entry in logged("coe_overdue")) == ["carl", "olivia"]

    at(WEDNESDAY + timedelta(days=1))
    services.reminders_scan()
    assert len(logged("coe_overdue")) == 4

    Coe.objects.filter(pk=coe.pk).update(state="in_review", submitted_at=WEDNESDAY)
    at(WEDNESDAY + timedelta(days=2))
    services.reminders_scan()
    assert len(logged("coe_overdue")) == 4


def test_review_pending_over_two_business_days_reminds_each_pending_reviewer(at, owner, reviewer):
    other = factories.user("ron", email="ron@example.com")
    coe = factories.coe(actor=owner, owner=owner)
    friday = WEDNESDAY + timedelta(days=2)
    Coe.objects.filter(pk=coe.pk).update(state="in_review", submitted_at=friday)
    Reviewer.objects.create(coe=coe, user=reviewer)
    Reviewer.objects.create(coe=coe, user=other, decision="approved", decided_at=friday)

    for day in (2, 5, 6):  # Friday itself, Monday (1 business day), Tuesday (2)
        at(WEDNESDAY + timedelta(days=day))
        services.reminders_scan()
        assert logged("review_pending") == [], day
    at(WEDNESDAY + timedelta(days=7))  # Wednesday: 3 business days
    services.reminders_scan()
    services.reminders_scan()

    (entry,) = logged("review_pending")
    assert (entry.recipient, entry.subject) == (reviewer, f"coe:{coe.pk}")


def test_stale_incident_reminds_its_commander_at_most_once_a_day(at, commander):
    incident = factories.incident(actor=commander, commander=commander, severity="SEV1")

    at(WEDNESDAY + timedelta(minutes=29))
    services.reminders_scan()
    assert logged("incident_stale") == []
    at(WEDNESDAY + timedelta(minutes=31))
    services.reminders_scan()
    at(WEDNESDAY + timedelta(hours=5))
    services.reminders_scan()
    assert len(logged("incident_stale")) == 1

    at(WEDNESDAY + timedelta(days=1))
    services.reminders_scan()
    entries = logged("incident_stale")
    assert [(e.subject, e.recipient) for e in entries] == [(f"incident:{incident.pk}", commander)] * 2


def test_timeline_activity_resets_the_stale_clock(at, commander):
    incident = factories.incident(actor=commander, commander=commander, severity="SEV1")
    at(WEDNESDAY + timedelta(minutes=25))
    incident_services.incident_note_add(incident_id=incident.pk, actor=commander, body="Rolling back")
    at(WEDNESDAY + timedelta(minutes=50))  # 25 minutes after the note
    services.reminders_scan()

    assert logged("incident_stale") == []


def test_sev4_incident_is_never_stale(at, commander):
    factories.incident(actor=commander, commander=commander, severity="SEV4")
    at(WEDNESDAY + timedelta(days=3))

    services.reminders_scan()
    assert logged("incident_stale") == []


@pytest.mark.parametrize(
    ("email", "in_app", "messages", "notifications"),
    [(True, True, 1, 1), (False, True, 0, 1), (True, False, 1, 0), (False, False, 0, 0)],
)
def test_scan_respects_each_persons_channels(at, owner, email, in_app, messages, notifications):
    Preference.objects.create(user=owner, topic="action_item_overdue", email=email, in_app=in_app)
    action_item(owner, due_in_days=-1)

    services.reminders_scan()

    assert OutboundMessage.objects.count() == messages
    assert Notification.objects.count() == notifications
    assert len(logged("action_item_overdue")) == 1  # decided either way: not reconsidered today


def test_a_preference_for_one_kind_leaves_the_others_on(at, owner):
    Preference.objects.create(user=owner, topic="action_item_due", email=False, in_app=False)
    action_item(owner, due_in_days=-1)

    services.reminders_scan()
    assert OutboundMessage.objects.filter(topic="action_item_overdue").count() == 1


def test_person_without_email_is_reminded_in_the_app_only(at):
    nomail = factories.user("noemail")
    action_item(nomail, due_in_days=-1)

    services.reminders_scan()
    assert not OutboundMessage.objects.exists()
    assert Notification.objects.filter(recipient=nomail).count() == 1


def test_rerun_scan_and_duplicate_log_inserts_send_nothing_twice(at, owner):
    action_item(owner, due_in_days=-1)
    assert services.reminders_scan() == 1

    entry = ReminderLog.objects.get()
    duplicate = ReminderLog(kind=entry.kind, subject=entry.subject, recipient=owner, period=entry.period)
    assert services.reminders.log_new([duplicate]) == []
    assert services.reminders_scan() == 0
    assert ReminderLog.objects.count() == 1
    assert OutboundMessage.objects.count() == 1
    assert Notification.objects.count() == 1


def test_team_channel_entries_are_unique_too(db):
    def make():
        return ReminderLog(kind="weekly_digest", subject="team:1", recipient=None, period=WEDNESDAY.date())

    assert len(services.reminders.log_new([make()])) == 1
    assert services.reminders.log_new([make()]) == []
    assert ReminderLog.objects.count() == 1


def test_candidates_take_four_queries_however_many(at, owner, commander, django_assert_num_queries):
    for _ in range(3):
        action_item(owner, due_in_days=-1)
        factories.incident(actor=commander, commander=commander, severity="SEV1")
    at(WEDNESDAY + timedelta(hours=1))

    with django_assert_num_queries(4):
        candidates = selectors.reminder_candidates(now=WEDNESDAY, today=WEDNESDAY.date())
    assert len(candidates.items) == 3 and len(candidates.incidents) == 3


def test_emails_are_enqueued_only_after_commit(at, owner, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("notifications.tasks.message_send.delay", lambda message_id: sent.append(message_id))
    action_item(owner, due_in_days=-1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.reminders_scan()
        assert sent == []

    assert len(callbacks) == 1
    assert sent == [OutboundMessage.objects.get().pk]
