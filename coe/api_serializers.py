"""The serializers of the COE REST API (`coe.api`): `...In` parse and validate a request, `...Out` describe
and shape an answer. Module-level with unique names (prefixed where `incidents` or `alerts` already use
the plain one), so the OpenAPI schema has one component per class and no collisions."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_description_list
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from coe import api_selectors, markdown, selectors, services
from coe.models import (
    ActionItem,
    ActionKind,
    ActionStatus,
    Coe,
    CoeState,
    FactorCategory,
    Priority,
    ReviewDecision,
    Section,
)
from coe.sections import SectionKey
from core.api import PageIn, StrictIn
from incidents.api_serializers import TeamRefOut
from incidents.models import Severity, Team

MAX_TEXT = 100_000  # characters: a section's body, and the text the linter reads


class EnumField(serializers.ChoiceField):
    """A choice field over a `TextChoices` whose OpenAPI enum is one component named after it
    (`ActionStatusEnum`), in answers, bodies and filters alike. Field names like `status` and `kind`
    already name incidents' and alerts' choice sets, which the schema would otherwise resolve with
    hashed names (`StatusB7aEnum`) and a warning."""

    def __init__(self, choices_class: type[models.TextChoices], **kwargs):
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


class EnumFieldScheme(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def get_name(self) -> str:
        return f"{self.target.choices_class.__name__}Enum"

    def map_serializer_field(self, auto_schema, direction) -> dict[str, Any]:
        choices = self.target.choices_class
        return {
            "type": "string",
            "enum": list(choices.values),
            "description": build_choice_description_list(choices.choices),
        }


# An http(s) link in the shape Django's URLValidator (which the model's URLField runs) accepts: host labels
# of at most 63 characters, a top-level domain of letters, then anything without whitespace. The schema
# states this subset, so a link it allows is one the API keeps.
LINK_PATTERN = (
    r"^(?:https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::[0-9]{1,5})?(?:[/?#][^\s]*)?)?$"
)


@extend_schema_field({"type": "string", "format": "uri", "maxLength": 200, "pattern": LINK_PATTERN})
class LinkField(serializers.URLField):
    """A tracker link: an http(s) URL, at most 200 characters, or blank."""


# --- Output ------------------------------------------------------------------------------------------


class CoeIncidentOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="INC-<id>")
    title = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    team = TeamRefOut()
    url = serializers.URLField(help_text="The incident's web page.")


class CoeSummaryOut(serializers.Serializer):
    """A COE as listed: its incident, owner, state and due date."""

    id = serializers.IntegerField()
    incident = CoeIncidentOut(help_text="The incident it reviews (one COE per incident).")
    owner = serializers.CharField(help_text="The owner's username.")
    state = serializers.ChoiceField(choices=CoeState.choices)
    due_on = serializers.DateField(
        allow_null=True, help_text="From the severity policy, counted from recovery; null for SEV4."
    )
    overdue = serializers.BooleanField(help_text="Past its due date and not yet sent to review.")
    submitted_at = serializers.DateTimeField(allow_null=True, help_text="Last sent to review.")
    approved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField(help_text="The COE's web page.")


class SectionOut(serializers.Serializer):
    """One of the six sections, with its Markdown rendered to sanitized HTML."""

    key = serializers.ChoiceField(choices=SectionKey.choices)
    title = serializers.CharField(help_text="The question the section answers.")
    body = serializers.CharField(help_text="Markdown.")
    html = serializers.CharField(help_text="The body rendered; scripts, handlers and unsafe links removed.")
    version = serializers.IntegerField(help_text="Bumped by every save; send it back with the next one.")
    written = serializers.BooleanField(help_text="Neither empty nor still the prefilled text.")
    updated_by = serializers.CharField(allow_null=True, help_text="Username of the last writer.")
    updated_at = serializers.DateTimeField()


class RevisionOut(serializers.Serializer):
    """One saved version of a section. History is append-only: a restore adds a revision."""

    version = serializers.IntegerField()
    body = serializers.CharField()
    author = serializers.CharField(source="author.username", allow_null=True, help_text="Username, or null.")
    created_at = serializers.DateTimeField()
    restored_from = serializers.IntegerField(
        allow_null=True, help_text="The version it restored, if it was a restore."
    )


class FactorOut(serializers.Serializer):
    """A contributing factor and its chain of whys."""

    id = serializers.IntegerField()
    statement = serializers.CharField()
    category = serializers.ChoiceField(choices=FactorCategory.choices)
    whys = serializers.ListField(child=serializers.CharField(), help_text="Up to five answers, in order.")
    position = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CoeRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    incident = serializers.CharField(source="incident.reference", help_text="INC-<id>")
    url = serializers.HyperlinkedIdentityField(
        view_name="coe:detail", lookup_url_kwarg="coe_id", help_text="The COE's web page."
    )


class ActionItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    coe = CoeRefOut(help_text="The COE it belongs to.")
    title = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.username", allow_null=True, help_text="Username, or null.")
    due_on = serializers.DateField(allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices)
    kind = EnumField(ActionKind)
    status = EnumField(ActionStatus)
    wont_do_reason = serializers.CharField()
    tracker_url = serializers.CharField(help_text="A link to the ticket, or empty.")
    completed_at = serializers.DateTimeField(allow_null=True, help_text="Stamped when it is marked done.")
    effective = serializers.BooleanField(allow_null=True, help_text="Once done: did it prove effective?")
    overdue = serializers.SerializerMethodField(help_text="Past its due date and still open or in progress.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_overdue(self, item: ActionItem) -> bool:
        return api_selectors.action_item_overdue(item)


class ReviewerOut(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    decision = serializers.ChoiceField(choices=ReviewDecision.choices, help_text="In the current round.")
    comment = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)


class CoeOut(CoeSummaryOut):
    """A COE with its six sections (in document order), factors, action items and reviewers."""

    sections = SectionOut(many=True)
    factors = FactorOut(many=True)
    action_items = ActionItemOut(many=True)
    reviewers = ReviewerOut(many=True)
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="What still keeps it from going to review; empty when it is ready.",
    )


class FindingOut(serializers.Serializer):
    """A phrase that assigns blame to a person rather than describing the system."""

    start = serializers.IntegerField(help_text="Offset of the phrase's first character in the text.")
    end = serializers.IntegerField(help_text="Offset just past its last character (text[start:end]).")
    rule = serializers.CharField(help_text="The rule that matched, stable for programs.")
    severity = serializers.CharField(
        help_text="`blocking` (must be rewritten or dismissed before review) or `warning`."
    )
    message = serializers.CharField()
    suggestion = serializers.CharField(allow_null=True, help_text="A blameless way to say it, if any.")


class LintOut(serializers.Serializer):
    findings = FindingOut(many=True, help_text="In the order they occur in the text.")


def _web_url(request: Request, name: str, object_id: int) -> str:
    return request.build_absolute_uri(reverse(name, args=[object_id]))


def section_data(section: Section, *, html: str | None = None, written: bool | None = None) -> dict:
    return {
        "key": section.key,
        "title": SectionKey(section.key).label,
        "body": section.body,
        "html": markdown.render(section.body) if html is None else html,
        "version": section.version,
        "written": services.section_written(section) if written is None else written,
        "updated_by": section.updated_by.username if section.updated_by else None,
        "updated_at": section.updated_at,
    }


def _summary(coe: Coe, request: Request) -> dict[str, Any]:
    incident = coe.incident
    return {
        "id": coe.pk,
        "incident": {
            "id": incident.pk,
            "reference": incident.reference,
            "title": incident.title,
            "severity": incident.severity,
            "team": incident.team,
            "url": _web_url(request, "incidents:detail", incident.pk),
        },
        "owner": coe.owner.username,
        "overdue": services.coe_overdue(coe),
        "url": _web_url(request, "coe:detail", coe.pk),
        **{
            field: getattr(coe, field)
            for field in ("state", "due_on", "submitted_at", "approved_at", "created_at", "updated_at")
        },
    }


def coe_summary_data(coes: list[Coe], request: Request) -> list[dict[str, Any]]:
    """COEs loaded by `api_selectors.coe_list`, as JSON."""
    return CoeSummaryOut([_summary(coe, request) for coe in coes], many=True).data


def coe_data(coe: Coe, request: Request) -> dict[str, Any]:
    """A COE loaded by `selectors.coe_get` (everything prefetched), as JSON."""
    payload = {
        **_summary(coe, request),
        "sections": [
            section_data(view.section, html=view.html, written=view.written)
            for view in selectors.coe_sections(coe)
        ],
        "factors": list(coe.factors.all()),
        "action_items": list(coe.action_items.all()),
        "reviewers": list(coe.reviewers.all()),
        "problems": services.submission_problems(coe),
    }
    return CoeOut(payload, context={"request": request}).data


# --- Input -------------------------------------------------------------------------------------------


def _user_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True), **kwargs
    )


def _text_field(help_text: str, **kwargs) -> serializers.CharField:
    """Kept exactly as sent: leading spaces and blank lines are Markdown, and offsets must match."""
    return serializers.CharField(trim_whitespace=False, help_text=help_text, **kwargs)


class CoeStartIn(StrictIn):
    owner = _user_field(
        required=False,
        allow_null=True,
        help_text="Username of the person who drives the COE; default the incident's commander, or you.",
    )


class NoBodyIn(StrictIn):
    """No fields: a field sent anyway is a 400 naming it, rather than silently ignored."""


class CoeListIn(PageIn):
    state = serializers.ChoiceField(choices=CoeState.choices, required=False, allow_blank=True)


class SectionSaveIn(StrictIn):
    body = _text_field("Markdown, at most 100,000 characters.", allow_blank=True, max_length=MAX_TEXT)
    version = serializers.IntegerField(
        min_value=1,
        help_text="The version you started from. If someone saved since, nothing is saved: 409 "
        "stale_section with their text in `extra.current_body` and `extra.current_version`.",
    )


class FactorIn(StrictIn):
    statement = serializers.CharField(max_length=500)
    category = serializers.ChoiceField(choices=FactorCategory.choices)
    whys = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True),
        max_length=services.MAX_WHYS,
        required=False,
        help_text="Why did it happen, and why was that possible? Up to five answers, in order; blank "
        "ones are dropped.",
    )


class FactorUpdateIn(FactorIn):
    """The fields to change; those left out stay as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ActionItemIn(StrictIn):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    owner = _user_field(required=False, allow_null=True, help_text="Username of the person who does it.")
    due_on = serializers.DateField(required=False, allow_null=True, help_text="YYYY-MM-DD.")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    kind = EnumField(
        ActionKind,
        required=False,
        help_text="Default prevent; review needs one prevent item.",
    )
    status = EnumField(
        ActionStatus,
        required=False,
        help_text="Done stamps `completed_at`; won't do needs `wont_do_reason`.",
    )
    wont_do_reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    tracker_url = LinkField(required=False, allow_blank=True, max_length=200)
    effective = serializers.BooleanField(
        required=False, allow_null=True, help_text="Once done: did it prove effective?"
    )


class ActionItemUpdateIn(ActionItemIn):
    """The fields to change; those left out stay as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ActionItemListIn(PageIn):
    mine = serializers.BooleanField(required=False, help_text="Only the items you own.")
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        allow_null=True,
        help_text="Only the items of this username.",
    )
    team = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
        help_text="A team's slug: the items of COEs about its incidents.",
    )
    status = EnumField(ActionStatus, required=False, allow_blank=True)
    overdue = serializers.BooleanField(
        required=False, help_text="Only the items past their due date and still open or in progress."
    )


class CoeSubmitIn(StrictIn):
    reviewers = _user_field(
        many=True, required=False, help_text="Usernames of the reviewers; at least one is needed."
    )


class CoeReviewIn(StrictIn):
    decision = serializers.ChoiceField(
        choices=[(d.value, d.label) for d in (ReviewDecision.APPROVED, ReviewDecision.CHANGES_REQUESTED)]
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=10_000, help_text="Required to request changes."
    )


class CoeReopenIn(StrictIn):
    reason = serializers.CharField(max_length=1000)


class LintIn(StrictIn):
    text = _text_field(
        "Markdown or plain text, at most 100,000 characters.", allow_blank=True, max_length=MAX_TEXT
    )
