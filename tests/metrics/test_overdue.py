"""Overdue at week end, counted in SQL by the recompute: the cutoff is the week's end, or now while
the week runs; a due date is a day in the reporting zone."""

from datetime import UTC, date, datetime

import pytest

from coe.models import ActionStatus
from metrics import services
from metrics.models import Scope, WeeklyAggregate
from tests import factories
from tests.metrics.conftest import WEEK, at, item

pytestmark = pytest.mark.django_db


def _overdue(now: datetime, scope: str = Scope.ALL, key: str = "") -> int:
    services.week_recompute(week=WEEK, now=now)
    return WeeklyAggregate.objects.get(week=WEEK, scope=scope, key=key).action_items_overdue


@pytest.fixture
def coe(week):
    return factories.coe(week.incidents["i2"], actor=week.user)  # team A, services S1 and S2, SEV2


def test_overdue_in_a_week_in_progress_counts_up_to_now(week, coe):
    item(coe, actor=week.user, created=at(0), due=date(2026, 3, 4))  # due Wednesday

    assert _overdue(datetime(2026, 3, 4, 12, tzinfo=UTC)) == 0  # due today: not yet overdue
    assert _overdue(datetime(2026, 3, 5, 12, tzinfo=UTC)) == 1


def test_due_on_sunday_is_overdue_at_week_end_but_due_monday_is_not(week, coe):
    item(coe, actor=week.user, created=at(0), due=date(2026, 3, 8))
    item(coe, actor=week.user, created=at(0), due=date(2026, 3, 9))

    assert _overdue(datetime(2026, 4, 1, tzinfo=UTC)) == 1


def test_overdue_excludes_wont_do_and_items_done_before_the_cutoff(week, coe):
    item(coe, actor=week.user, created=at(-7), due=date(2026, 2, 27), status=ActionStatus.WONT_DO)
    item(
        coe, actor=week.user, created=at(-7), due=date(2026, 2, 27), status=ActionStatus.DONE, completed=at(3)
    )
    item(
        coe, actor=week.user, created=at(-7), due=date(2026, 2, 27), status=ActionStatus.DONE, completed=at(9)
    )
    item(coe, actor=week.user, created=at(8), due=date(2026, 2, 27))  # created after the week

    assert _overdue(datetime(2026, 4, 1, tzinfo=UTC)) == 1  # only the one done the week after


def test_overdue_counts_once_per_team_severity_and_service(week, coe):
    item(coe, actor=week.user, created=at(0), due=date(2026, 3, 3))

    now = datetime(2026, 4, 1, tzinfo=UTC)
    assert _overdue(now) == 1
    assert _overdue(now, Scope.TEAM, str(week.team_a.pk)) == 1
    assert _overdue(now, Scope.SEVERITY, "SEV2") == 1
    assert _overdue(now, Scope.SERVICE, str(week.s1.pk)) == 1
    assert _overdue(now, Scope.SERVICE, str(week.s2.pk)) == 1
