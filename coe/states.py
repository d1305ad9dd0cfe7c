"""The COE review workflow: one declared state machine, pure (no queries, no I/O), like
`incidents.phases`.

    (none) --start--> draft --submit--> in_review --approve--> approved --reopen--> reopened
                        ^                   |                                         |
                        +--request changes--+               reopened --submit--> in_review

Rules, declared in TRANSITIONS and applied by `coe.services` under the COE's row lock:
- a COE starts as a draft; a draft or a reopened COE (unsubmitted) can be sent to review;
- in review, each named reviewer approves or requests changes: changes requested send it back to
  draft; the approval that reaches the severity's count (`coe.policy`) approves (publishes) it, one
  short of it leaves it in review;
- an approved COE is read-only until it is reopened (with a reason).

Every rule that asks about a state is a predicate here, next to the Q object that asks the database
the same question, so the services, selectors, reminders, metrics and pages cannot disagree:
editable, submittable, awaiting its reviewers, overdue (a COE, an action item), on time or late.
The state's own questions take the state; the others any object with the named attributes (a `Coe`,
a reminder's facts, a metrics row).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from django.db import models
from django.db.models import Q

from core import errors


class CoeState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    REOPENED = "reopened", "Reopened"


class Action(StrEnum):
    START = "start"
    SUBMIT = "submit"
    APPROVE = "approve"  # the approval that reaches the severity's count
    REQUEST_CHANGES = "request_changes"
    REOPEN = "reopen"


# (state before, action) -> state after; None before is a COE not started yet. Anything else is illegal.
TRANSITIONS: dict[tuple[CoeState | None, Action], CoeState] = {
    (None, Action.START): CoeState.DRAFT,
    (CoeState.DRAFT, Action.SUBMIT): CoeState.IN_REVIEW,
    (CoeState.REOPENED, Action.SUBMIT): CoeState.IN_REVIEW,
    (CoeState.IN_REVIEW, Action.APPROVE): CoeState.APPROVED,
    (CoeState.IN_REVIEW, Action.REQUEST_CHANGES): CoeState.DRAFT,
    (CoeState.APPROVED, Action.REOPEN): CoeState.REOPENED,
}

# Why an action is refused, in words a writer can act on ({state}: the state's label, lower case).
REFUSALS: dict[Action, str] = {
    Action.START: "This COE is already started.",
    Action.SUBMIT: "This COE is {state}.",
    Action.APPROVE: "This COE is not in review.",
    Action.REQUEST_CHANGES: "This COE is not in review.",
    Action.REOPEN: "Only an approved COE can be reopened.",
}

# Sent to review from these (never submitted, or reopened after approval).
UNSUBMITTED: tuple[CoeState, ...] = (CoeState.DRAFT, CoeState.REOPENED)
# The document (sections, factors, action items) changes in these; approved means published.
EDITABLE: tuple[CoeState, ...] = (*UNSUBMITTED, CoeState.IN_REVIEW)


class IllegalTransition(errors.Conflict):
    default_code = "illegal_transition"


def allows(state: str | None, action: Action) -> bool:
    """Whether TRANSITIONS has `action` from `state` (a state's value is its member: str enums)."""
    return (state, action) in TRANSITIONS


def transition(state: str | None, action: Action) -> CoeState:
    """The state after `action`; IllegalTransition (409, code illegal_transition) if it is not allowed."""
    if not allows(state, action):
        label = CoeState(state).label.lower() if state in CoeState.values else str(state or "not started")
        raise IllegalTransition(REFUSALS[action].format(state=label), extra={"state": state})
    return TRANSITIONS[(state, action)]


def _q(prefix: str, **lookups) -> Q:
    return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})


# --- The COE ------------------------------------------------------------------------------------


class HasStateAndDue(Protocol):
    state: str
    due_on: date | None


def can_edit(state: str) -> bool:
    """Whether the document can change: not once approved (published) until it is reopened."""
    return state in EDITABLE


def editable_q(prefix: str = "") -> Q:
    """The COEs `can_edit` answers yes for: every one not approved."""
    return _q(prefix, state__in=EDITABLE)


def can_submit(state: str) -> bool:
    """Whether it can be sent to review (draft or reopened): the gates are `coe.services`' to check."""
    return allows(state, Action.SUBMIT)


def unsubmitted_q(prefix: str = "") -> Q:
    """The COEs `can_submit` answers yes for (`prefix` "coe__" from a related row)."""
    return _q(prefix, state__in=UNSUBMITTED)


def needs_reviewers(state: str) -> bool:
    """Whether it waits for its named reviewers' decisions (in review)."""
    return allows(state, Action.APPROVE)


def needs_reviewers_q(prefix: str = "") -> Q:
    return _q(prefix, state=CoeState.IN_REVIEW)


def can_be_reopened(state: str) -> bool:
    """Whether its state allows a reopen (approved); who may is `coe.services.coe_can_reopen`'s."""
    return allows(state, Action.REOPEN)


def published_q(prefix: str = "") -> Q:
    """The approved (published, read-only) COEs: those `can_be_reopened` answers yes for."""
    return _q(prefix, state=CoeState.APPROVED)


def coe_overdue(coe: HasStateAndDue, *, today: date) -> bool:
    """Past its due date and not sent to review yet (draft or reopened). A COE without a due date
    (SEV4) is never overdue."""
    return coe.due_on is not None and can_submit(coe.state) and coe.due_on < today


def coe_overdue_q(*, today: date, prefix: str = "") -> Q:
    return unsubmitted_q(prefix) & _q(prefix, due_on__isnull=False, due_on__lt=today)


def coe_on_time(*, due_on: date, approved_on: date | None) -> bool:
    """Approved (in the reporting zone) on or before its due date: how the weekly metrics count it."""
    return approved_on is not None and approved_on <= due_on


def coe_late(*, due_on: date, approved_on: date | None, today: date) -> bool:
    """Approved after its due date, or not approved and the due date has passed."""
    return approved_on > due_on if approved_on is not None else due_on < today


# --- Action items -------------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


# Still to do: only these can be due soon or overdue.
ACTION_OPEN: tuple[ActionStatus, ...] = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class HasStatusAndDue(Protocol):
    status: str
    due_on: date | None


def action_item_open(item: HasStatusAndDue) -> bool:
    return item.status in ACTION_OPEN


def action_item_overdue(item: HasStatusAndDue, *, today: date) -> bool:
    """Past its due date and still to do (open or in progress); done and won't do never are."""
    return item.due_on is not None and action_item_open(item) and item.due_on < today


def action_item_overdue_q(*, today: date, prefix: str = "") -> Q:
    return _q(prefix, status__in=ACTION_OPEN, due_on__lt=today)


def action_item_overdue_at_q(*, cutoff: datetime, cutoff_day: date) -> Q:
    """The items that were overdue at the instant `cutoff` (whose date in the reporting zone is
    `cutoff_day`), for the weekly stock: created before it, due before its day, not done before it,
    and not won't do. With `cutoff` now it selects what `action_item_overdue_q` does (an item is done
    exactly when it has a completion time)."""
    return (
        Q(created_at__lt=cutoff, due_on__lt=cutoff_day)
        & ~Q(status=ActionStatus.WONT_DO)
        & (Q(completed_at__isnull=True) | Q(completed_at__gte=cutoff))
    )
