"""Which reminders are due, and for whom: a pure module (no queries, no I/O).

Facts in (dataclasses the selectors build), `Reminder`s out. A reminder names its period, and the
reminder log holds one row per (kind, subject, recipient, period), so the rules can be evaluated as
often as the scan likes: what was already sent in a period is not sent again.

- Action item due within 2 days (today <= due_on <= today + 2), not done nor won't-do: once per due date
  (the period is the due date itself; moving the due date earns a new reminder), to its owner.
- Action item overdue (due_on < today), not done nor won't-do (`coe.states.action_item_overdue`):
  daily, to its owner.
- COE past its due date (due_on < today) and not submitted (draft, or reopened:
  `coe.states.coe_overdue`): daily, to its owner and the incident's commander.
- Review pending more than 2 business days after submission (today is past the second business day
  after the submission date): daily, to each reviewer still pending, while the COE is in review.
- Active incident whose last timeline activity (`recorded_at` of its newest event) is older than
  STALE_INCIDENT_MINUTES[severity] (None: never): at most once per day, to its commander.

"Today" is the date in the reporting time zone; the caller passes it with `now`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from coe import policy, states

DUE_SOON_DAYS = 2
REVIEW_BUSINESS_DAYS = 2


@dataclass(frozen=True)
class ActionItemFacts:
    id: int
    title: str
    status: str
    owner_id: int | None
    due_on: date | None
    incident_reference: str
    path: str


@dataclass(frozen=True)
class CoeFacts:
    id: int
    state: str
    due_on: date | None
    owner_id: int
    commander_id: int | None
    incident_reference: str
    incident_title: str
    path: str


@dataclass(frozen=True)
class ReviewFacts:
    coe_id: int
    reviewer_id: int
    decision: str
    coe_state: str
    submitted_on: date | None  # the submission's date in the reporting time zone
    incident_reference: str
    path: str


@dataclass(frozen=True)
class IncidentFacts:
    id: int
    reference: str
    title: str
    severity: str
    status: str
    commander_id: int | None
    last_activity_at: datetime
    path: str


@dataclass(frozen=True)
class Reminder:
    kind: str
    subject: str
    recipient_id: int
    period: date
    title: str  # the email subject line
    text: str  # one sentence: the in-app notification and the email's lead
    path: str  # where it leads, a path on this site


def action_item_reminders(item: ActionItemFacts, *, today: date) -> list[Reminder]:
    if not states.action_item_open(item) or item.owner_id is None or item.due_on is None:
        return []
    subject = f"action_item:{item.id}"
    where = f"(COE of {item.incident_reference})"
    if states.action_item_overdue(item, today=today):
        days = (today - item.due_on).days
        return [
            Reminder(
                kind="action_item_overdue",
                subject=subject,
                recipient_id=item.owner_id,
                period=today,
                title=f"Overdue: {item.title}",
                text=f"Your action item “{item.title}” {where} is {days} day{'s' if days != 1 else ''} "
                f"overdue (due {item.due_on.isoformat()}).",
                path=item.path,
            )
        ]
    if item.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        when = "today" if item.due_on == today else f"on {item.due_on.isoformat()}"
        return [
            Reminder(
                kind="action_item_due",
                subject=subject,
                recipient_id=item.owner_id,
                period=item.due_on,
                title=f"Due {when}: {item.title}",
                text=f"Your action item “{item.title}” {where} is due {when}.",
                path=item.path,
            )
        ]
    return []


def coe_reminders(coe: CoeFacts, *, today: date) -> list[Reminder]:
    if not states.coe_overdue(coe, today=today):
        return []
    days = (today - coe.due_on).days
    text = (
        f"The COE of {coe.incident_reference} “{coe.incident_title}” was due {coe.due_on.isoformat()} "
        f"({days} day{'s' if days != 1 else ''} ago) and has not been submitted for review."
    )
    recipients = dict.fromkeys(person for person in (coe.owner_id, coe.commander_id) if person is not None)
    return [
        Reminder(
            kind="coe_overdue",
            subject=f"coe:{coe.id}",
            recipient_id=person,
            period=today,
            title=f"COE past due: {coe.incident_reference}",
            text=text,
            path=coe.path,
        )
        for person in recipients
    ]


def review_reminders(review: ReviewFacts, *, today: date) -> list[Reminder]:
    if (
        review.decision != "pending"
        or not states.needs_reviewers(review.coe_state)
        or review.submitted_on is None
    ):
        return []
    if today <= policy.add_business_days(review.submitted_on, REVIEW_BUSINESS_DAYS):
        return []
    return [
        Reminder(
            kind="review_pending",
            subject=f"coe:{review.coe_id}",
            recipient_id=review.reviewer_id,
            period=today,
            title=f"Review waiting: {review.incident_reference} COE",
            text=f"The COE of {review.incident_reference} has waited for your review since "
            f"{review.submitted_on.isoformat()}.",
            path=review.path,
        )
    ]


def incident_reminders(
    incident: IncidentFacts, *, now: datetime, today: date, thresholds: Mapping[str, int | None]
) -> list[Reminder]:
    minutes = thresholds.get(incident.severity)
    if incident.status != "active" or incident.commander_id is None or minutes is None:
        return []
    quiet = now - incident.last_activity_at
    if quiet <= timedelta(minutes=minutes):
        return []
    quiet_minutes = int(quiet.total_seconds() // 60)
    return [
        Reminder(
            kind="incident_stale",
            subject=f"incident:{incident.id}",
            recipient_id=incident.commander_id,
            period=today,
            title=f"No activity on {incident.reference} for {quiet_minutes} min",
            text=f"{incident.reference} “{incident.title}” ({incident.severity}) has had no timeline "
            f"activity for {quiet_minutes} minutes: add a note or move it on.",
            path=incident.path,
        )
    ]


def reminders(
    *,
    items: Iterable[ActionItemFacts] = (),
    coes: Iterable[CoeFacts] = (),
    reviews: Iterable[ReviewFacts] = (),
    incidents: Iterable[IncidentFacts] = (),
    now: datetime,
    today: date,
    thresholds: Mapping[str, int | None],
) -> list[Reminder]:
    """Every reminder due now, each (kind, subject, recipient, period) once."""
    found: dict[tuple, Reminder] = {}
    batches = (
        *(action_item_reminders(item, today=today) for item in items),
        *(coe_reminders(coe, today=today) for coe in coes),
        *(review_reminders(review, today=today) for review in reviews),
        *(
            incident_reminders(incident, now=now, today=today, thresholds=thresholds)
            for incident in incidents
        ),
    )
    for batch in batches:
        for reminder in batch:
            found.setdefault(
                (reminder.kind, reminder.subject, reminder.recipient_id, reminder.period), reminder
            )
    return list(found.values())
