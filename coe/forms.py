from django import forms

from coe.models import COMMENT_MAX_LENGTH, ActionKind, ActionStatus, FactorCategory, Priority
from core import forms as core_forms


def _users():
    return core_forms.active_users()


class SectionForm(forms.Form):
    body = forms.CharField(required=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 10}))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class FactorForm(forms.Form):
    statement = forms.CharField(max_length=500)
    category = forms.ChoiceField(choices=FactorCategory.choices)
    whys = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One answer per line, up to five: why did it happen? And why was that possible?",
    )

    def clean_whys(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["whys"].splitlines() if line.strip()]


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = core_forms.UserChoiceField(queryset=_users(), required=False)
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.MEDIUM)
    kind = forms.ChoiceField(choices=ActionKind.choices, initial=ActionKind.PREVENT)
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.OPEN)
    wont_do_reason = forms.CharField(required=False, max_length=1000, label="Reason, if it won't be done")
    tracker_url = forms.URLField(required=False, assume_scheme="https", label="Tracker URL")


class SubmitForm(forms.Form):
    """The reviewers to send the COE to: anyone active but its owner (who cannot review their own)."""

    reviewers = core_forms.UserMultipleChoiceField(queryset=_users(), required=False)

    def __init__(self, *args, owner_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_id is not None:
            self.fields["reviewers"].queryset = _users().exclude(pk=owner_id)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approved", "Approve"), ("changes_requested", "Request changes")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Why reopen it", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ActionItemFilterForm(forms.Form):
    mine = forms.BooleanField(required=False, label="Mine")
    team = forms.SlugField(required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *ActionStatus.choices], required=False)
    overdue = forms.BooleanField(required=False, label="Overdue")


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    wont_do_reason = forms.CharField(required=False, max_length=1000)
    effective = forms.NullBooleanField(required=False)


class DismissFindingForm(forms.Form):
    section = forms.CharField(max_length=30)
    rule = forms.CharField(max_length=40)
    words = forms.CharField(max_length=500)
    reason = forms.CharField(max_length=1000)


class CommentForm(forms.Form):
    """The body is checked by `coe.services.comments.comment_add` (required, at most 5,000 characters), so the
    page and the API say the same thing; here it is only bounded, so a huge post is refused early."""

    body = forms.CharField(required=False, max_length=COMMENT_MAX_LENGTH * 2, strip=False)
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
