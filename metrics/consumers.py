"""The metrics app's consumers of the published event logs (core.consumers).

The incidents and COE apps only append to their logs; these handlers pull the events in batches and
refresh what the figures derive from them, in the consumer's transaction (so a refresh and the cursor
that says it happened commit together):
- every incident timeline event refreshes that incident's row (one statement for the whole batch),
  which asks for a recompute of the week(s) it falls in;
- every COE event asks for a recompute of the weeks its dates fall in (the week the COE is due,
  approved, or the action item was created, completed or is due), as the event's payload says.
Week recomputes stay debounced (services.schedule): a burst of events makes one recompute per week.
"""

from collections.abc import Sequence
from datetime import date, datetime

from core import consumers
from metrics.services import recompute, schedule


def incident_events(events: Sequence) -> None:
    recompute.incidents_metric_refresh(incident_ids=sorted({event.incident_id for event in events}))


def coe_events(events: Sequence) -> None:
    """The weeks the batch's events name, each asked for once."""
    moments = {_moment(value) for event in events for value in (event.data or {}).get("weeks", [])}
    for week in sorted({schedule.week_containing(moment) for moment in moments}):
        schedule.week_on_commit(week)


def _moment(value: str) -> date | datetime:
    """An ISO date (a calendar day in the reporting zone, e.g. a due date) or an aware instant."""
    return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)


def register() -> None:
    consumers.register(
        consumers.Consumer(
            name="metrics.incidents", log="incidents.IncidentEvent", handle=incident_events, queue="metrics"
        )
    )
    consumers.register(
        consumers.Consumer(
            name="metrics.coe", log="coe.CoeEvent", handle=coe_events, time_field="at", queue="metrics"
        )
    )
