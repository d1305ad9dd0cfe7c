"""Integration forms. They validate only; the services save (and check everything again).

The severity map and the service rules are edited as rows (a formset each): a label value and the
severity or service it means. Fields that belong to one kind only (Grafana's HMAC secret, CloudWatch's
SNS signature check) are marked with the kinds they belong to (`KIND_ONLY`); the template hides the
others, and `clean()` drops what was typed into them, so a form posted without JS still saves right.
"""

from django import forms

from alerts import routing
from alerts.models import Kind
from alerts.services import integrations
from incidents.models import Service, Severity, Team

KIND_ONLY = {
    "hmac_secret": Kind.GRAFANA,
    "clear_hmac_secret": Kind.GRAFANA,
    "verify_sns_signatures": Kind.CLOUDWATCH,
}
SEVERITY_WORDS = ", ".join(Severity.values)


class IntegrationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    kind = forms.ChoiceField(
        label="Tool",
        choices=[("", "Choose the tool that sends the alerts"), *Kind.choices],
        error_messages={
            "required": "Choose the tool that sends the alerts.",
            "invalid_choice": "Unknown tool %(value)s: choose one of the list.",
        },
    )
    team = forms.ModelChoiceField(
        label="Team",
        queryset=Team.objects.all(),
        help_text="Incidents opened by this integration belong to this team.",
        error_messages={"invalid_choice": "Unknown team: choose one of the list."},
    )
    default_severity = forms.ChoiceField(
        label="Default severity",
        choices=Severity.choices,
        initial=Severity.SEV3,
        help_text="When neither the severity label nor the tool's own severity says otherwise.",
    )
    severity_label = forms.CharField(
        label="Severity label",
        max_length=100,
        initial="severity",
        help_text="The label or tag whose value picks the severity (SEV1-4, P1-5, critical, warning... "
        "are understood; the severity map below wins).",
    )
    service_label = forms.CharField(
        label="Service label",
        max_length=100,
        initial="service",
        help_text="The label or tag whose value names the affected service (its slug, or a value of the "
        "service rules below).",
    )
    hmac_secret = forms.CharField(
        label="HMAC secret",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Grafana only: the contact point's HMAC signature secret. Signatures are then required.",
    )
    verify_sns_signatures = forms.BooleanField(
        label="Verify SNS signatures",
        required=False,
        initial=True,
        help_text="CloudWatch only. Leave on: without it anyone who knows the URL can forge alarms.",
    )
    rate_limit_per_minute = forms.IntegerField(
        label="Rate limit (deliveries per minute)",
        min_value=1,
        max_value=1_000_000,
        initial=6000,
        help_text="Beyond it the tool gets 429 with Retry-After and sends again later.",
    )

    def __init__(self, *args, integration=None, **kwargs):
        self.integration = integration
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["data-kind-switch"] = ""  # static/js/app.js shows its fields
        if integration is not None:  # editing: the kind is fixed, the secret is never shown back
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = "Fixed once created: create another integration for another tool."
            self.fields["hmac_secret"].help_text = (
                "Grafana only. A secret is set: leave blank to keep it."
                if integration.hmac_secret
                else "Grafana only: the contact point's HMAC signature secret. Signatures are then required."
            )
            if integration.hmac_secret:
                self.fields["clear_hmac_secret"] = forms.BooleanField(
                    label="Remove the HMAC secret",
                    required=False,
                    help_text="Signatures are then no longer checked.",
                )

    def chosen_kind(self) -> str:
        """The kind the form is for: the integration's, else the one posted, else none yet."""
        if self.integration is not None:
            return self.integration.kind
        value = self.data.get(self.add_prefix("kind"), "") if self.is_bound else self.initial.get("kind", "")
        return value if value in Kind.values else ""

    def kind_fields(self):
        """(bound field, the kind it belongs to, shown?) for the template."""
        kind = self.chosen_kind()
        for name, only in KIND_ONLY.items():
            if name in self.fields:
                yield self[name], only, not kind or kind == only

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and cleaned.get("team"):  # the service checks again, under its transaction
            exclude_id = self.integration.pk if self.integration is not None else None
            taken = integrations.integration_name_taken(
                name=cleaned["name"], team=cleaned["team"], exclude_id=exclude_id
            )
            if taken:
                self.add_error("name", taken)
        kind = self.chosen_kind()
        for name, only in KIND_ONLY.items():
            if name in cleaned and kind != only:
                cleaned.pop(name)
        if self.integration is not None:
            if cleaned.pop("clear_hmac_secret", False):
                cleaned["hmac_secret"] = ""
            elif not cleaned.get("hmac_secret"):
                cleaned.pop("hmac_secret", None)  # blank keeps the secret
        elif "hmac_secret" in cleaned and kind == Kind.GRAFANA:
            cleaned["hmac_secret"] = cleaned["hmac_secret"].strip()
        return cleaned


class RuleForm(forms.Form):
    """One row: a label value and what it means (the `target` field of the subclass)."""

    value = forms.CharField(label="Label value", max_length=200, required=False)
    target = ""
    needs_target = ""
    needs_value = ""

    def clean(self):
        cleaned = super().clean()
        value, target = cleaned.get("value", ""), cleaned.get(self.target)
        if value and not target and self.target not in self.errors:
            self.add_error(self.target, self.needs_target)
        if target and not value:
            self.add_error("value", self.needs_value)
        return cleaned


class SeverityRuleForm(RuleForm):
    severity = forms.ChoiceField(
        label="Severity",
        choices=[("", "—"), *Severity.choices],
        required=False,
        error_messages={"invalid_choice": f"Unknown severity %(value)s: pick one of {SEVERITY_WORDS}."},
    )
    target = "severity"
    needs_target = "Pick the severity this label value means."
    needs_value = "Enter the label value that means this severity."


class ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.name} ({obj.team.name})"


class ServiceRuleForm(RuleForm):
    service = ServiceChoice(
        label="Service",
        queryset=Service.objects.select_related("team").order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": "Unknown service: pick one of the existing services."},
    )
    target = "service"
    needs_target = "Pick the service this label value names."
    needs_value = "Enter the label value that names this service."


class RuleFormSet(forms.BaseFormSet):
    """Rows of one map. Empty rows are skipped (clearing a row deletes the rule); a value listed twice
    (case and surrounding spaces do not count, as when alerts are matched) is an error on its row."""

    def _construct_form(self, i, **kwargs):
        """Every row shares one list of choices (one query for the services, not one per row)."""
        form = super()._construct_form(i, **kwargs)
        field = form.fields[form.target]
        if isinstance(field, forms.ModelChoiceField):
            if not hasattr(self, "_shared_choices"):
                self._shared_choices = list(field.choices)
            field.choices = self._shared_choices
        return form

    def clean(self):
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            value = form.cleaned_data.get("value", "")
            if not value:
                continue
            folded = routing.fold(value)
            if folded in seen:
                form.add_error("value", f"{value!r} is already listed above (case and spaces do not count).")
            seen.add(folded)

    def as_map(self) -> dict[str, str]:
        rows = {}
        for form in self.forms:
            value, target = form.cleaned_data.get("value", ""), form.cleaned_data.get(form.target)
            if value and target:
                rows[value] = target.slug if isinstance(target, Service) else target
        return rows


def _rules(form_class):
    return forms.formset_factory(
        form_class, formset=RuleFormSet, extra=3, max_num=100, validate_max=True, absolute_max=200
    )


SeverityRuleFormSet = _rules(SeverityRuleForm)
ServiceRuleFormSet = _rules(ServiceRuleForm)


def rule_rows(mapping: dict[str, str], target: str) -> list[dict[str, str]]:
    """A stored map as the formset's initial rows, in alphabetical order (a JSON object in PostgreSQL
    keeps no order of its own)."""
    rows = sorted((mapping or {}).items(), key=lambda row: (routing.fold(row[0]), row[0]))
    return [{"value": value, target: result} for value, result in rows]
