"""The reminder rules, pure: facts in, reminders out, no database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from notifications import rules

TODAY = date(2026, 3, 4)  # a Wednesday
NOW = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
THRESHOLDS = {"SEV1": 30, "SEV2": 60, "SEV3": 240, "SEV4": None}


def item(**changes) -> rules.ActionItemFacts:
    fields = dict(
        id=7,
        title="Add a canary",
        status="open",
        owner_id=1,
        due_on=TODAY,
        incident_reference="INC-3",
        path="/coe/2/",
    )
    return rules.ActionItemFacts(**{**fields, **changes})


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (TODAY + timedelta(days=3), []),
        (TODAY + timedelta(days=2), [("action_item_due", TODAY + timedelta(days=2))]),
        (TODAY + timedelta(days=1), [("action_item_due", TODAY + timedelta(days=1))]),
        (TODAY, [("action_item_due", TODAY)]),
        (TODAY - timedelta(days=1), [("action_item_overdue", TODAY)]),
        (TODAY - timedelta(days=30), [("action_item_overdue", TODAY)]),
    ],
)
def test_action_item_due_soon_is_keyed_by_its_due_date_and_overdue_by_today(due_on, expected):
    found = rules.action_item_reminders(item(due_on=due_on), today=TODAY)

    assert [(r.kind, r.period) for r in found] == expected
    assert all(r.subject == "action_item:7" and r.recipient_id == 1 for r in found)


@pytest.mark.parametrize("status", ["done", "wont_do"])
def test_action_item_closed_is_never_reminded(status):
    assert (
        rules.action_item_reminders(item(status=status, due_on=TODAY - timedelta(days=3)), today=TODAY) == []
    )


def test_action_item_without_owner_or_due_date_is_not_reminded():
    assert rules.action_item_reminders(item(owner_id=None), today=TODAY) == []
    assert rules.action_item_reminders(item(due_on=None), today=TODAY) == []


def test_action_item_overdue_text_counts_days():
    (found,) = rules.action_item_reminders(
        item(due_on=TODAY - timedelta(days=2), status="in_progress"), today=TODAY
    )
    assert "2 days overdue" in found.text
    assert found.path == "/coe/2/"


def coe(**changes) -> rules.CoeFacts:
    fields = dict(
        id=2,
        state="draft",
        due_on=TODAY - timedelta(days=1),
        owner_id=1,
        commander_id=2,
        incident_reference="INC-3",
        incident_title="Checkout down",
        path="/coe/2/",
    )
    return rules.CoeFacts(**{**fields, **changes})


def test_coe_past_due_and_unsubmitted_reminds_owner_and_commander_daily():
    found = rules.coe_reminders(coe(), today=TODAY)

    assert [(r.kind, r.recipient_id, r.period, r.subject) for r in found] == [
        ("coe_overdue", 1, TODAY, "coe:2"),
        ("coe_overdue", 2, TODAY, "coe:2"),
    ]


def test_coe_owner_who_is_the_commander_is_reminded_once():
    assert len(rules.coe_reminders(coe(commander_id=1), today=TODAY)) == 1
    assert len(rules.coe_reminders(coe(commander_id=None), today=TODAY)) == 1


@pytest.mark.parametrize(
    "changes",
    [{"state": "in_review"}, {"state": "approved"}, {"due_on": TODAY}, {"due_on": None}],
)
def test_coe_submitted_or_not_yet_due_is_not_reminded(changes):
    assert rules.coe_reminders(coe(**changes), today=TODAY) == []


def test_coe_reopened_past_due_is_reminded():
    assert len(rules.coe_reminders(coe(state="reopened"), today=TODAY)) == 2


def review(submitted: date, **changes) -> rules.ReviewFacts:
    fields = dict(
        coe_id=2,
        reviewer_id=5,
        decision="pending",
        coe_state="in_review",
        submitted_on=submitted,
        incident_reference="INC-3",
        path="/coe/2/",
    )
    return rules.ReviewFacts(**{**fields, **changes})


@pytest.mark.parametrize(
    ("submitted_on", "today", "reminded"),
    [
        (date(2026, 3, 2), date(2026, 3, 4), False),  # Monday -> Wednesday: 2 business days, not more
        (date(2026, 3, 2), date(2026, 3, 5), True),  # Monday -> Thursday: 3
        (date(2026, 3, 6), date(2026, 3, 9), False),  # Friday -> Monday: 1 (the weekend does not count)
        (date(2026, 3, 6), date(2026, 3, 10), False),  # Friday -> Tuesday: 2
        (date(2026, 3, 6), date(2026, 3, 11), True),  # Friday -> Wednesday: 3
        (date(2026, 3, 7), date(2026, 3, 10), False),  # Saturday -> Tuesday: 2 (Monday, Tuesday)
        (date(2026, 3, 7), date(2026, 3, 11), True),  # Saturday -> Wednesday: 3
    ],
)
def test_review_pending_more_than_two_business_days(submitted_on, today, reminded):
    found = rules.review_reminders(review(submitted_on), today=today)
    assert bool(found) is reminded
    if found:
        assert (found[0].kind, found[0].recipient_id, found[0].period) == ("review_pending", 5, today)


@pytest.mark.parametrize(
    "changes", [{"decision": "approved"}, {"coe_state": "draft"}, {"submitted_on": None}]
)
def test_review_decided_or_not_in_review_is_not_reminded(changes):
    assert rules.review_reminders(review(date(2026, 2, 2), **changes), today=TODAY) == []


def incident(**changes) -> rules.IncidentFacts:
    fields = dict(
        id=3,
        reference="INC-3",
        title="Checkout down",
        severity="SEV1",
        status="active",
        commander_id=9,
        last_activity_at=NOW - timedelta(minutes=31),
        path="/incidents/3/",
    )
    return rules.IncidentFacts(**{**fields, **changes})


@pytest.mark.parametrize(
    ("severity", "quiet_minutes", "reminded"),
    [
        ("SEV1", 30, False),
        ("SEV1", 31, True),
        ("SEV2", 59, False),
        ("SEV2", 61, True),
        ("SEV3", 239, False),
        ("SEV3", 241, True),
        ("SEV4", 10_000, False),
    ],
)
def test_stale_incident_by_severity_threshold(severity, quiet_minutes, reminded):
    facts = incident(severity=severity, last_activity_at=NOW - timedelta(minutes=quiet_minutes))
    found = rules.incident_reminders(facts, now=NOW, today=TODAY, thresholds=THRESHOLDS)
    assert bool(found) is reminded
    if found:
        assert (found[0].kind, found[0].recipient_id, found[0].period) == ("incident_stale", 9, TODAY)
        assert f"{quiet_minutes} minutes" in found[0].text


@pytest.mark.parametrize("changes", [{"status": "resolved"}, {"commander_id": None}])
def test_stale_incident_closed_or_without_commander_is_not_reminded(changes):
    assert rules.incident_reminders(incident(**changes), now=NOW, today=TODAY, thresholds=THRESHOLDS) == []


def test_reminders_collects_every_rule_once_per_key():
    found = rules.reminders(
        items=[item(), item()],
        coes=[coe()],
        reviews=[review(date(2026, 2, 2))],
        incidents=[incident()],
        now=NOW,
        today=TODAY,
        thresholds=THRESHOLDS,
    )
    assert sorted(r.kind for r in found) == [
        "action_item_due",
        "coe_overdue",
        "coe_overdue",
        "incident_stale",
        "review_pending",
    ]
