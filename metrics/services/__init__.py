"""Every write to the metrics tables (`recompute`), and when it happens (`schedule`).

Import the package, as the rest of the project does (`from metrics import services`); the names below
are its whole interface.
"""

from metrics.services.recompute import (
    HistoryResult,
    RecentResult,
    history_recompute,
    incident_metric_refresh,
    recent_weeks_recompute,
    reporting_zone,
    week_pending_recompute,
    week_recompute,
)
from metrics.services.schedule import (
    PENDING_KEY,
    current_week,
    week_changed,
    week_changed_on_commit,
)

__all__ = [
    "PENDING_KEY",
    "HistoryResult",
    "RecentResult",
    "current_week",
    "history_recompute",
    "incident_metric_refresh",
    "recent_weeks_recompute",
    "reporting_zone",
    "week_changed",
    "week_changed_on_commit",
    "week_pending_recompute",
    "week_recompute",
]
