"""Who may reopen and edit (the predicates the page asks, beside the services' own guards, as a table),
and the review decisions each round records, so the page and the export show every one."""

import pytest

from coe import selectors, services
from coe.models import Coe, CoeEvent, CoeEventKind, CoeState
from core import errors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "owner": factories.user("olivia", first_name="Olivia"),
        "commander": factories.user("carl", first_name="Carl"),
        "reviewer": factories.user("rita", first_name="Rita", last_name="Martin"),
        "staff": factories.user("sid", is_staff=True),
        "stranger": factories.user("sam"),
    }


def started(people, severity: str = "SEV3") -> Coe:
    incident = factories.incident(actor=people["owner"], commander=people["commander"], severity=severity)
    coe = services.coe_start(incident_id=incident.pk, actor=people["owner"], owner=people["owner"])
    return factories.coe_complete(coe, actor=people["owner"])


def approved(people) -> Coe:
    coe = started(people)
    services.coe_submit(coe_id=coe.pk, actor=people["owner"], reviewers=[people["reviewer"]])
    services.coe_review(coe_id=coe.pk, reviewer=people["reviewer"], decision="approved")
    return selectors.coe_get(coe_id=coe.pk)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("owner", True), ("commander", True), ("reviewer", True), ("staff", True), ("stranger", False)],
)
def test_reopen_predicate_and_service_agree_for_every_role(people, who, allowed):
    coe = approved(people)

    assert services.coe_can_reopen(coe, people[who]) is allowed
    if allowed:
        services.coe_reopen(coe_id=coe.pk, actor=people[who], reason="Same outage again")
        assert Coe.objects.get(pk=coe.pk).state == CoeState.REOPENED
    else:
        with pytest.raises(errors.PermissionDenied):
            services.coe_reopen(coe_id=coe.pk, actor=people[who], reason="Same outage again")
        assert Coe.objects.get(pk=coe.pk).state == CoeState.APPROVED


@pytest.mark.parametrize("state", ["draft", "in_review", "reopened"])
def test_nobody_can_reopen_a_coe_that_is_not_approved(people, state):
    coe = started(people)
    if state != "draft":
        services.coe_submit(coe_id=coe.pk, actor=people["owner"], reviewers=[people["reviewer"]])
    if state == "reopened":
        services.coe_review(coe_id=coe.pk, reviewer=people["reviewer"], decision="approved")
        services.coe_reopen(coe_id=coe.pk, actor=people["owner"], reason="again")
    coe = selectors.coe_get(coe_id=coe.pk)

    assert coe.state == state
    assert not any(services.coe_can_reopen(coe, person) for person in people.values())


@pytest.mark.parametrize(
    ("state", "editable"), [("draft", True), ("in_review", True), ("approved", False), ("reopened", True)]
)
def test_edit_predicate_matches_the_section_guard(people, state, editable):
    coe = started(people)
    if state != "draft":
        services.coe_submit(coe_id=coe.pk, actor=people["owner"], reviewers=[people["reviewer"]])
    if state in ("approved", "reopened"):
        services.coe_review(coe_id=coe.pk, reviewer=people["reviewer"], decision="approved")
    if state == "reopened":
        services.coe_reopen(coe_id=coe.pk, actor=people["owner"], reason="again")
    coe = Coe.objects.get(pk=coe.pk)
    section = coe.sections.get(key="lessons")

    assert services.coe_can_edit(coe) is editable
    try:
        services.coe_section_save(
            coe_id=coe.pk, key="lessons", body="more", base_version=section.version, actor=people["owner"]
        )
        saved = True
    except errors.Conflict as refused:
        assert refused.code == "coe_read_only"
        saved = False
    assert saved is editable


def test_every_decision_of_every_round_is_kept_in_order(people):
    coe = started(people, severity="SEV1")
    rita, sam = people["reviewer"], people["stranger"]
    services.coe_submit(coe_id=coe.pk, actor=people["owner"], reviewers=[rita, sam])
    services.coe_review(coe_id=coe.pk, reviewer=rita, decision="approved", comment="Fine by me")
    services.coe_review(coe_id=coe.pk, reviewer=sam, decision="changes_requested", comment="Add graphs")
    services.coe_submit(coe_id=coe.pk, actor=people["owner"], reviewers=[rita, sam])  # resets both
    services.coe_review(coe_id=coe.pk, reviewer=sam, decision="approved", comment="Graphs look right")

    in_review = [
        (d.name, d.decision, d.comment) for d in selectors.review_decisions(selectors.coe_get(coe_id=coe.pk))
    ]
    services.coe_review(coe_id=coe.pk, reviewer=rita, decision="approved", comment="Still fine")
    final = selectors.review_decisions(selectors.coe_get(coe_id=coe.pk))

    assert in_review == [
        ("Rita Martin", "approved", "Fine by me"),
        ("sam", "changes_requested", "Add graphs"),
        ("sam", "approved", "Graphs look right"),
    ]
    assert [(d.name, d.label, d.comment) for d in final] == [
        ("Rita Martin", "Approved", "Fine by me"),
        ("sam", "Changes requested", "Add graphs"),
        ("sam", "Approved", "Graphs look right"),
        ("Rita Martin", "Approved", "Still fine"),
    ]
    assert [d.at for d in final] == sorted(d.at for d in final)


def test_a_reopen_keeps_the_decisions_of_the_approved_round(people):
    coe = approved(people)
    services.coe_reopen(coe_id=coe.pk, actor=people["owner"], reason="Same outage again")

    decisions = selectors.review_decisions(selectors.coe_get(coe_id=coe.pk))

    assert [(d.name, d.decision) for d in decisions] == [("Rita Martin", "approved")]


def test_an_event_written_before_decisions_were_recorded_stands_for_its_own(people):
    coe = started(people)
    CoeEvent.objects.create(
        coe=coe, kind=CoeEventKind.CHANGES_REQUESTED, actor=people["reviewer"], body="Old request"
    )

    (decision,) = selectors.review_decisions(selectors.coe_get(coe_id=coe.pk))

    assert (decision.name, decision.label, decision.comment) == (
        "Rita Martin",
        "Changes requested",
        "Old request",
    )
