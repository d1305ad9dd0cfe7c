from django import forms

from alerts.models import Kind
from incidents.models import Severity, Team


class IntegrationForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Kind.choices)
    team = forms.ModelChoiceField(queryset=Team.objects.all())
    default_severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.SEV3)
    severity_label = forms.CharField(
        max_length=100, initial="severity", help_text="The label or tag whose value picks the severity."
    )
    service_label = forms.CharField(
        max_length=100,
        initial="service",
        help_text="The label or tag whose value names the affected service.",
    )
    hmac_secret = forms.CharField(
        max_length=200,
        required=False,
        help_text="Grafana only: the webhook's HMAC secret; signatures are then required and verified.",
    )
    verify_sns_signatures = forms.BooleanField(
        required=False,
        initial=True,
        help_text="CloudWatch only. Leave on: without it anyone who knows the URL can forge alarms.",
    )
    rate_limit_per_minute = forms.IntegerField(min_value=1, max_value=1_000_000, initial=6000)
