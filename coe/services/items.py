"""Every write to a COE's action items: adding them, changing them, and following them through once
the COE is approved (only their status then)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from coe.models import ActionItem, ActionStatus, CoeEventKind
from coe.services import _common, documents
from core import errors

# What may change on an approved COE's action items: following them through, not the document.
FOLLOW_THROUGH_FIELDS = {"status", "wont_do_reason", "effective"}


@transaction.atomic
def action_item_save(*, coe_id: int, actor, item_id: int | None = None, **fields: Any) -> ActionItem:
    """Add or change an action item. Done stamps its completion time; won't do needs a reason. Once
    the COE is approved only its status changes (FOLLOW_THROUGH_FIELDS); anything else is a 409."""
    allowed = {"title", "description", "owner", "due_on", "priority", "kind", "status", "wont_do_reason",
               "tracker_url", "effective"}  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise errors.ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    coe = _common.locked_coe(coe_id)
    if not documents.coe_can_edit(coe) and (item_id is None or set(fields) - FOLLOW_THROUGH_FIELDS):
        raise errors.Conflict(
            "This COE is approved: only an action item's status can change. Reopen it to add or edit items.",
            code="coe_approved",
            extra={"state": coe.state},
        )
    item = ActionItem(coe=coe) if item_id is None else ActionItem.objects.filter(coe=coe, pk=item_id).first()
    if item is None:
        raise errors.NotFound(f"Action item {item_id} does not exist.", extra={"item_id": item_id})
    completed_before = item.completed_at
    for name, value in fields.items():
        setattr(item, name, value)
    item.title = (item.title or "").strip()
    if not item.title:
        raise errors.ValidationFailed("An action item needs a title.", extra={"field": "title"})
    if item.status == ActionStatus.WONT_DO and not item.wont_do_reason.strip():
        raise errors.ValidationFailed("Say why it won't be done.", extra={"field": "wont_do_reason"})
    if item.status == ActionStatus.DONE:
        item.completed_at = item.completed_at or timezone.now()
    else:
        item.completed_at = None
        item.effective = None
    try:
        item.full_clean(exclude=["coe", "owner"], validate_constraints=False)
    except ValidationError as exc:
        name, problems = next(iter(exc.message_dict.items()))
        raise errors.ValidationFailed(
            f"{name}: {problems[0]}", extra={"field": name, "fields": exc.message_dict}
        ) from exc
    item.save()
    # The weekly metrics count items created, completed and overdue: the weeks it touches change.
    _common.event(
        coe,
        CoeEventKind.ACTION_ITEM_SAVED,
        actor=actor,
        item=item.pk,
        weeks=[item.created_at, completed_before, item.completed_at, timezone.now()],
    )
    return item
