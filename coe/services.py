"""Every write to COE documents. Each service is one transaction; section saves lock the section row
and compare versions, so a stale save never overwrites (it raises SectionConflict with the current
text, and the caller keeps what the person typed)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coe import blameless, events, findings, policy, prefill, selectors, states
from coe.models import (
    ActionItem,
    ActionKind,
    ActionStatus,
    Coe,
    CoeEventKind,
    ContributingFactor,
    FactorCategory,
    ReviewDecision,
    Reviewer,
    Revision,
    Section,
)
from coe.sections import SectionKey, section_written
from core import errors
from incidents import selectors as incident_selectors
from incidents.models import Incident

MAX_WHYS = 5
ENDS_AT_A_PERSON = {
    "human-error-cause",
    "fault-blame-person",
    "judgement",
    "person-blame-verb",
    "counterfactual-person",
}


class SectionConflict(errors.Conflict):
    """The section changed since the version the writer started from."""

    default_code = "stale_section"


def _locked_coe(coe_id: int) -> Coe:
    try:
        return Coe.objects.select_for_update().select_related("incident").get(pk=coe_id)
    except Coe.DoesNotExist:
        raise errors.NotFound(f"COE {coe_id} does not exist.", extra={"coe_id": coe_id}) from None


def coe_can_edit(coe: Coe) -> bool:
    """Whether the document (sections, factors) can change: not once approved (published) until it is
    reopened (`coe.states.can_edit`). The page asks this to hide the editors the services would refuse."""
    return states.can_edit(coe.state)


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


def _require_editable(coe: Coe) -> None:
    if not coe_can_edit(coe):
        raise errors.Conflict(
            "This COE is approved and published: reopen it (with a reason) to change it.",
            code="coe_read_only",
            extra={"state": coe.state},
        )


def _event(coe: Coe, kind: str, *, actor, body: str = "", **data: Any) -> None:
    events.append(coe, kind, actor=actor, body=body, **data)


def _prefills(incident: Incident) -> dict[str, str]:
    figures = incident_selectors.incident_figures(incident)
    alerts = [f"{alert.title} ({alert.get_status_display().lower()})" for alert in incident.alerts.all()[:20]]
    return {
        SectionKey.WHAT_HAPPENED: prefill.what_happened(selectors.incident_timeline_lines(incident, figures)),
        SectionKey.DATA: prefill.data(
            phases=selectors.phase_lines(figures),
            time_to_detect=figures.durations.time_to_detect,
            time_to_recover=figures.durations.time_to_recover,
            time_to_resolve=figures.durations.time_to_resolve,
            alerts=alerts,
        ),
        SectionKey.IMPACT: prefill.impact(
            customer_impact=incident.customer_impact,
            customers_affected=incident.customers_affected,
            blast_radius=incident.blast_radius,
            downtime=figures.downtime,
            estimated_cost=figures.estimated_cost,
            services=[service.name for service in incident.services.all()],
        ),
    }


@transaction.atomic
def coe_start(*, incident_id: int, actor, owner=None) -> Coe:
    """Start the COE of an incident, with the six sections prefilled from it.

    One COE per incident (a second start raises Conflict naming the existing one). The due date
    follows the severity policy, counted from recovery (or today if not recovered yet).
    """
    # Lock the incident row: two people starting the COE at once make one COE and one 409.
    if not Incident.objects.select_for_update().filter(pk=incident_id).exists():
        raise errors.NotFound(f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id})
    incident = incident_selectors.incident_get(incident_id=incident_id)
    existing = Coe.objects.filter(incident_id=incident_id).values_list("pk", flat=True).first()
    if existing:
        raise errors.Conflict(
            f"{incident.reference} already has a COE.", code="coe_exists", extra={"coe_id": existing}
        )
    recovered = (incident.recovered_at or timezone.now()).date()
    coe = Coe.objects.create(
        incident=incident,
        owner=owner or incident.commander or actor,
        due_on=policy.due_on(severity=incident.severity, recovered_on=recovered),
    )
    texts = _prefills(incident)
    for key in SectionKey:
        text = texts.get(key, "")
        section = Section.objects.create(coe=coe, key=key, body=text, prefill=text, updated_by=actor)
        Revision.objects.create(section=section, version=1, body=text, author=actor)
    # A backfilled incident's COE can be due in a week already past: its figures change.
    _event(coe, CoeEventKind.STARTED, actor=actor, weeks=[coe.due_on])
    return coe


@transaction.atomic
def coe_section_save(*, coe_id: int, key: str, body: str, base_version: int, actor) -> Section:
    """Save one section's text, based on `base_version`.

    Holds the section's row lock. If someone saved since `base_version`, nothing is written and
    SectionConflict carries the current text and version (the writer's text stays with the writer).
    Saving the same text again is a no-op. Otherwise the version goes up by one and a Revision is added.
    """
    coe = _locked_coe(coe_id)
    _require_editable(coe)
    if key not in SectionKey.values:
        raise errors.ValidationFailed(f"Unknown section {key!r}.", extra={"field": "key"})
    if len(body) > 100_000:
        raise errors.ValidationFailed("A section can be at most 100,000 characters.", extra={"field": "body"})
    section = Section.objects.select_for_update().get(coe=coe, key=key)
    if section.version != base_version:
        raise SectionConflict(
            "Someone saved this section while you were writing. Your text is kept: merge it with theirs.",
            extra={
                "section": key,
                "current_version": section.version,
                "current_body": section.body,
                "base_version": base_version,
            },
        )
    if body == section.body:
        return section
    section.body = body
    section.version += 1
    section.updated_by = actor
    section.save(update_fields=["body", "version", "updated_by", "updated_at"])
    Revision.objects.create(section=section, version=section.version, body=body, author=actor)
    return section


@transaction.atomic
def coe_section_restore(*, coe_id: int, key: str, version: int, actor) -> Section:
    """Make an old revision current again, as a new revision (history is never rewritten)."""
    coe = _locked_coe(coe_id)
    _require_editable(coe)
    if key not in SectionKey.values:
        raise errors.NotFound(f"Unknown section {key!r}.", extra={"field": "key"})
    section = Section.objects.select_for_update().get(coe=coe, key=key)
    revision = Revision.objects.filter(section=section, version=version).first()
    if revision is None:
        raise errors.NotFound(
            f"Version {version} of this section does not exist.", extra={"version": version}
        )
    section.body = revision.body
    section.version += 1
    section.updated_by = actor
    section.save(update_fields=["body", "version", "updated_by", "updated_at"])
    Revision.objects.create(
        section=section, version=section.version, body=revision.body, author=actor, restored_from=version
    )
    return section


def _require_systemic_last_why(statement: str, whys: list[str]) -> None:
    """The bad-apple theory is rejected by construction: a chain that ends at a person or at human
    error is not finished; the tool asks for the next why."""
    last = whys[-1] if whys else statement
    if any(f.rule in ENDS_AT_A_PERSON for f in blameless.lint(last, people=findings.people())):
        raise errors.ValidationFailed(
            "This chain ends at a person or at human error. Ask the next why: what made that action "
            "reasonable at the time (the tooling, the alerts, the runbook, the pressure)?",
            code="ask_next_why",
            extra={"field": "whys", "last": last},
        )


def _clean_whys(whys: list[str]) -> list[str]:
    cleaned = [str(why).strip() for why in whys if str(why).strip()]
    if len(cleaned) > MAX_WHYS:
        raise errors.ValidationFailed(f"At most {MAX_WHYS} whys.", extra={"field": "whys"})
    return cleaned


@transaction.atomic
def factor_save(
    *, coe_id: int, actor, statement: str, category: str, whys: list[str], factor_id: int | None = None
) -> ContributingFactor:
    """Add or change a contributing factor with its chain of whys."""
    coe = _locked_coe(coe_id)
    _require_editable(coe)
    statement = statement.strip()
    if not statement:
        raise errors.ValidationFailed("A factor needs a statement.", extra={"field": "statement"})
    if len(statement) > 500:
        raise errors.ValidationFailed(
            "A statement can be at most 500 characters.", extra={"field": "statement"}
        )
    if category not in FactorCategory.values:
        raise errors.ValidationFailed(
            f"Category must be one of {', '.join(FactorCategory.values)}.", extra={"field": "category"}
        )
    whys = _clean_whys(whys)
    _require_systemic_last_why(statement, whys)
    if factor_id is None:
        return ContributingFactor.objects.create(
            coe=coe, statement=statement, category=category, whys=whys, position=coe.factors.count()
        )
    factor = ContributingFactor.objects.filter(coe=coe, pk=factor_id).first()
    if factor is None:
        raise errors.NotFound(f"Factor {factor_id} does not exist.", extra={"factor_id": factor_id})
    factor.statement, factor.category, factor.whys = statement, category, whys
    factor.save(update_fields=["statement", "category", "whys", "updated_at"])
    return factor


@transaction.atomic
def factor_delete(*, coe_id: int, factor_id: int, actor) -> None:
    coe = _locked_coe(coe_id)
    _require_editable(coe)
    ContributingFactor.objects.filter(coe=coe, pk=factor_id).delete()


# What may change on an approved COE's action items: following them through, not the document.
FOLLOW_THROUGH_FIELDS = {"status", "wont_do_reason", "effective"}


@transaction.atomic
def action_item_save(*, coe_id: int, actor, item_id: int | None = None, **fields: Any) -> ActionItem:
    """Add or change an action item. Done stamps its completion time; won't do needs a reason. Once
    the COE is approved only its status changes (FOLLOW_THROUGH_FIELDS); anything else is a 409."""
    allowed = {"title", "description", "owner", "due_on", "priority", "kind", "status", "wont_do_reason",
               "tracker_url", "effective"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise errors.ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    coe = _locked_coe(coe_id)
    if not coe_can_edit(coe) and (item_id is None or set(fields) - FOLLOW_THROUGH_FIELDS):
        raise errors.Conflict(
            "This COE is approved: only an action item's status can change. Reopen it to add or edit items.",
            code="coe_approved",
            extra={"state": coe.state},
        )
    item = ActionItem(coe=coe) if item_id is None else ActionItem.objects.filter(coe=coe, pk=item_id).first()
    if item is None:
        raise errors.NotFound(f"Action item {item_id} does not exist.", extra={"item_id": item_id})
    completed_before = item.completed_at
    for name, value in fields.items():
        setattr(item, name, value)
    item.title = (item.title or "").strip()
    if not item.title:
        raise errors.ValidationFailed("An action item needs a title.", extra={"field": "title"})
    if item.status == ActionStatus.WONT_DO and not item.wont_do_reason.strip():
        raise errors.ValidationFailed("Say why it won't be done.", extra={"field": "wont_do_reason"})
    if item.status == ActionStatus.DONE:
        item.completed_at = item.completed_at or timezone.now()
    else:
        item.completed_at = None
        item.effective = None
    try:
        item.full_clean(exclude=["coe", "owner"], validate_constraints=False)
    except ValidationError as exc:
        name, problems = next(iter(exc.message_dict.items()))
        raise errors.ValidationFailed(
            f"{name}: {problems[0]}", extra={"field": name, "fields": exc.message_dict}
        ) from exc
    item.save()
    # The weekly metrics count items created, completed and overdue: the weeks it touches change.
    _event(
        coe,
        CoeEventKind.ACTION_ITEM_SAVED,
        actor=actor,
        item=item.pk,
        weeks=[item.created_at, completed_before, item.completed_at, timezone.now()],
    )
    return item


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
    coe = _locked_coe(coe_id)
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
    _event(
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
    coe = _locked_coe(coe_id)
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
        _event(coe, CoeEventKind.CHANGES_REQUESTED, actor=reviewer, body=comment.strip(),
               decisions=_round_decisions(coe))  # fmt: skip
        return coe
    approvals = Reviewer.objects.filter(coe=coe, decision=ReviewDecision.APPROVED).count()
    if approvals >= policy.approvals_required(coe.incident.severity):
        coe.state = states.transition(coe.state, states.Action.APPROVE)
        coe.approved_at = now
        coe.save(update_fields=["state", "approved_at", "updated_at"])
        # COEs are counted on time or late in the week they were due, their factors in the week
        # they were approved: both weeks change.
        _event(
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
    coe = _locked_coe(coe_id)
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
    _event(coe, CoeEventKind.REOPENED, actor=actor, body=reason.strip(), weeks=[coe.approved_at])
    return coe


def coe_overdue(coe: Coe, *, today: date | None = None) -> bool:
    """`coe.states.coe_overdue` as of today in the current time zone."""
    return states.coe_overdue(coe, today=today or timezone.localdate())


@transaction.atomic
def finding_dismiss(*, coe_id: int, actor, section: str, rule: str, words: str, reason: str) -> None:
    """A reviewer dismisses one language finding (a false positive), with a recorded reason. The
    reviewer is a second person: the COE's owner cannot wave away findings in their own document."""
    coe = _locked_coe(coe_id)
    if coe.owner_id == actor.pk:
        raise errors.PermissionDenied("A reviewer other than the owner must dismiss a finding.")
    if not reason.strip():
        raise errors.ValidationFailed("Say why this finding does not apply.", extra={"field": "reason"})
    key = findings.dismissal_key(section, rule, words)
    _event(coe, CoeEventKind.FINDING_DISMISSED, actor=actor, body=reason.strip(), key=key, section=section,
           rule=rule, words=words)  # fmt: skip
