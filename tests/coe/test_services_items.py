"""COE services, part two: contributing factors (statement, category, chain of whys) and action items
(title, won't do with a reason, done with its completion time), on the real database."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from coe import services
from coe.models import ActionItem, ActionKind, ActionStatus, Coe, ContributingFactor, Priority
from core import errors
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def coe(user, team):
    return factories.coe(actor=user, team=team)


def approved(coe: Coe, *, actor) -> Coe:
    factories.coe_complete(coe, actor=actor)
    reviewer = factories.user()
    services.coe_submit(coe_id=coe.pk, actor=actor, reviewers=[reviewer])
    return services.coe_review(coe_id=coe.pk, reviewer=reviewer, decision="approved")


def add_factor(coe: Coe, *, actor, statement="Config was not validated", category="process", whys=("Why",)):
    return services.factor_save(
        coe_id=coe.pk, actor=actor, statement=statement, category=category, whys=list(whys)
    )


def factors(coe: Coe) -> list[tuple]:
    return list(
        ContributingFactor.objects.filter(coe=coe).values_list("statement", "category", "whys", "position")
    )


def add_item(coe: Coe, *, actor, **fields) -> ActionItem:
    return services.action_item_save(coe_id=coe.pk, actor=actor, **{"title": "Add a config schema", **fields})


def update_item(item: ActionItem, *, actor, **fields) -> ActionItem:
    return services.action_item_save(coe_id=item.coe_id, actor=actor, item_id=item.pk, **fields)


# --- factor_save / factor_delete ----------------------------------------------------------------


def test_factor_save_adds_a_factor_with_its_whys(coe, user):
    factor = services.factor_save(
        coe_id=coe.pk,
        actor=user,
        statement="  The deploy pipeline let a bad config through  ",
        category="technical",
        whys=["No validation step", "The schema was never written down"],
    )

    assert factors(coe) == [
        (
            "The deploy pipeline let a bad config through",
            "technical",
            ["No validation step", "The schema was never written down"],
            0,
        )
    ]
    assert factor.pk == ContributingFactor.objects.get(coe=coe).pk


def test_factor_save_appends_factors_in_order(coe, user):
    for statement in ("first", "second", "third"):
        add_factor(coe, actor=user, statement=statement)

    assert [(s, p) for s, _, _, p in factors(coe)] == [("first", 0), ("second", 1), ("third", 2)]


def test_factor_save_drops_blank_whys_and_trims_the_rest(coe, user):
    add_factor(coe, actor=user, whys=["  one ", "", "   ", "two", "\n"])

    assert factors(coe)[0][2] == ["one", "two"]


def test_factor_save_without_whys_is_allowed(coe, user):
    add_factor(coe, actor=user, whys=[])

    assert factors(coe)[0][2] == []


def test_factor_save_accepts_five_whys_even_with_blanks_among_them(coe, user):
    add_factor(coe, actor=user, whys=["1", "", "2", "3", " ", "4", "5"])

    assert factors(coe)[0][2] == ["1", "2", "3", "4", "5"]


def test_factor_save_more_than_five_whys_is_refused(coe, user):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_factor(coe, actor=user, whys=["1", "2", "3", "4", "5", "6"])

    assert caught.value.extra == {"field": "whys"}
    assert factors(coe) == []


@pytest.mark.parametrize("statement", ["", "   \n "])
def test_factor_save_needs_a_statement(coe, user, statement):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_factor(coe, actor=user, statement=statement)

    assert caught.value.extra == {"field": "statement"}
    assert factors(coe) == []


@pytest.mark.parametrize("category", ["", "human_error", "TECHNICAL"])
def test_factor_save_needs_a_known_category(coe, user, category):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_factor(coe, actor=user, category=category)

    assert caught.value.extra == {"field": "category"}
    assert "technical" in caught.value.message
    assert factors(coe) == []


def test_factor_save_a_chain_ending_at_human_error_asks_for_the_next_why(coe, user):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_factor(coe, actor=user, whys=["The config was wrong", "The root cause was human error."])

    assert caught.value.code == "ask_next_why"
    assert caught.value.extra["field"] == "whys"
    assert factors(coe) == []


def test_factor_save_a_chain_going_past_human_error_to_the_system_is_accepted(coe, user):
    whys = ["The root cause was human error.", "The deploy tool accepted an unvalidated config"]

    add_factor(coe, actor=user, whys=whys)

    assert factors(coe)[0][2] == whys


def test_factor_save_with_an_id_changes_that_factor(coe, user):
    factor = add_factor(coe, actor=user, statement="old", whys=["a"])
    add_factor(coe, actor=user, statement="other")

    services.factor_save(
        coe_id=coe.pk, actor=user, factor_id=factor.pk, statement="new", category="tooling", whys=["b", "c"]
    )

    assert factors(coe) == [("new", "tooling", ["b", "c"], 0), ("other", "process", ["Why"], 1)]


def test_factor_save_of_another_coes_factor_raises_not_found(coe, user):
    foreign = add_factor(factories.coe(actor=user), actor=user, statement="theirs")

    with pytest.raises(errors.NotFound):
        services.factor_save(
            coe_id=coe.pk, actor=user, factor_id=foreign.pk, statement="mine", category="process", whys=[]
        )
    assert ContributingFactor.objects.get(pk=foreign.pk).statement == "theirs"


def test_factor_delete_removes_only_that_factor(coe, user):
    gone = add_factor(coe, actor=user, statement="gone")
    add_factor(coe, actor=user, statement="kept")

    services.factor_delete(coe_id=coe.pk, factor_id=gone.pk, actor=user)

    assert [s for s, *_ in factors(coe)] == ["kept"]


def test_factor_delete_of_another_coes_factor_changes_nothing(coe, user):
    foreign = add_factor(factories.coe(actor=user), actor=user)

    services.factor_delete(coe_id=coe.pk, factor_id=foreign.pk, actor=user)

    assert ContributingFactor.objects.filter(pk=foreign.pk).exists()


def test_factors_of_an_approved_coe_are_read_only(coe, user):
    approved(coe, actor=user)
    before = factors(coe)
    factor = ContributingFactor.objects.get(coe=coe)

    with pytest.raises(errors.Conflict):
        add_factor(coe, actor=user)
    with pytest.raises(errors.Conflict):
        services.factor_save(
            coe_id=coe.pk, actor=user, factor_id=factor.pk, statement="x", category="process", whys=[]
        )
    with pytest.raises(errors.Conflict):
        services.factor_delete(coe_id=coe.pk, factor_id=factor.pk, actor=user)
    assert factors(coe) == before


def test_factor_save_unknown_coe_raises_not_found(user):
    with pytest.raises(errors.NotFound):
        services.factor_save(coe_id=987654, actor=user, statement="x", category="process", whys=[])


def test_factor_save_statement_over_500_characters_is_refused(coe, user):
    add_factor(coe, actor=user, statement="x" * 500)

    with pytest.raises(errors.ValidationFailed) as caught:
        add_factor(coe, actor=user, statement="x" * 501)

    assert caught.value.extra == {"field": "statement"}
    assert len(factors(coe)) == 1


# --- action_item_save ---------------------------------------------------------------------------


def test_action_item_save_adds_an_item_with_its_fields(coe, user):
    owner = factories.user("owner")
    due = timezone.localdate() + timedelta(days=10)

    item = add_item(
        coe,
        actor=user,
        title="  Validate configs in CI  ",
        description="Reject configs that do not match the schema.",
        owner=owner,
        due_on=due,
        priority=Priority.HIGH,
        kind=ActionKind.DETECT,
        tracker_url="https://tracker.example/OPS-1",
    )

    item.refresh_from_db()
    assert (item.coe, item.title, item.owner, item.due_on) == (coe, "Validate configs in CI", owner, due)
    assert (item.priority, item.kind, item.status) == (Priority.HIGH, ActionKind.DETECT, ActionStatus.OPEN)
    assert item.tracker_url == "https://tracker.example/OPS-1"
    assert item.completed_at is None and item.effective is None


def test_action_item_save_defaults_to_an_open_medium_prevent_item(coe, user):
    item = add_item(coe, actor=user)

    assert (item.kind, item.priority, item.status) == (ActionKind.PREVENT, Priority.MEDIUM, ActionStatus.OPEN)


@pytest.mark.parametrize("title", ["", "   "])
def test_action_item_save_needs_a_title(coe, user, title):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_item(coe, actor=user, title=title)

    assert caught.value.extra == {"field": "title"}
    assert not ActionItem.objects.exists()


def test_action_item_save_without_a_title_is_refused(coe, user):
    with pytest.raises(errors.ValidationFailed):
        services.action_item_save(coe_id=coe.pk, actor=user, kind=ActionKind.PREVENT)
    assert not ActionItem.objects.exists()


def test_action_item_save_refuses_unknown_fields(coe, user):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_item(coe, actor=user, completed_at=timezone.now(), created_at=timezone.now())

    assert "completed_at" in caught.value.message and "created_at" in caught.value.message
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("reason", ["", "  "])
def test_action_item_wont_do_needs_a_reason(coe, user, reason):
    item = add_item(coe, actor=user)

    with pytest.raises(errors.ValidationFailed) as caught:
        update_item(item, actor=user, status=ActionStatus.WONT_DO, wont_do_reason=reason)

    assert caught.value.extra == {"field": "wont_do_reason"}
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN


def test_action_item_wont_do_with_a_reason_is_saved(coe, user):
    item = add_item(coe, actor=user)

    update_item(item, actor=user, status=ActionStatus.WONT_DO, wont_do_reason="Superseded by OPS-9")

    item.refresh_from_db()
    assert (item.status, item.wont_do_reason) == (ActionStatus.WONT_DO, "Superseded by OPS-9")


def test_action_item_done_stamps_its_completion_time(coe, user):
    item = add_item(coe, actor=user)
    before = timezone.now()

    update_item(item, actor=user, status=ActionStatus.DONE)

    item.refresh_from_db()
    assert item.status == ActionStatus.DONE
    assert before <= item.completed_at <= timezone.now()


def test_action_item_saved_again_while_done_keeps_its_completion_time(coe, user):
    item = update_item(add_item(coe, actor=user), actor=user, status=ActionStatus.DONE)
    completed_at = item.completed_at

    update_item(item, actor=user, effective=True, description="Shipped in v1.43")

    item.refresh_from_db()
    assert (item.completed_at, item.effective) == (completed_at, True)


def test_action_item_reopened_clears_completion_and_effectiveness(coe, user):
    item = update_item(add_item(coe, actor=user), actor=user, status=ActionStatus.DONE, effective=True)

    update_item(item, actor=user, status=ActionStatus.IN_PROGRESS)

    item.refresh_from_db()
    assert (item.status, item.completed_at, item.effective) == (ActionStatus.IN_PROGRESS, None, None)


def test_action_item_effective_is_only_kept_once_done(coe, user):
    item = add_item(coe, actor=user, effective=False)

    assert item.effective is None


def test_action_item_save_of_another_coes_item_raises_not_found(coe, user):
    foreign = add_item(factories.coe(actor=user), actor=user, title="theirs")

    with pytest.raises(errors.NotFound) as caught:
        services.action_item_save(coe_id=coe.pk, actor=user, item_id=foreign.pk, title="mine")

    assert caught.value.extra == {"item_id": foreign.pk}
    assert ActionItem.objects.get(pk=foreign.pk).title == "theirs"


def test_action_items_of_an_approved_coe_can_still_be_tracked_to_done(coe, user):
    approved(coe, actor=user)
    item = ActionItem.objects.get(coe=coe)

    update_item(item, actor=user, status=ActionStatus.DONE, effective=True)

    item.refresh_from_db()
    assert item.status == ActionStatus.DONE and item.effective is True


@pytest.mark.parametrize("field", ["kind", "status", "priority"])
def test_action_item_save_refuses_values_outside_the_choices(coe, user, field):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_item(coe, actor=user, due_on=date(2025, 1, 10), **{field: "urgent"})

    assert caught.value.extra["field"] == field
    assert not ActionItem.objects.exists()


def test_action_item_save_title_over_200_characters_is_refused(coe, user):
    with pytest.raises(errors.ValidationFailed) as caught:
        add_item(coe, actor=user, title="x" * 201)

    assert caught.value.extra["field"] == "title"
    assert not ActionItem.objects.exists()
