"""Forms validate only; the views pass what they cleaned to the services."""

from django import forms

from incidents.models import Team
from notifications.models import Channel, MessageState, MessageTopic, Topic, WebhookEvent, WebhookFormat


class PreferencesForm(forms.Form):
    """Two checkboxes per topic (email, in app), and the teams whose digest to receive."""

    digest_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Weekly digests",
        help_text="Each Monday morning, by email: last week's incidents, MTTD and time to recover, "
        "COEs due and overdue action items of each team you pick.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for topic in Topic:
            self.fields[f"{topic.value}__email"] = forms.BooleanField(
                required=False, label=f"{topic.label}: email"
            )
            self.fields[f"{topic.value}__in_app"] = forms.BooleanField(
                required=False, label=f"{topic.label}: in the app"
            )

    def rows(self):
        """(label, email field, in-app field) per topic, for the template's table."""
        return [
            (topic.label, self[f"{topic.value}__email"], self[f"{topic.value}__in_app"]) for topic in Topic
        ]

    def choices(self) -> dict[str, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            topic.value: (data[f"{topic.value}__email"], data[f"{topic.value}__in_app"]) for topic in Topic
        }


class WebhookForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"))
    name = forms.CharField(max_length=100, help_text="To tell it apart, e.g. “#payments-incidents”.")
    url = forms.URLField(
        max_length=500,
        label="URL",
        assume_scheme="https",
        help_text="Where to POST: a Slack incoming webhook, or your own receiver.",
    )
    format = forms.ChoiceField(choices=WebhookFormat.choices, initial=WebhookFormat.SLACK)
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What it hears about.",
    )
    secret = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Optional: bodies are then signed (HMAC-SHA256). Leave empty to keep the current one.",
    )
    generate_secret = forms.BooleanField(
        required=False, label="Generate a secret", help_text="A random secret, shown once after saving."
    )
    clear_secret = forms.BooleanField(required=False, label="Remove the secret (stop signing)")


class DigestAddressForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.order_by("name"))
    email = forms.EmailField(
        label="Mailing address", help_text="A list that receives the team's weekly digest."
    )


class OutboxFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "Any state"), *MessageState.choices], required=False)
    channel = forms.ChoiceField(choices=[("", "Any channel"), *Channel.choices], required=False)
    topic = forms.ChoiceField(choices=[("", "Anything"), *MessageTopic.choices], required=False)
