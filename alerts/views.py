"""Integration pages: list, create and edit (severity map and service rules as rows), detail with the
inbound URL, an example sender configuration and the recent deliveries; rotate the key; enable or
disable; send a test alert.

A new key is shown once, on the page the create (or rotate) redirects to: it travels in the
session, never in the URL, and is popped when shown (post/redirect/get, so a reload re-posts nothing).
"""

from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts import forms, services
from alerts.models import Delivery, DeliveryState, Integration, Kind
from alerts.services import integrations as integration_services
from core import errors
from core import forms as core_forms
from incidents.models import Incident

RECENT_DELIVERIES = 50
# While a test alert waits for a worker, its panel asks again every second, this many times.
TEST_POLLS = 20


def _new_key_slot(integration_id: int) -> str:
    return f"alerts:new-key:{integration_id}"


def integration_list(request: HttpRequest) -> HttpResponse:
    integrations = (
        Integration.objects.select_related("team")
        .annotate(
            last_delivery_at=Max("deliveries__received_at"),
            failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
            pending=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        )
        .order_by("name")
    )
    return render(request, "alerts/integration_list.html", {"integrations": integrations})


def _forms(request: HttpRequest, integration: Integration | None = None):
    data = request.POST if request.method == "POST" else None
    if integration is None:
        form = forms.IntegrationForm(data)
        severity_rows, service_rows = [], []
    else:
        form = forms.IntegrationForm(
            data,
            integration=integration,
            initial={
                "name": integration.name,
                "kind": integration.kind,
                "team": integration.team_id,
                "default_severity": integration.default_severity,
                "severity_label": integration.severity_label,
                "service_label": integration.service_label,
                "verify_sns_signatures": integration.verify_sns_signatures,
                "rate_limit_per_minute": integration.rate_limit_per_minute,
            },
        )
        severity_rows = forms.rule_rows(integration.severity_map, "severity")
        service_rows = forms.rule_rows(integration.service_map, "service")
    return (
        form,
        _rules(forms.SeverityRuleFormSet, data, severity_rows),
        _rules(forms.ServiceRuleFormSet, data, service_rows),
    )


def _rules(formset_class, data, rows):
    """A map's rows; a post without them at all (a script, not the page) leaves the map as it is."""
    prefix = formset_class.form.target
    if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
        data = None
    return formset_class(data, initial=rows, prefix=prefix)


def _apply_error(exc: errors.ApplicationError, form, context: dict) -> None:
    """A service's refusal, beside the field it names (maps: above their rows)."""
    field = exc.extra.get("field")
    if field in ("severity_map", "service_map"):
        context[f"{field}_error"] = exc.message
    else:
        core_forms.add_service_error(form, exc)


def _edit(request: HttpRequest, integration: Integration | None) -> HttpResponse:
    form, severity, service = _forms(request, integration)
    context = {"form": form, "severity_rules": severity, "service_rules": service, "integration": integration}
    status = 200
    if request.method == "POST":
        status = 400
        rules = {"severity_map": severity, "service_map": service}
        rules = {name: rows for name, rows in rules.items() if rows.is_bound}
        valid = all(
            [form.is_valid(), *(rows.is_valid() for rows in rules.values())]
        )  # all: every error shows
        if valid:
            fields = {**form.cleaned_data, **{name: rows.as_map() for name, rows in rules.items()}}
            try:
                if integration is None:
                    created, key = services.integration_create(actor=request.user, **fields)
                    request.session[_new_key_slot(created.pk)] = key
                    return redirect("alerts:integration_detail", integration_id=created.pk)
                fields.pop("kind", None)
                services.integration_update(integration_id=integration.pk, actor=request.user, **fields)
                return redirect("alerts:integration_detail", integration_id=integration.pk)
            except errors.ApplicationError as exc:
                _apply_error(exc, form, context)
                status = exc.status
    return render(request, "alerts/integration_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def integration_create(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
def integration_edit(request: HttpRequest, integration_id: int) -> HttpResponse:
    return _edit(request, _integration_or_404(integration_id))


def _integration_or_404(integration_id: int) -> Integration:
    integration = Integration.objects.select_related("team").filter(pk=integration_id).first()
    if integration is None:
        raise Http404(f"Integration {integration_id} does not exist.")
    return integration


def _test_result(integration: Integration, delivery_id: int | None, poll: int = 0) -> dict | None:
    """What became of a test alert's delivery: its state and the incidents it opened or joined."""
    if delivery_id is None:
        return None
    delivery = Delivery.objects.filter(pk=delivery_id, integration=integration).first()
    if delivery is None:
        return None
    incident_ids = (delivery.outcome or {}).get("incidents") or []
    incidents = list(Incident.objects.filter(pk__in=incident_ids).order_by("pk")) if incident_ids else []
    pending = delivery.state == DeliveryState.PENDING
    return {
        "delivery": delivery,
        "incidents": incidents,
        "opened": bool((delivery.outcome or {}).get("actions", {}).get("created")),
        "pending": pending,
        "poll": poll + 1,
        "keep_polling": pending and poll < TEST_POLLS,
    }


def _detail(request: HttpRequest, integration: Integration, **extra) -> HttpResponse:
    new_key = request.session.pop(_new_key_slot(integration.pk), "")
    key_shown = new_key or "YOUR-KEY"
    hook_path = f"{reverse('alerts:hook_bearer')}{key_shown}/"
    try:
        test_id = int(request.GET.get("test", ""))
    except ValueError:
        test_id = None
    context = {
        "integration": integration,
        "new_key": new_key,
        "hook_url": request.build_absolute_uri(hook_path),
        "bearer_url": request.build_absolute_uri(reverse("alerts:hook_bearer")),
        "enqueue_url": request.build_absolute_uri(reverse("alerts:pagerduty_enqueue")),
        "key_shown": key_shown,
        "deliveries": Delivery.objects.filter(integration=integration).order_by("-id")[:RECENT_DELIVERIES],
        "kinds": Kind,
        "test": _test_result(integration, test_id),
        "test_refusal": integration_services.test_alert_refusal(integration),
        **extra,
    }
    return render(request, "alerts/integration_detail.html", context, status=extra.get("status", 200))


def integration_detail(request: HttpRequest, integration_id: int) -> HttpResponse:
    return _detail(request, _integration_or_404(integration_id))


@require_POST
def integration_rotate_key(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration_or_404(integration_id)
    key = services.integration_rotate_key(integration_id=integration.pk)
    request.session[_new_key_slot(integration.pk)] = key
    return redirect("alerts:integration_detail", integration_id=integration.pk)


@require_POST
def integration_toggle(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration_or_404(integration_id)
    services.integration_set_enabled(integration_id=integration.pk, enabled=not integration.enabled)
    return redirect("alerts:integration_detail", integration_id=integration.pk)


@require_POST
def integration_test_alert(request: HttpRequest, integration_id: int) -> HttpResponse:
    """Send a test alert; show what it opened in place (htmx) or on the integration's page."""
    integration = _integration_or_404(integration_id)
    try:
        delivery_id = integration_services.integration_send_test_alert(
            actor=request.user, integration_id=integration.pk
        )
    except errors.ApplicationError as exc:
        if request.htmx:
            context = {
                "integration": integration,
                "test_error": exc.message,
                "test_refusal": integration_services.test_alert_refusal(integration),
            }
            return render(request, "alerts/_test_alert.html", context, status=exc.status)
        return _detail(request, integration, test_error=exc.message, status=exc.status)
    if request.htmx:
        return _test_panel(request, integration, delivery_id)
    return redirect(
        f"{reverse('alerts:integration_detail', args=[integration.pk])}?test={delivery_id}#test-alert"
    )


def _test_panel(
    request: HttpRequest, integration: Integration, delivery_id: int, poll: int = 0
) -> HttpResponse:
    test = _test_result(integration, delivery_id, poll)
    if test is None:
        raise Http404("No such delivery for this integration.")
    context = {
        "integration": integration,
        "test": test,
        "test_refusal": integration_services.test_alert_refusal(integration),
    }
    return render(request, "alerts/_test_alert.html", context)


@require_GET
def integration_test_alert_result(
    request: HttpRequest, integration_id: int, delivery_id: int
) -> HttpResponse:
    """The test alert's panel again (htmx polls it while a worker has not taken the delivery)."""
    integration = _integration_or_404(integration_id)
    if not request.htmx:
        return redirect(
            f"{reverse('alerts:integration_detail', args=[integration.pk])}?test={delivery_id}#test-alert"
        )
    try:
        poll = max(0, min(int(request.GET.get("poll", "0")), TEST_POLLS))
    except ValueError:
        poll = TEST_POLLS
    return _test_panel(request, integration, delivery_id, poll)
