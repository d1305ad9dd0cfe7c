"""The weekly digest: its figures (pure), and once per team per week by email and webhook."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from coe.models import ActionItem, Coe
from metrics.models import WeeklyAggregate
from notifications import digest, services
from notifications.models import DigestSubscription, OutboundMessage, ReminderLog
from tests import factories

MONDAY = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
LAST_WEEK = date(2026, 3, 2)


def durations(p50, p90, count):
    stats = {"count": count, "mean": p50, "p50": p50, "p90": p90, "max": p90}
    return {"time_to_detect": stats, "time_to_recover": {**stats, "p50": p50 * 10, "p90": p90 * 10}}


def test_figures_compare_last_week_with_the_count_weighted_previous_four():
    by_week = {
        LAST_WEEK: durations(60, 120, 2),
        LAST_WEEK - timedelta(weeks=1): durations(300, 600, 3),
        LAST_WEEK - timedelta(weeks=2): durations(100, 200, 1),
        LAST_WEEK - timedelta(weeks=5): durations(9999, 9999, 9),  # out of the window
    }

    mttd, ttr = digest.figures(week=LAST_WEEK, durations_by_week=by_week, small_sample=5)

    assert (mttd.p50, mttd.p90, mttd.count) == (60, 120, 2)
    assert mttd.previous_p50 == pytest.approx((300 * 3 + 100) / 4)
    assert mttd.previous_p90 == pytest.approx((600 * 3 + 200) / 4)
    assert (mttd.previous_count, mttd.small_sample, mttd.trend) == (4, True, "better")
    assert (ttr.p50, ttr.label) == (600, "Time to recover")


def test_figures_of_empty_weeks_are_none_not_zero():
    (mttd, _) = digest.figures(week=LAST_WEEK, durations_by_week={}, small_sample=5)
    assert (mttd.p50, mttd.previous_p50, mttd.count, mttd.small_sample, mttd.trend) == (
        None,
        None,
        0,
        False,
        "",
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (42, "42 s"), (600, "10 min"), (3900, "1 h 05 min"), (200000, "2 d 7 h")],
)
def test_humanize(seconds, text):
    assert digest.humanize(seconds) == text


def test_week_label():
    assert digest.week_label(LAST_WEEK) == "2026-W10 (2 Mar to 8 Mar 2026)"


@pytest.fixture
def payments(db, owner, time_machine):
    """A team with last week's incident, aggregates, a COE due this week and an overdue action item."""
    time_machine.move_to(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=False)
    team = factories.team("Payments")
    incident = factories.incident(actor=owner, team=team, title="Card auths failing", severity="SEV2")
    coe = factories.coe(incident, actor=owner, owner=owner)
    Coe.objects.filter(pk=coe.pk).update(due_on=date(2026, 3, 11))
    ActionItem.objects.create(coe=coe, title="Alert on auth rate", owner=owner, due_on=date(2026, 3, 5))
    for weeks_back, (p50, p90, count) in enumerate([(60, 120, 2), (300, 600, 3)]):
        WeeklyAggregate.objects.create(
            week=LAST_WEEK - timedelta(weeks=weeks_back),
            scope="team",
            key=str(team.pk),
            incidents=count,
            durations=durations(p50, p90, count),
            computed_at=timezone.now(),
        )
    time_machine.move_to(MONDAY, tick=False)
    return team


def test_digest_goes_once_per_team_and_week_to_subscribers_addresses_and_webhooks(
    payments, owner, reviewer, webhook_for
):
    DigestSubscription.objects.create(team=payments, user=owner)
    DigestSubscription.objects.create(team=payments, user=reviewer)
    services.digest_address_add(team=payments, email="Payments-Team@example.com")
    hook = webhook_for(payments, "https://hooks.example/d", format="slack")
    webhook_for(payments, "https://hooks.example/nodigest", events=["incident.declared"])
    factories.team("Quiet")  # nobody to send it to

    assert services.weekly_digest() == 4
    assert services.weekly_digest() == 0

    (entry,) = ReminderLog.objects.filter(kind="weekly_digest")
    assert (entry.subject, entry.recipient, entry.period) == (f"team:{payments.pk}", None, LAST_WEEK)
    emails = OutboundMessage.objects.filter(channel="email").order_by("to_email")
    assert [m.to_email for m in emails] == [
        "olivia@example.com",
        "payments-team@example.com",
        "rita@example.com",
    ]
    assert all(m.reminder == entry and m.topic == "weekly_digest" for m in OutboundMessage.objects.all())
    (webhook_message,) = OutboundMessage.objects.filter(channel="webhook")
    assert webhook_message.webhook == hook and "Weekly digest for Payments" in webhook_message.payload["text"]


def test_digest_email_holds_incidents_figures_coes_and_overdue_items_with_links(payments, owner, settings):
    DigestSubscription.objects.create(team=payments, user=owner)

    services.weekly_digest()

    message = OutboundMessage.objects.get()
    assert message.subject == "Payments: weekly digest, 2026-W10 (2 Mar to 8 Mar 2026)"
    for body in (message.body_text, message.body_html):
        assert "Card auths failing" in body
        assert "1 min" in body and "2 min" in body  # MTTD p50, p90 last week
        assert "5 min" in body and "10 min" in body  # the 4 weeks before
        assert "Alert on auth rate" in body
        assert f"{settings.SITE_URL}/incidents/" in body and f"{settings.SITE_URL}/coe/" in body
    assert "COES DUE THIS WEEK (1)" in message.body_text
    assert "OVERDUE ACTION ITEMS (1)" in message.body_text
    assert "fewer than 5 incidents" in message.body_text


def test_digest_generic_webhook_carries_the_figures(payments, webhook_for):
    webhook_for(payments, "https://hooks.example/g", format="generic")

    services.weekly_digest()

    body = OutboundMessage.objects.get().payload
    assert body["event"] == "digest.weekly"
    assert body["object"]["week"] == "2026-03-02"
    assert [i["title"] for i in body["object"]["incidents"]] == ["Card auths failing"]
    assert body["object"]["figures"][0]["p50"] == "1 min"


def test_subscriber_without_email_is_skipped(payments):
    DigestSubscription.objects.create(team=payments, user=factories.user("nomail"))

    assert services.weekly_digest() == 0
    assert not ReminderLog.objects.exists()
