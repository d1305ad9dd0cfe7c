"""`manage.py recompute_metrics`: history week by week, a progress bar on stderr, totals on stdout."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from metrics.models import Scope, WeeklyAggregate
from tests.metrics.conftest import PREVIOUS, WEEK

pytestmark = pytest.mark.django_db


def test_recompute_metrics_rebuilds_each_week_with_progress(week, follow_up):
    out, err = StringIO(), StringIO()

    call_command(
        "recompute_metrics", "--since", "2026-02-23", "--until", "2026-03-15", stdout=out, stderr=err
    )

    assert set(WeeklyAggregate.objects.filter(scope=Scope.ALL).values_list("week", flat=True)) == {
        PREVIOUS,
        WEEK,
        WEEK.replace(day=9),
    }
    assert WeeklyAggregate.objects.get(week=WEEK, scope=Scope.ALL).incidents == 3
    lines = err.getvalue().splitlines()
    assert lines[-1] == f"[{'#' * 30}]    3/3 2026-W11"
    assert "1/3 2026-W09" in lines[0]
    summary = out.getvalue()
    assert summary.startswith("Recomputed 3 week(s): ")
    assert "6 incident(s)" in summary and " s." in summary


def test_recompute_metrics_takes_iso_weeks_and_is_idempotent(week):
    call_command(
        "recompute_metrics", "--since", "2026-W10", "--until", "2026-W10", "--quiet", stdout=StringIO()
    )
    first = list(WeeklyAggregate.objects.values_list("scope", "key", "incidents", "durations"))
    call_command(
        "recompute_metrics", "--since", "2026-W10", "--until", "2026-W10", "--quiet", stdout=StringIO()
    )
    assert list(WeeklyAggregate.objects.values_list("scope", "key", "incidents", "durations")) == first


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--since", "yesterday"], "neither a date"),
        (["--since", "2026-W54"], "W01 to W53"),
        (["--since", "2026-03-10", "--until", "2026-03-01"], "is before --since"),
    ],
)
def test_recompute_metrics_refuses_bad_input(db, args, words):
    with pytest.raises(CommandError, match=words):
        call_command("recompute_metrics", *args, stdout=StringIO(), stderr=StringIO())
