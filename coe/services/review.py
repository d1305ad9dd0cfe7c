"""A COE's review: what keeps it from going to review, sending it, each reviewer's decision, and
reopening an approved COE (with who may). Each service holds the COE's row lock; `coe.states` says
which transitions exist."""

from django.db import transaction
from django.utils import timezone

from coe import findings, policy, states
from coe.models import ActionKind, Coe, CoeEventKind, ReviewDecision, Reviewer
from coe.sections import SectionKey, section_written
from coe.services import _common
from core import errors


def coe_can_reopen(coe: Coe, user) -> bool:
    """Whether `user` may reopen the COE: it is approved, and they are its owner, one of its named
    reviewers, the incident's commander, or staff. Reads the COE's reviewers (prefetched on the page)."""
    if not states.can_be_reopened(coe.state) or user is None or not user.is_authenticated:
        return False
    return (
        user.is_staff
        or user.pk in (coe.owner_id, coe.incident.commander_id)
        or any(reviewer.user_id == user.pk for reviewer in coe.reviewers.all())
    )


def submission_problems(coe: Coe, *, blocking_findings: int | None = None) -> list[str]:
    """Everything that keeps a COE from going to review, in words a writer can act on. Blocking
    language findings are counted here unless the caller already has the count."""
    if blocking_findings is None:
        blocking_findings = findings.blocking_count(findings.open_findings(coe))
    problems = []
    sections = {section.key: section for section in coe.sections.all()}
    for key in SectionKey:
        section = sections.get(key)
        if section is None or not section_written(section):
            problems.append(f"Write section “{key.label}” (it is empty or still the prefilled text).")
    if not any(factor.whys for factor in coe.factors.all()):
        problems.append("Add at least one contributing factor with its chain of whys.")
    if not coe.action_items.filter(
        kind=ActionKind.PREVENT, owner__isnull=False, due_on__isnull=False
    ).exists():
        problems.append("Add at least one “prevent” action item with an owner and a due date.")
    if blocking_findings:
        problems.append(f"Resolve or dismiss the blocking language findings ({blocking_findings}).")
    return problems


@transaction.atomic
def coe_submit(*, coe_id: int, actor, reviewers: list) -> Coe:
    """Send a COE to review. Every gate must pass; the error lists everything still missing.

    Holds the COE's row lock. The named reviewers (never the owner) start the round all pending. Side
    effect: each reviewer is notified, in the app and by email as they chose, in this transaction
    (emails go out after commit)."""
    coe = _common.locked_coe(coe_id)
    next_state = states.transition(coe.state, states.Action.SUBMIT)
    problems = submission_problems(coe)
    reviewers = [user for user in dict.fromkeys(reviewers) if user.pk != coe.owner_id]
    needed = policy.approvals_required(coe.incident.severity)
    if len(reviewers) < needed:
        problems.append(
            f"Name at least {needed} reviewer{'s' if needed > 1 else ''} other than the owner "
            f"({coe.incident.severity} needs {needed} approval{'s' if needed > 1 else ''})."
        )
    if problems:
        raise errors.ValidationFailed(
            "Not ready for review: " + " ".join(problems), code="not_ready", extra={"missing": problems}
        )
    # Each round of review starts afresh: the named reviewers, all pending; nobody else.
    Reviewer.objects.filter(coe=coe).exclude(user__in=reviewers).delete()
    for user in reviewers:
        reviewer, created = Reviewer.objects.get_or_create(coe=coe, user=user)
        if not created:
            reviewer.decision, reviewer.comment, reviewer.decided_at = ReviewDecision.PENDING, "", None
            reviewer.save(update_fields=["decision", "comment", "decided_at", "updated_at"])
    coe.state = next_state
    coe.submitted_at = timezone.now()
    coe.save(update_fields=["state", "submitted_at", "updated_at"])
    # The reviewers are told (in the app and by email, as each chose) by the notifications consumer.
    _common.event(
        coe,
        CoeEventKind.SUBMITTED,
        actor=actor,
        reviewers=[user.get_username() for user in reviewers],
        reviewer_ids=[user.pk for user in reviewers],
    )
    return coe


def _round_decisions(coe: Coe) -> list[dict]:
    """The decisions of the round that ends now, for its event: the next submission (or a reopen)
    resets the reviewers, and the page and the export still show every decision ever made."""
    reviews = (
        Reviewer.objects.filter(coe=coe, decided_at__isnull=False)
        .exclude(decision=ReviewDecision.PENDING)
        .select_related("user")
        .order_by("decided_at", "id")
    )
    return [
        {
            "user_id": review.user_id,
            "name": review.user.get_full_name() or review.user.get_username(),
            "decision": review.decision,
            "comment": review.comment,
            "at": review.decided_at.isoformat(),
        }
        for review in reviews
    ]


@transaction.atomic
def coe_review(*, coe_id: int, reviewer, decision: str, comment: str = "") -> Coe:
    """A named reviewer approves or requests changes. Changes requested sends the COE back to draft;
    enough approvals for its severity approve (publish) it. Holds the COE's row lock. The event that
    ends a round (changes requested, approved) records every decision of that round."""
    coe = _common.locked_coe(coe_id)
    # Either decision needs the COE in review (the same guard: IllegalTransition otherwise).
    states.transition(coe.state, states.Action.REQUEST_CHANGES)
    review = Reviewer.objects.filter(coe=coe, user=reviewer).first()
    if review is None:
        raise errors.PermissionDenied("Only a named reviewer can review this COE.")
    if decision not in (ReviewDecision.APPROVED, ReviewDecision.CHANGES_REQUESTED):
        raise errors.ValidationFailed("Decide approved or changes_requested.", extra={"field": "decision"})
    if decision == ReviewDecision.CHANGES_REQUESTED and not comment.strip():
        raise errors.ValidationFailed("Say what should change.", extra={"field": "comment"})
    now = timezone.now()
    review.decision, review.comment, review.decided_at = decision, comment.strip(), now
    review.save(update_fields=["decision", "comment", "decided_at", "updated_at"])
    if decision == ReviewDecision.CHANGES_REQUESTED:
        coe.state = states.transition(coe.state, states.Action.REQUEST_CHANGES)
        coe.save(update_fields=["state", "updated_at"])
        _common.event(coe, CoeEventKind.CHANGES_REQUESTED, actor=reviewer, body=comment.strip(),
                      decisions=_round_decisions(coe))  # fmt: skip
        return coe
    approvals = Reviewer.objects.filter(coe=coe, decision=ReviewDecision.APPROVED).count()
    if approvals >= policy.approvals_required(coe.incident.severity):
        coe.state = states.transition(coe.state, states.Action.APPROVE)
        coe.approved_at = now
        coe.save(update_fields=["state", "approved_at", "updated_at"])
        # COEs are counted on time or late in the week they were due, their factors in the week
        # they were approved: both weeks change.
        _common.event(
            coe,
            CoeEventKind.APPROVED,
            actor=reviewer,
            body=comment.strip(),
            decisions=_round_decisions(coe),
            weeks=[coe.due_on, coe.approved_at],
        )
    return coe


@transaction.atomic
def coe_reopen(*, coe_id: int, actor, reason: str) -> Coe:
    """Reopen an approved COE, with a reason: editable again, every reviewer pending again. Holds the
    COE's row lock. Only those `coe_can_reopen` names may (PermissionDenied otherwise)."""
    coe = _common.locked_coe(coe_id)
    next_state = states.transition(coe.state, states.Action.REOPEN)
    if not coe_can_reopen(coe, actor):
        raise errors.PermissionDenied(
            "Only the owner, a reviewer or the incident commander can reopen this COE."
        )
    if not reason.strip():
        raise errors.ValidationFailed("A reason is required to reopen a COE.", extra={"field": "reason"})
    coe.state = next_state
    coe.save(update_fields=["state", "updated_at"])
    Reviewer.objects.filter(coe=coe).update(decision=ReviewDecision.PENDING, decided_at=None)
    # Its factors no longer count in the week it was approved.
    _common.event(coe, CoeEventKind.REOPENED, actor=actor, body=reason.strip(), weeks=[coe.approved_at])
    return coe
