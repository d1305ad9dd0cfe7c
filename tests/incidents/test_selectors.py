"""The incident read side on the real database: the figures a page shows (phase, downtime, cost,
durations) and the queries they take."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from incidents import selectors, services
from incidents.models import EventKind, Incident
from incidents.phases import Phase
from tests.incidents.helpers import STEP, events

pytestmark = pytest.mark.django_db


def figures(incident: Incident) -> selectors.IncidentFigures:
    return selectors.incident_figures(selectors.incident_get(incident_id=incident.pk))


def test_figures_loaded_incident_needs_no_query(incident, django_assert_num_queries):
    loaded = selectors.incident_get(incident_id=incident.pk)

    with django_assert_num_queries(0):
        selectors.incident_figures(loaded)


def test_figures_active_unrecovered_incident_counts_cost_up_to_now(incident):
    result = figures(incident)

    assert result.current_phase == Phase.EVALUATE
    assert result.recovering
    assert result.downtime >= timedelta(hours=2)
    assert result.estimated_cost >= Decimal("120000.00")  # 60,000/h for at least two hours


def test_figures_resolved_incident_costs_downtime_to_recovery(resolved):
    result = figures(resolved)

    assert result.current_phase is None
    assert not result.recovering
    assert result.downtime == 3 * STEP  # started = detected -> evaluated -> responded -> recovered
    assert result.estimated_cost == Decimal("30000.00")  # 60,000/h for 30 minutes
    assert result.durations.total == 4 * STEP


def test_figures_false_alarm_costs_nothing(incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Test page")

    result = figures(incident)

    assert result.estimated_cost == Decimal("0.00")
    assert result.downtime == timedelta(0)
    assert not result.recovering


def test_figures_false_alarm_durations_stop_at_closing_time(incident, user):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Test page")
    closed_at = events(incident, EventKind.FALSE_ALARM)[0].occurred_at

    result = figures(incident)

    assert result.durations.total == pytest.approx(closed_at - incident.started_at, abs=timedelta(seconds=1))
    evaluate = result.durations.spans[1]
    assert evaluate.running
    assert evaluate.duration == pytest.approx(closed_at - incident.detected_at, abs=timedelta(seconds=1))


def test_figures_false_alarm_edited_after_closing_keeps_durations_at_closing_time(
    incident, user, monkeypatch
):
    services.incident_mark_false_alarm(incident_id=incident.pk, actor=user, reason="Test page")
    closed_at = events(incident, EventKind.FALSE_ALARM)[0].occurred_at
    next_day = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: next_day)
    services.incident_update(incident_id=incident.pk, actor=user, summary="A synthetic check paged us.")

    result = figures(incident)

    assert result.durations.total == pytest.approx(closed_at - incident.started_at, abs=timedelta(seconds=1))
