"""The COE workflow, pure: every (state, action) pair against the declared table, and every predicate.
One database test checks that each Q object selects exactly what its predicate answers yes for."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from coe import states
from coe.models import ActionItem, Coe
from coe.states import Action, ActionStatus, CoeState
from tests import factories

TODAY = date(2026, 12, 4)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)

# Every legal move, written out independently of states.TRANSITIONS.
LEGAL = {
    (None, Action.START): CoeState.DRAFT,
    (CoeState.DRAFT, Action.SUBMIT): CoeState.IN_REVIEW,
    (CoeState.REOPENED, Action.SUBMIT): CoeState.IN_REVIEW,
    (CoeState.IN_REVIEW, Action.APPROVE): CoeState.APPROVED,
    (CoeState.IN_REVIEW, Action.REQUEST_CHANGES): CoeState.DRAFT,
    (CoeState.APPROVED, Action.REOPEN): CoeState.REOPENED,
}
PAIRS = [(state, action) for state in (None, *CoeState) for action in Action]


@pytest.mark.parametrize(("state", "action"), PAIRS)
def test_transition_every_state_and_action_is_allowed_or_refused(state, action):
    if (state, action) in LEGAL:
        assert states.allows(state, action)
        assert states.transition(state, action) == LEGAL[(state, action)]
    else:
        assert not states.allows(state, action)
        with pytest.raises(states.IllegalTransition) as caught:
            states.transition(state, action)
        assert caught.value.code == "illegal_transition"
        assert caught.value.status == 409
        assert caught.value.extra == {"state": state}


def test_transition_accepts_a_state_as_its_stored_string():
    assert states.transition("reopened", Action.SUBMIT) == CoeState.IN_REVIEW
    assert not states.allows("bogus", Action.SUBMIT)


@pytest.mark.parametrize(
    ("state", "action", "message"),
    [
        (CoeState.IN_REVIEW, Action.SUBMIT, "This COE is in review."),
        (CoeState.APPROVED, Action.SUBMIT, "This COE is approved."),
        (CoeState.DRAFT, Action.APPROVE, "This COE is not in review."),
        (CoeState.APPROVED, Action.REQUEST_CHANGES, "This COE is not in review."),
        (CoeState.REOPENED, Action.REOPEN, "Only an approved COE can be reopened."),
    ],
)
def test_transition_refusal_says_why(state, action, message):
    with pytest.raises(states.IllegalTransition, match=message):
        states.transition(state, action)


# (state, can_edit, can_submit, needs_reviewers, can_be_reopened)
STATE_TABLE = [
    (CoeState.DRAFT, True, True, False, False),
    (CoeState.IN_REVIEW, True, False, True, False),
    (CoeState.APPROVED, False, False, False, True),
    (CoeState.REOPENED, True, True, False, False),
]


@pytest.mark.parametrize(("state", "edit", "submit", "reviewers", "reopen"), STATE_TABLE)
def test_state_predicates(state, edit, submit, reviewers, reopen):
    assert states.can_edit(state) is edit
    assert states.can_submit(state) is submit
    assert states.needs_reviewers(state) is reviewers
    assert states.can_be_reopened(state) is reopen


@dataclass
class CoeFacts:
    state: str
    due_on: date | None


@pytest.mark.parametrize("state", list(CoeState))
@pytest.mark.parametrize("due_on", [None, YESTERDAY, TODAY, TOMORROW])
def test_coe_overdue_is_past_due_and_unsubmitted(state, due_on):
    expected = state in (CoeState.DRAFT, CoeState.REOPENED) and due_on == YESTERDAY
    assert states.coe_overdue(CoeFacts(state, due_on), today=TODAY) is expected


# Due YESTERDAY: (approved on, today) -> (on time, late)
COUNTS = [
    (None, YESTERDAY, False, False),  # due today, not approved yet: neither
    (None, TODAY, False, True),  # the due date passed unapproved
    (YESTERDAY - timedelta(days=3), TODAY, True, False),
    (YESTERDAY, TODAY, True, False),  # approved on the day it was due
    (TODAY, TODAY, False, True),  # a day late
]


@pytest.mark.parametrize(("approved_on", "today", "on_time", "late"), COUNTS)
def test_coe_on_time_and_late(approved_on, today, on_time, late):
    assert states.coe_on_time(due_on=YESTERDAY, approved_on=approved_on) is on_time
    assert states.coe_late(due_on=YESTERDAY, approved_on=approved_on, today=today) is late


@dataclass
class ItemFacts:
    status: str
    due_on: date | None


@pytest.mark.parametrize("status", list(ActionStatus))
@pytest.mark.parametrize("due_on", [None, YESTERDAY, TODAY, TOMORROW])
def test_action_item_overdue_is_past_due_and_still_to_do(status, due_on):
    still_to_do = status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    assert states.action_item_open(ItemFacts(status, due_on)) is still_to_do
    assert states.action_item_overdue(ItemFacts(status, due_on), today=TODAY) is (
        still_to_do and due_on == YESTERDAY
    )


# --- The Q objects agree with the predicates (the database) ---------------------------------------


@pytest.mark.django_db
def test_q_objects_select_what_the_predicates_answer_yes_for(user):
    coes = []
    for state in CoeState:
        for due_on in (None, YESTERDAY, TODAY):
            approved_at = datetime(2026, 12, 1, tzinfo=UTC) if state == CoeState.APPROVED else None
            coes.append(
                Coe.objects.create(
                    incident=factories.incident(),
                    owner=user,
                    state=state,
                    due_on=due_on,
                    approved_at=approved_at,
                )
            )
    in_review = next(coe for coe in coes if coe.state == CoeState.IN_REVIEW)
    completed = datetime(2026, 12, 2, tzinfo=UTC)
    items = [
        ActionItem.objects.create(
            coe=in_review if status == ActionStatus.OPEN else coes[0],
            title=f"{status} {due_on}",
            status=status,
            due_on=due_on,
            wont_do_reason="not needed" if status == ActionStatus.WONT_DO else "",
            completed_at=completed if status == ActionStatus.DONE else None,
        )
        for status in ActionStatus
        for due_on in (None, YESTERDAY, TODAY)
    ]
    ActionItem.objects.update(created_at=datetime(2026, 11, 1, tzinfo=UTC))

    def selected(model, q):
        return set(model.objects.filter(q).values_list("pk", flat=True))

    def where(rows, predicate):
        return {row.pk for row in rows if predicate(row)}

    assert selected(Coe, states.editable_q()) == where(coes, lambda c: states.can_edit(c.state))
    assert selected(Coe, states.unsubmitted_q()) == where(coes, lambda c: states.can_submit(c.state))
    assert selected(Coe, states.needs_reviewers_q()) == where(coes, lambda c: states.needs_reviewers(c.state))
    assert selected(Coe, states.published_q()) == where(coes, lambda c: states.can_be_reopened(c.state))
    coe_overdue = where(coes, lambda c: states.coe_overdue(c, today=TODAY))
    assert len(coe_overdue) == 2  # draft and reopened, due yesterday
    assert selected(Coe, states.coe_overdue_q(today=TODAY)) == coe_overdue

    overdue = where(items, lambda i: states.action_item_overdue(i, today=TODAY))
    assert len(overdue) == 2  # open and in progress, due yesterday
    assert selected(ActionItem, states.action_item_overdue_q(today=TODAY)) == overdue
    # The weekly stock at a cutoff of now is the same set...
    now = datetime.now(UTC)
    assert selected(ActionItem, states.action_item_overdue_at_q(cutoff=now, cutoff_day=TODAY)) == overdue
    # ... and before the done items were completed, the one due before that day was overdue too.
    before = completed - timedelta(hours=1)
    done_late = where(items, lambda i: i.status == ActionStatus.DONE and i.due_on == YESTERDAY)
    assert selected(ActionItem, states.action_item_overdue_at_q(cutoff=before, cutoff_day=TODAY)) == (
        overdue | done_late
    )
    # Through a relation, with a prefix: the open items sit on the COE in review.
    assert selected(ActionItem, states.needs_reviewers_q(prefix="coe__")) == where(
        items, lambda i: i.status == ActionStatus.OPEN
    )
