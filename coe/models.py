from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from coe.sections import SectionKey
from coe.states import ActionStatus, CoeState  # declared with the workflow; imported from here too
from core.models import BaseModel
from incidents.models import Incident


class Coe(BaseModel):
    """One Correction of Errors document per incident."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="coe")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_coes")
    state = models.CharField(max_length=10, choices=CoeState.choices, default=CoeState.DRAFT)
    due_on = models.DateField(null=True, blank=True, help_text="From the severity policy; none for SEV4.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The weekly review's contributing factors read the COEs approved in a run of weeks.
        indexes = [models.Index(fields=["approved_at"], name="coe_approved_at_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CoeState.values), name="coe_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=CoeState.APPROVED) | Q(approved_at__isnull=False),
                name="coe_approved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"COE for {self.incident.reference}"


class Section(BaseModel):
    """The current text of one of the six sections. Every save bumps `version` and adds a Revision."""

    coe = models.ForeignKey(Coe, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=30, choices=SectionKey.choices)
    body = models.TextField(blank=True)
    prefill = models.TextField(
        blank=True, help_text="The text it was started with (unchanged means unwritten)."
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coe", "key"], name="section_one_per_key"),
            models.CheckConstraint(condition=Q(key__in=SectionKey.values), name="section_key_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} (v{self.version})"


class Revision(models.Model):
    """Append-only history of a section: one row per saved version."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["section", "version"], name="revision_one_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.section} v{self.version}"


class FactorCategory(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    PROCESS = "process", "Process"
    TOOLING = "tooling", "Tooling"
    MONITORING = "monitoring", "Monitoring"
    ORGANIZATIONAL = "organizational", "Organizational"
    EXTERNAL = "external", "External"


class ContributingFactor(BaseModel):
    """A structured contributing factor: a statement and a chain of up to five "why?" answers."""

    coe = models.ForeignKey(Coe, on_delete=models.CASCADE, related_name="factors")
    statement = models.CharField(max_length=500)
    category = models.CharField(max_length=20, choices=FactorCategory.choices)
    whys = models.JSONField(default=list, blank=True, help_text="Up to five answers, in order.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=FactorCategory.values), name="factor_category_valid"
            )
        ]

    def __str__(self) -> str:
        return self.statement


class ActionKind(models.TextChoices):
    PREVENT = "prevent", "Prevent"
    DETECT = "detect", "Detect"
    MITIGATE = "mitigate", "Mitigate"
    PROCESS = "process", "Process"


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ActionItem(BaseModel):
    coe = models.ForeignKey(Coe, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    due_on = models.DateField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    kind = models.CharField(max_length=10, choices=ActionKind.choices, default=ActionKind.PREVENT)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    wont_do_reason = models.TextField(blank=True)
    tracker_url = models.URLField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    effective = models.BooleanField(
        null=True, blank=True, help_text="After it is done: did it prove effective?"
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="action_item_due_idx"),
            # The action-item list's order (due_on ASC NULLS LAST, id): a page is an index range.
            models.Index(fields=["due_on", "id"], name="action_item_list_idx"),
            # The weekly recompute counts the items completed in a week.
            models.Index(fields=["completed_at"], name="action_item_completed_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ActionKind.values), name="action_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.WONT_DO) | ~Q(wont_do_reason=""),
                name="action_wont_do_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(completed_at__isnull=False),
                name="action_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReviewDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Reviewer(BaseModel):
    """A named reviewer of a COE and their decision for the current review round."""

    coe = models.ForeignKey(Coe, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coe_reviews")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices, default=ReviewDecision.PENDING)
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coe", "user"], name="reviewer_once_per_coe")]

    def __str__(self) -> str:
        return f"{self.user} on {self.coe}"


class CoeEventKind(models.TextChoices):
    STARTED = "started", "Started"
    SUBMITTED = "submitted", "Submitted for review"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REOPENED = "reopened", "Reopened"
    FINDING_DISMISSED = "finding_dismissed", "Language finding dismissed"
    ACTION_ITEM_SAVED = "action_item_saved", "Action item added or changed"
    COMMENTED = "commented", "Commented"


class CoeEvent(models.Model):
    """Append-only history of the review workflow (who did what, when, and why)."""

    coe = models.ForeignKey(Coe, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=CoeEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.coe_id}"


COMMENT_MAX_LENGTH = 5_000


class Comment(BaseModel):
    """A comment on one section. A thread is a top-level comment (`parent` null) and its replies: one
    level only, a reply to a reply joins its thread (`coe.services.comments.comment_add`), so `parent` always
    names a top-level comment in the same section (the service holds that; it spans rows).

    Resolution belongs to the thread and is stored on its top comment; a reply is never resolved itself.
    Comments are never deleted or edited: a thread is resolved, and reopened if the talk goes on.
    """

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coe_comments"
    )
    body = models.TextField(help_text=f"Markdown, at most {COMMENT_MAX_LENGTH:,} characters.")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), COMMENT_MAX_LENGTH), name="comment_body_max_length"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                name="comment_only_threads_resolve",
            ),
            models.CheckConstraint(
                condition=Q(resolved_by__isnull=True) | Q(resolved_at__isnull=False),
                name="comment_resolver_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.section_id}"
