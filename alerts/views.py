"""Integration pages: list, create (the key is shown once), detail with the inbound URL, an example
sender configuration and the recent deliveries; rotate the key; enable or disable."""

from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from alerts import forms, services
from alerts.models import Delivery, DeliveryState, Integration, Kind
from core import errors

RECENT_DELIVERIES = 50


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


@require_http_methods(["GET", "POST"])
def integration_create(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = forms.IntegrationForm(request.POST)
        if form.is_valid():
            try:
                integration, key = services.integration_create(**form.cleaned_data)
            except errors.ApplicationError as exc:
                form.add_error(
                    exc.extra.get("field") if exc.extra.get("field") in form.fields else None, exc.message
                )
                status = exc.status
            else:
                return _detail(request, integration, new_key=key)
        else:
            status = 400
    else:
        form = forms.IntegrationForm()
    return render(request, "alerts/integration_form.html", {"form": form}, status=status)


def _integration_or_404(integration_id: int) -> Integration:
    integration = Integration.objects.select_related("team").filter(pk=integration_id).first()
    if integration is None:
        raise Http404(f"Integration {integration_id} does not exist.")
    return integration


def _detail(request: HttpRequest, integration: Integration, *, new_key: str = "") -> HttpResponse:
    key_shown = new_key or "YOUR-KEY"
    hook_path = f"{reverse('alerts:hook_bearer')}{key_shown}/"
    context = {
        "integration": integration,
        "new_key": new_key,
        "hook_url": request.build_absolute_uri(hook_path),
        "bearer_url": request.build_absolute_uri(reverse("alerts:hook_bearer")),
        "enqueue_url": request.build_absolute_uri(reverse("alerts:pagerduty_enqueue")),
        "key_shown": key_shown,
        "deliveries": Delivery.objects.filter(integration=integration).order_by("-id")[:RECENT_DELIVERIES],
        "kinds": Kind,
    }
    return render(request, "alerts/integration_detail.html", context)


def integration_detail(request: HttpRequest, integration_id: int) -> HttpResponse:
    return _detail(request, _integration_or_404(integration_id))


@require_POST
def integration_rotate_key(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration_or_404(integration_id)
    key = services.integration_rotate_key(integration_id=integration.pk)
    integration.refresh_from_db()
    return _detail(request, integration, new_key=key)


@require_POST
def integration_toggle(request: HttpRequest, integration_id: int) -> HttpResponse:
    integration = _integration_or_404(integration_id)
    services.integration_set_enabled(integration_id=integration.pk, enabled=not integration.enabled)
    return redirect("alerts:integration_detail", integration_id=integration.pk)
