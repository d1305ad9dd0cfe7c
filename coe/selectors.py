"""Reads of COE documents, shaped for the page (a fixed number of queries whatever their size)."""

from dataclasses import dataclass

from django.db.models import F, Prefetch
from django.utils import timezone

from coe import markdown
from coe.models import ActionItem, ActionStatus, Coe, Reviewer, Section
from coe.sections import GUIDANCE, SectionKey


@dataclass(frozen=True)
class SectionView:
    section: Section
    key: SectionKey
    html: str
    guidance: object
    written: bool


def coe_get(*, coe_id: int) -> Coe | None:
    return (
        Coe.objects.select_related("incident", "incident__team", "owner")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.select_related("updated_by")),
            "factors",
            Prefetch("action_items", queryset=ActionItem.objects.select_related("owner")),
            Prefetch("reviewers", queryset=Reviewer.objects.select_related("user")),
        )
        .filter(pk=coe_id)
        .first()
    )


def coe_sections(coe: Coe) -> list[SectionView]:
    """The six sections in document order, rendered (sanitized)."""
    from coe import services

    by_key = {section.key: section for section in coe.sections.all()}
    views = []
    for key in SectionKey:
        section = by_key[key]
        views.append(
            SectionView(
                section=section,
                key=key,
                html=markdown.render(section.body),
                guidance=GUIDANCE[key],
                written=services.section_written(section),
            )
        )
    return views


def action_item_list(*, user=None, team: str = "", status: str = "", overdue: bool = False):
    """Action items across COEs, soonest due first (no due date last), with what a row shows loaded."""
    items = ActionItem.objects.select_related("owner", "coe__incident", "coe__incident__team")
    if user is not None:
        items = items.filter(owner=user)
    if team:
        items = items.filter(coe__incident__team__slug=team)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.filter(
            due_on__lt=timezone.localdate(), status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
        )
    return items.order_by(F("due_on").asc(nulls_last=True), "id")
