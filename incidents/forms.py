"""Forms validate and convert what a person typed; they never save. Views hand the cleaned data to
`incidents.services`, whose errors are put back next to the field they concern."""

from django import forms

from core import forms as core_forms
from incidents.models import SEVERITY_MEANINGS, Service, Severity, Status, Team
from incidents.phases import ORDER, STAMP_FIELDS, STAMP_LABELS, Phase

DATETIME_LOCAL_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",  # exact times in hidden inputs ("mark recovered when the alerts ended")
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def datetime_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateTimeField:
    """A time typed in the user's own zone (the active one), converted to an aware datetime."""
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATETIME_LOCAL_FORMATS,
        widget=DateTimeLocalInput(),
    )


class BlastRadiusField(forms.CharField):
    """Regions or cells, comma-separated in the form, a list in the model."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]


def _severity_choices():
    return [(value, f"{label}: {SEVERITY_MEANINGS[value]}") for value, label in Severity.choices]


class IncidentFieldsForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    severity = forms.ChoiceField(choices=_severity_choices, initial=Severity.SEV3, widget=forms.RadioSelect)
    team = forms.ModelChoiceField(queryset=Team.objects.all())
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.select_related("team"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Affected services: their cost per hour feeds the downtime cost estimate.",
    )
    commander = core_forms.UserChoiceField(
        queryset=core_forms.active_users(),
        required=False,
        help_text="The person driving the response.",
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    customer_impact = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What customers see or cannot do.",
    )
    customers_affected = forms.IntegerField(min_value=0, required=False, help_text="Optional estimate.")
    blast_radius = BlastRadiusField(
        required=False,
        max_length=1000,
        help_text="Regions or cells, comma-separated (e.g. eu-west-1, cell-3).",
    )


class IncidentDeclareForm(IncidentFieldsForm):
    detected_at = datetime_field("Detected at", help_text="Leave empty for now.")
    started_at = datetime_field(
        "Impact started at", help_text="Leave empty if impact began when it was detected."
    )


class IncidentEditForm(IncidentFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AdvanceForm(forms.Form):
    expected_phase = forms.ChoiceField(choices=Phase.choices, widget=forms.HiddenInput)
    through = forms.ChoiceField(choices=[("", "—"), *Phase.choices], required=False)
    at = datetime_field("When", help_text="Leave empty for now; set an earlier time to backfill.")


class CorrectStampForm(forms.Form):
    """The "Correct a time" dialog: the time is typed in the viewer's zone (the active one) and
    converted to an aware instant; a time that zone skips or repeats (a DST change) is refused."""

    field = forms.ChoiceField(
        label="Which time", choices=[(field, STAMP_LABELS[field].capitalize()) for field in STAMP_FIELDS]
    )
    value = datetime_field("Corrected time", required=True)
    reason = forms.CharField(label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(forms.Form):
    to_phase = forms.ChoiceField(choices=[(p.value, p.label) for p in ORDER], required=False)
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class FalseAlarmForm(forms.Form):
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    body = forms.CharField(
        max_length=10_000, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Add a note…"})
    )


class IncidentFilterForm(forms.Form):
    """The list filters; an unknown value is an error shown above the list, not a crash."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    phase = forms.ChoiceField(choices=[("", "Any phase"), *Phase.choices], required=False)
    severity = forms.ChoiceField(choices=[("", "Any severity"), *Severity.choices], required=False)
    team = forms.ChoiceField(required=False)
    service = forms.ChoiceField(required=False)

    def __init__(self, *args, teams=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Any team"), *[(t.slug, t.name) for t in teams]]
        self.fields["service"].choices = [("", "Any service"), *[(s.slug, s.name) for s in services]]
