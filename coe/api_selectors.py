"""Reads the COE API needs beyond `coe.selectors`: the COE list, and single rows for the answers of
writes.

Every list is one query for its page whatever its length: the rows carry what their serializer reads
through `select_related`, never a query per row.
"""

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from coe import selectors, states
from coe.models import ActionItem, Coe, ContributingFactor, Revision, Section


def coe_exists(*, coe_id: int) -> bool:
    return Coe.objects.filter(pk=coe_id).exists()


def coe_list(*, state: str = "") -> QuerySet[Coe]:
    """Newest first, each with its incident, the incident's team and the owner."""
    queryset = Coe.objects.select_related("incident", "incident__team", "owner").order_by(
        "-created_at", "-pk"
    )
    return queryset.filter(state=state) if state else queryset


def section_get(*, coe_id: int, key: str) -> Section | None:
    return Section.objects.select_related("updated_by").filter(coe_id=coe_id, key=key).first()


def revision_list(*, section: Section) -> QuerySet[Revision]:
    """Newest first."""
    return Revision.objects.filter(section=section).select_related("author").order_by("-version")


def factor_get(*, coe_id: int, factor_id: int) -> ContributingFactor | None:
    return ContributingFactor.objects.filter(coe_id=coe_id, pk=factor_id).first()


def action_item_overdue(item: ActionItem, *, today: date | None = None) -> bool:
    """`coe.states.action_item_overdue` as of today in the current time zone."""
    return states.action_item_overdue(item, today=today or timezone.localdate())


def action_item_get(*, item_id: int) -> ActionItem | None:
    """One action item, loaded like the rows of `selectors.action_item_list`."""
    return selectors.action_item_list().filter(pk=item_id).first()


def action_item_coe_id(*, item_id: int) -> int | None:
    return ActionItem.objects.filter(pk=item_id).values_list("coe_id", flat=True).first()
