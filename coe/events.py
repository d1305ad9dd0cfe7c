"""The COE history, the COE's published log: every change that other apps react to appends here, in
the change's transaction, and rings the doorbell; the consumers (metrics, notifications) pull it.
The COE app imports none of them: what they need travels in the event's payload.

- `weeks`: the moments whose reporting weeks the change touches (a due date, an approval, an action
  item's creation and completion), so the metrics consumer recomputes those weeks;
- `reviewer_ids` on a submission: whom to ask for a review;
- `mentioned_ids` on a comment: whom it mentions (active users, never the author).
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from coe.models import Coe, CoeEvent
from core import doorbell

LOG = "coe.CoeEvent"


def append(
    coe: Coe, kind: str, *, actor, body: str = "", weeks: Iterable[date | datetime | None] = (), **data: Any
) -> CoeEvent:
    moments = sorted({moment.isoformat() for moment in weeks if moment is not None})
    if moments:
        data["weeks"] = moments
    event = CoeEvent.objects.create(coe=coe, kind=kind, actor=actor, body=body, data=data)
    doorbell.ring(LOG)
    return event
