"""What the COE services share: the COE's row lock and the event each change appends."""

from typing import Any

from coe import events
from coe.models import Coe
from core import errors


def locked_coe(coe_id: int) -> Coe:
    """The COE with its row locked for this transaction (NotFound if there is none)."""
    try:
        return Coe.objects.select_for_update().select_related("incident").get(pk=coe_id)
    except Coe.DoesNotExist:
        raise errors.NotFound(f"COE {coe_id} does not exist.", extra={"coe_id": coe_id}) from None


def event(coe: Coe, kind: str, *, actor, body: str = "", **data: Any) -> None:
    events.append(coe, kind, actor=actor, body=body, **data)
