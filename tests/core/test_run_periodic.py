"""`manage.py run_periodic`: the beat schedule's jobs, run in-process (the embedded default's beat)."""

import pytest
from django.core.management import CommandError, call_command

from config.celery import app
from metrics.models import WeeklyAggregate

pytestmark = pytest.mark.django_db


def test_run_periodic_lists_every_job_of_the_beat_schedule(capsys):
    call_command("run_periodic", "--list")

    out = capsys.readouterr().out
    for name in app.conf.beat_schedule:
        assert name in out
    assert "metrics.tasks.recent_weeks_recompute" in out  # the real task, not the jitter wrapper


def test_run_periodic_runs_the_named_job_now(capsys):
    call_command("run_periodic", "metrics-recent-weeks")

    assert "metrics-recent-weeks: done" in capsys.readouterr().out
    assert WeeklyAggregate.objects.filter(scope="all").count() == 2  # the current and previous week


def test_run_periodic_runs_every_job(capsys):
    call_command("run_periodic")

    out = capsys.readouterr().out
    assert all(f"{name}: done" in out for name in app.conf.beat_schedule)


def test_run_periodic_refuses_an_unknown_job():
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("run_periodic", "nope")
