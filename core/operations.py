"""The operations page (/operations/): how far each consumer of the event logs is behind, and the
events they gave up on, with a button to give one another pass. For the people who run the
installation (staff, until roles exist: the decision is `can_operate`, asked by the view and the
template alike)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core import consumers, errors
from core.models import ConsumerFailure

FAILURES_SHOWN = 50


def can_operate(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _refuse(request: HttpRequest) -> HttpResponse:
    error = errors.PermissionDenied("The operations page is for staff (who run this installation).")
    return render(request, "core/operations_forbidden.html", {"error": error}, status=403)


@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    if not can_operate(request.user):
        return _refuse(request)
    lags = [consumers.consumer_lag(name=consumer.name) for consumer in consumers.registered()]
    failures = list(ConsumerFailure.objects.filter(retried_at__isnull=True)[:FAILURES_SHOWN])
    return render(request, "core/operations.html", {"lags": lags, "failures": failures})


@require_POST
def failure_retry(request: HttpRequest, failure_id: int) -> HttpResponse:
    if not can_operate(request.user):
        return _refuse(request)
    try:
        consumers.failure_retry(failure_id=failure_id)
    except ConsumerFailure.DoesNotExist:
        messages.error(request, "That failure was already given another pass, or does not exist.")
    else:
        messages.success(request, "The event will be handled again in the next pass.")
    return redirect("operations")
