"""COE services, part three: what keeps a COE from review (submission_problems), submitting it,
reviewing it (changes requested, approvals by severity), reopening it, and when it is overdue."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from coe import services
from coe.models import (
    ActionItem,
    ActionKind,
    Coe,
    CoeEvent,
    CoeEventKind,
    CoeState,
    ContributingFactor,
    ReviewDecision,
    Reviewer,
    Section,
)
from coe.sections import GUIDANCE, SectionKey
from core import errors
from tests import factories

pytestmark = pytest.mark.django_db

SECTION_PROBLEM = "Write section “{}” (it is empty or still the prefilled text)."
FACTOR_PROBLEM = "Add at least one contributing factor with its chain of whys."
PREVENT_PROBLEM = "Add at least one “prevent” action item with an owner and a due date."


@pytest.fixture
def coe(user, team):
    """A SEV3 COE with nothing written yet."""
    return factories.coe(actor=user, team=team)


@pytest.fixture
def complete(coe, user):
    """Everything submission needs but the reviewers."""
    return factories.coe_complete(coe, actor=user)


def sev(severity: str, *, actor) -> Coe:
    return factories.coe_complete(factories.coe(actor=actor, severity=severity), actor=actor)


def problems(coe: Coe, **kwargs) -> list[str]:
    return services.submission_problems(Coe.objects.get(pk=coe.pk), **kwargs)


def write(coe: Coe, key: str, body: str, *, actor) -> Section:
    section = Section.objects.get(coe=coe, key=key)
    return services.coe_section_save(
        coe_id=coe.pk, key=key, body=body, base_version=section.version, actor=actor
    )


def submit(coe: Coe, *reviewers, actor) -> Coe:
    return services.coe_submit(coe_id=coe.pk, actor=actor, reviewers=list(reviewers))


def review(coe: Coe, reviewer, decision: str, comment: str = "") -> Coe:
    return services.coe_review(coe_id=coe.pk, reviewer=reviewer, decision=decision, comment=comment)


def state(coe: Coe) -> str:
    return Coe.objects.get(pk=coe.pk).state


def events(coe: Coe) -> list[str]:
    return list(CoeEvent.objects.filter(coe=coe).order_by("id").values_list("kind", flat=True))


def decisions(coe: Coe) -> dict[str, str]:
    return dict(Reviewer.objects.filter(coe=coe).values_list("user__username", "decision"))


def frozen(coe: Coe) -> dict:
    """What a refused workflow step must leave untouched."""
    row = Coe.objects.get(pk=coe.pk)
    return {
        "state": row.state,
        "submitted_at": row.submitted_at,
        "approved_at": row.approved_at,
        "reviewers": list(
            Reviewer.objects.filter(coe=coe)
            .order_by("id")
            .values_list("user", "decision", "comment", "decided_at")
        ),
        "events": events(coe),
    }


# --- submission_problems ------------------------------------------------------------------------


def test_problems_of_a_fresh_coe_name_every_section_a_factor_and_a_prevent_item(coe):
    assert problems(coe) == [
        *[SECTION_PROBLEM.format(key.label) for key in SectionKey],
        FACTOR_PROBLEM,
        PREVENT_PROBLEM,
    ]


def test_problems_of_a_complete_coe_are_none(complete):
    assert problems(complete) == []


@pytest.mark.parametrize("key", list(SectionKey))
def test_problems_an_empty_section_is_named(complete, user, key):
    write(complete, key, "", actor=user)

    assert problems(complete) == [SECTION_PROBLEM.format(key.label)]


@pytest.mark.parametrize("key", list(SectionKey))
def test_problems_a_section_still_at_its_prefill_is_named(complete, user, key):
    write(complete, key, Section.objects.get(coe=complete, key=key).prefill, actor=user)

    assert problems(complete) == [SECTION_PROBLEM.format(key.label)]


@pytest.mark.parametrize("key", list(SectionKey))
def test_problems_a_section_holding_only_its_guidance_is_named(complete, user, key):
    write(complete, key, f"  {GUIDANCE[key].good}\n", actor=user)

    assert problems(complete) == [SECTION_PROBLEM.format(key.label)]


def test_problems_factors_without_whys_do_not_count(complete, user):
    ContributingFactor.objects.filter(coe=complete).delete()
    services.factor_save(coe_id=complete.pk, actor=user, statement="No why", category="process", whys=["  "])

    assert problems(complete) == [FACTOR_PROBLEM]


def test_problems_no_factor_at_all_is_named(complete):
    ContributingFactor.objects.filter(coe=complete).delete()

    assert problems(complete) == [FACTOR_PROBLEM]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"owner": None}, id="no-owner"),
        pytest.param({"due_on": None}, id="no-due-date"),
        pytest.param({"kind": ActionKind.DETECT}, id="detect-not-prevent"),
        pytest.param({"kind": ActionKind.MITIGATE}, id="mitigate-not-prevent"),
    ],
)
def test_problems_a_prevent_item_needs_an_owner_and_a_due_date(complete, user, change):
    item = ActionItem.objects.get(coe=complete)
    services.action_item_save(coe_id=complete.pk, actor=user, item_id=item.pk, **change)

    assert problems(complete) == [PREVENT_PROBLEM]


def test_problems_one_good_prevent_item_among_others_is_enough(complete, user):
    services.action_item_save(coe_id=complete.pk, actor=user, title="Dashboard", kind=ActionKind.DETECT)
    services.action_item_save(coe_id=complete.pk, actor=user, title="No owner", kind=ActionKind.PREVENT)

    assert problems(complete) == []


def test_problems_a_given_count_of_blocking_findings_is_named(complete):
    assert problems(complete, blocking_findings=2) == [
        "Resolve or dismiss the blocking language findings (2)."
    ]
    assert problems(complete, blocking_findings=0) == []


# --- coe_submit ---------------------------------------------------------------------------------


def test_submit_a_complete_coe_goes_to_review_with_its_reviewers(complete, user):
    rita, sam = factories.user("rita"), factories.user("sam")
    before = timezone.now()

    submitted = submit(complete, rita, sam, actor=user)

    assert submitted.state == CoeState.IN_REVIEW
    assert before <= submitted.submitted_at <= timezone.now()
    assert decisions(complete) == {"rita": ReviewDecision.PENDING, "sam": ReviewDecision.PENDING}
    event = CoeEvent.objects.filter(coe=complete).last()
    assert (event.kind, event.actor, event.data) == (
        CoeEventKind.SUBMITTED,
        user,
        {"reviewers": ["rita", "sam"], "reviewer_ids": [rita.pk, sam.pk]},
    )


def test_submit_without_reviewers_is_refused_and_changes_nothing(complete, user):
    before = frozen(complete)

    with pytest.raises(errors.ValidationFailed) as caught:
        submit(complete, actor=user)

    assert caught.value.code == "not_ready"
    (missing,) = caught.value.extra["missing"]
    assert "reviewer" in missing
    assert missing in caught.value.message
    assert frozen(complete) == before


def test_submit_an_unwritten_coe_lists_everything_missing_and_changes_nothing(coe, user):
    before = frozen(coe)

    with pytest.raises(errors.ValidationFailed) as caught:
        submit(coe, actor=user)

    missing = caught.value.extra["missing"]
    assert missing[:-1] == problems(coe)
    assert "reviewer" in missing[-1]
    assert len(missing) == 9
    for problem in missing:
        assert problem in caught.value.message
    assert frozen(coe) == before


@pytest.mark.parametrize("key", list(SectionKey))
def test_submit_with_one_section_unwritten_is_refused_naming_it(complete, user, key):
    write(complete, key, "", actor=user)

    with pytest.raises(errors.ValidationFailed) as caught:
        submit(complete, factories.user(), actor=user)

    assert caught.value.extra["missing"] == [SECTION_PROBLEM.format(key.label)]
    assert state(complete) == CoeState.DRAFT
    assert not Reviewer.objects.filter(coe=complete).exists()


def test_submit_with_a_blocking_language_finding_is_refused_naming_it(complete, user):
    write(complete, SectionKey.CONTRIBUTING_FACTORS, "The root cause was human error.", actor=user)

    with pytest.raises(errors.ValidationFailed) as caught:
        submit(complete, factories.user(), actor=user)

    assert caught.value.extra["missing"] == ["Resolve or dismiss the blocking language findings (1)."]
    assert state(complete) == CoeState.DRAFT


def test_submit_twice_is_an_illegal_transition(complete, user):
    submit(complete, factories.user(), actor=user)
    before = frozen(complete)

    with pytest.raises(errors.Conflict) as caught:
        submit(complete, factories.user(), actor=user)

    assert caught.value.code == "illegal_transition"
    assert frozen(complete) == before


def test_submit_unknown_coe_raises_not_found(user):
    with pytest.raises(errors.NotFound):
        services.coe_submit(coe_id=987654, actor=user, reviewers=[user])


# --- coe_review ---------------------------------------------------------------------------------


def test_review_by_someone_not_named_is_refused(complete, user):
    submit(complete, factories.user("rita"), actor=user)
    before = frozen(complete)

    with pytest.raises(errors.PermissionDenied):
        review(complete, factories.user("mallory"), "approved")
    with pytest.raises(errors.PermissionDenied):
        review(complete, user, "approved")  # the author, not a reviewer

    assert frozen(complete) == before


def test_review_of_a_draft_is_an_illegal_transition(complete, user):
    with pytest.raises(errors.Conflict) as caught:
        review(complete, user, "approved")

    assert caught.value.code == "illegal_transition"
    assert caught.value.extra == {"state": CoeState.DRAFT}


@pytest.mark.parametrize("decision", ["pending", "lgtm", ""])
def test_review_needs_approved_or_changes_requested(complete, user, decision):
    rita = factories.user("rita")
    submit(complete, rita, actor=user)
    before = frozen(complete)

    with pytest.raises(errors.ValidationFailed) as caught:
        review(complete, rita, decision)

    assert caught.value.extra == {"field": "decision"}
    assert frozen(complete) == before


@pytest.mark.parametrize("comment", ["", "  \n "])
def test_review_changes_requested_needs_a_comment(complete, user, comment):
    rita = factories.user("rita")
    submit(complete, rita, actor=user)
    before = frozen(complete)

    with pytest.raises(errors.ValidationFailed) as caught:
        review(complete, rita, "changes_requested", comment)

    assert caught.value.extra == {"field": "comment"}
    assert frozen(complete) == before


def test_review_changes_requested_sends_the_coe_back_to_draft(complete, user):
    rita = factories.user("rita")
    submit(complete, rita, actor=user)

    result = review(complete, rita, "changes_requested", "  Section 4 stops at human error.  ")

    assert result.state == CoeState.DRAFT
    reviewer = Reviewer.objects.get(coe=complete, user=rita)
    assert (reviewer.decision, reviewer.comment) == (
        ReviewDecision.CHANGES_REQUESTED,
        "Section 4 stops at human error.",
    )
    assert reviewer.decided_at is not None
    event = CoeEvent.objects.filter(coe=complete).last()
    assert (event.kind, event.actor, event.body) == (
        CoeEventKind.CHANGES_REQUESTED,
        rita,
        "Section 4 stops at human error.",
    )
    assert Coe.objects.get(pk=complete.pk).approved_at is None


def test_review_after_changes_requested_the_coe_can_be_fixed_and_resubmitted(complete, user):
    rita = factories.user("rita")
    submit(complete, rita, actor=user)
    review(complete, rita, "changes_requested", "Dig deeper")
    write(complete, SectionKey.CONTRIBUTING_FACTORS, "Deeper analysis", actor=user)

    submit(complete, rita, actor=user)

    assert state(complete) == CoeState.IN_REVIEW
    reviewer = Reviewer.objects.get(coe=complete, user=rita)
    assert (reviewer.decision, reviewer.comment, reviewer.decided_at) == (ReviewDecision.PENDING, "", None)
    assert Reviewer.objects.filter(coe=complete).count() == 1


@pytest.mark.parametrize("severity", ["SEV2", "SEV3", "SEV4"])
def test_review_one_approval_approves_below_sev1(user, severity):
    coe = sev(severity, actor=user)
    rita = factories.user("rita")
    submit(coe, rita, factories.user("sam"), actor=user)
    before = timezone.now()

    result = review(coe, rita, "approved", "Clear and blameless.")

    assert result.state == CoeState.APPROVED
    assert before <= result.approved_at <= timezone.now()
    assert events(coe)[-1] == CoeEventKind.APPROVED
    assert decisions(coe) == {"rita": ReviewDecision.APPROVED, "sam": ReviewDecision.PENDING}


def test_review_sev1_needs_two_approvals(user):
    coe = sev("SEV1", actor=user)
    rita, sam = factories.user("rita"), factories.user("sam")
    submit(coe, rita, sam, actor=user)

    first = review(coe, rita, "approved")

    assert (first.state, first.approved_at) == (CoeState.IN_REVIEW, None)
    assert CoeEventKind.APPROVED not in events(coe)

    second = review(coe, sam, "approved")

    assert second.state == CoeState.APPROVED
    assert second.approved_at is not None
    assert events(coe).count(CoeEventKind.APPROVED) == 1


def test_review_the_same_reviewer_approving_twice_counts_once(user):
    coe = sev("SEV1", actor=user)
    rita = factories.user("rita")
    submit(coe, rita, factories.user("sam"), actor=user)

    review(coe, rita, "approved")
    review(coe, rita, "approved")

    assert state(coe) == CoeState.IN_REVIEW


def test_review_changes_requested_after_one_sev1_approval_sends_it_back(user):
    coe = sev("SEV1", actor=user)
    rita, sam = factories.user("rita"), factories.user("sam")
    submit(coe, rita, sam, actor=user)
    review(coe, rita, "approved")

    assert review(coe, sam, "changes_requested", "Missing graphs").state == CoeState.DRAFT


def test_review_of_an_approved_coe_is_an_illegal_transition(complete, user):
    rita = factories.user("rita")
    submit(complete, rita, actor=user)
    review(complete, rita, "approved")

    with pytest.raises(errors.Conflict):
        review(complete, rita, "changes_requested", "Too late")
    assert state(complete) == CoeState.APPROVED


def test_submit_sev1_with_a_single_reviewer_is_refused(user):
    coe = sev("SEV1", actor=user)
    before = frozen(coe)

    with pytest.raises(errors.ValidationFailed) as caught:
        submit(coe, factories.user("rita"), actor=user)

    (missing,) = caught.value.extra["missing"]
    assert "2 reviewers" in missing
    assert frozen(coe) == before


def test_submit_the_owner_does_not_count_as_a_reviewer(complete, user):
    assert complete.owner == user

    with pytest.raises(errors.ValidationFailed) as caught:
        submit(complete, user, actor=user)

    (missing,) = caught.value.extra["missing"]
    assert "other than the owner" in missing
    assert state(complete) == CoeState.DRAFT


def test_submit_the_owner_named_among_others_is_left_out(complete, user):
    submit(complete, user, factories.user("rita"), actor=user)

    assert decisions(complete) == {"rita": ReviewDecision.PENDING}


def test_submit_a_reviewer_named_twice_counts_once(user):
    coe = sev("SEV1", actor=user)
    rita = factories.user("rita")

    with pytest.raises(errors.ValidationFailed):
        submit(coe, rita, rita, actor=user)


def test_review_an_approval_from_an_earlier_round_does_not_count(user):
    coe = sev("SEV1", actor=user)
    rita, sam, tom = factories.user("rita"), factories.user("sam"), factories.user("tom")
    submit(coe, rita, sam, actor=user)
    review(coe, rita, "approved")
    review(coe, sam, "changes_requested", "Section 4 stops too early")
    write(coe, SectionKey.CONTRIBUTING_FACTORS, "Rewritten, one why deeper", actor=user)
    submit(coe, sam, tom, actor=user)  # round two, without rita

    assert decisions(coe) == {"sam": ReviewDecision.PENDING, "tom": ReviewDecision.PENDING}
    review(coe, sam, "approved")  # one approval of the new text; SEV1 needs two

    assert state(coe) == CoeState.IN_REVIEW
    with pytest.raises(errors.PermissionDenied):
        review(coe, rita, "approved")  # no longer a reviewer


# --- coe_reopen ---------------------------------------------------------------------------------


@pytest.fixture
def approved(complete, user):
    rita, sam = factories.user("rita"), factories.user("sam")
    submit(complete, rita, sam, actor=user)
    review(complete, rita, "approved", "Good")
    return Coe.objects.get(pk=complete.pk)


def test_reopen_needs_a_reason(approved, user):
    before = frozen(approved)

    for reason in ("", "   "):
        with pytest.raises(errors.ValidationFailed) as caught:
            services.coe_reopen(coe_id=approved.pk, actor=user, reason=reason)
        assert caught.value.extra == {"field": "reason"}

    assert frozen(approved) == before


def test_reopen_with_a_reason_reopens_and_resets_the_reviewers(approved, user):
    reopened = services.coe_reopen(coe_id=approved.pk, actor=user, reason="  A second outage, same cause  ")

    assert reopened.state == CoeState.REOPENED
    assert set(Reviewer.objects.filter(coe=approved).values_list("decision", "decided_at")) == {
        (ReviewDecision.PENDING, None)
    }
    event = CoeEvent.objects.filter(coe=approved).last()
    assert (event.kind, event.actor, event.body) == (
        CoeEventKind.REOPENED,
        user,
        "A second outage, same cause",
    )


def test_reopen_makes_the_coe_editable_and_submittable_again(approved, user):
    services.coe_reopen(coe_id=approved.pk, actor=user, reason="New evidence")

    write(approved, SectionKey.DATA, "New graphs", actor=user)
    services.factor_save(coe_id=approved.pk, actor=user, statement="New", category="monitoring", whys=["w"])
    submit(approved, factories.user("tom"), actor=user)

    assert state(approved) == CoeState.IN_REVIEW


@pytest.mark.parametrize("steps", ["draft", "in_review", "reopened"])
def test_reopen_only_an_approved_coe(complete, user, steps):
    if steps != "draft":
        rita = factories.user("rita")
        submit(complete, rita, actor=user)
        if steps == "reopened":
            review(complete, rita, "approved")
            services.coe_reopen(coe_id=complete.pk, actor=user, reason="once")
    before = frozen(complete)

    with pytest.raises(errors.Conflict) as caught:
        services.coe_reopen(coe_id=complete.pk, actor=user, reason="again")

    assert caught.value.code == "illegal_transition"
    assert frozen(complete) == before


# --- coe_overdue --------------------------------------------------------------------------------

DUE = date(2025, 1, 10)


def with_state(coe: Coe, state: str, *, due_on=DUE) -> Coe:
    """An unsaved copy in `state` (coe_overdue is a pure read of the row's fields)."""
    coe.state, coe.due_on = state, due_on
    return coe


@pytest.mark.parametrize(
    ("state", "today", "overdue"),
    [
        (CoeState.DRAFT, DUE + timedelta(days=1), True),
        (CoeState.DRAFT, DUE, False),
        (CoeState.DRAFT, DUE - timedelta(days=1), False),
        (CoeState.REOPENED, DUE + timedelta(days=1), True),
        (CoeState.IN_REVIEW, DUE + timedelta(days=30), False),
        (CoeState.APPROVED, DUE + timedelta(days=30), False),
    ],
)
def test_overdue_only_a_draft_or_reopened_coe_past_its_due_date(coe, state, today, overdue):
    assert services.coe_overdue(with_state(coe, state), today=today) is overdue


def test_overdue_never_without_a_due_date(coe):
    assert services.coe_overdue(with_state(coe, CoeState.DRAFT, due_on=None), today=date(2099, 1, 1)) is False


def test_overdue_defaults_to_today(coe):
    yesterday = timezone.localdate() - timedelta(days=1)

    assert services.coe_overdue(with_state(coe, CoeState.DRAFT, due_on=yesterday)) is True
    assert services.coe_overdue(with_state(coe, CoeState.DRAFT, due_on=timezone.localdate())) is False


def test_overdue_a_sev4_coe_started_long_ago_is_never_overdue(user):
    coe = factories.coe(actor=user, severity="SEV4")

    assert coe.due_on is None
    assert services.coe_overdue(coe, today=date(2099, 1, 1)) is False
