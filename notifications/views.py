"""Pages: a person's reminder and channel preferences; team channels (webhooks, digest mailing
addresses); the outbox of every send, with a retry for failed ones. Every page needs a signed-in
person (LoginRequiredMiddleware); mutations call one service each."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from core import errors
from core import forms as core_forms
from notifications import forms, selectors, services
from notifications.models import MessageState, OutboundMessage, TeamWebhook

OUTBOX_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = forms.PreferencesForm(request.POST)
        if form.is_valid():
            services.preferences_save(
                user=request.user,
                choices=form.choices(),
                digest_team_ids={team.pk for team in form.cleaned_data["digest_teams"]},
            )
            messages.success(request, "Your notification preferences are saved.")
            return redirect("notifications:preferences")
        status = 400
    else:
        initial = {"digest_teams": sorted(selectors.digest_subscribed_team_ids(user=request.user))}
        for topic, _label, channels in selectors.preferences_table(user=request.user):
            initial[f"{topic}__email"] = channels.email
            initial[f"{topic}__in_app"] = channels.in_app
        form = forms.PreferencesForm(initial=initial)
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
        status=status,
    )


def _channels_page(request: HttpRequest, *, address_form=None, status: int = 200) -> HttpResponse:
    webhooks = selectors.webhook_list().annotate(
        failed=Count("messages", filter=Q(messages__state=MessageState.FAILED)),
        pending=Count("messages", filter=Q(messages__state=MessageState.PENDING)),
    )
    context = {
        "webhooks": webhooks,
        "addresses": selectors.digest_addresses(),
        "address_form": address_form or forms.DigestAddressForm(),
        "failed": OutboundMessage.objects.filter(state=MessageState.FAILED).count(),
    }
    return render(request, "notifications/webhook_list.html", context, status=status)


def webhook_list(request: HttpRequest) -> HttpResponse:
    return _channels_page(request)


def _secret_shown(request: HttpRequest, webhook: TeamWebhook, secret: str) -> HttpResponse:
    response = render(request, "notifications/webhook_secret.html", {"webhook": webhook, "secret": secret})
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def webhook_create(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = forms.WebhookForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhook, generated = services.webhook_create(
                    team=data["team"],
                    name=data["name"],
                    url=data["url"],
                    format=data["format"],
                    events=data["events"],
                    secret=data["secret"],
                    generate_secret=data["generate_secret"],
                )
            except errors.ApplicationError as exc:
                core_forms.add_service_error(form, exc)
                status = exc.status
            else:
                if generated:
                    return _secret_shown(request, webhook, generated)
                messages.success(request, f"Webhook “{webhook.name}” created.")
                return redirect("notifications:webhook_list")
        else:
            status = 400
    else:
        form = forms.WebhookForm(initial={"events": TeamWebhook._meta.get_field("events").get_default()})
    return render(request, "notifications/webhook_form.html", {"form": form, "webhook": None}, status=status)


def _webhook_or_404(webhook_id: int) -> TeamWebhook:
    webhook = TeamWebhook.objects.select_related("team").filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404(f"Webhook {webhook_id} does not exist.")
    return webhook


@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook_or_404(webhook_id)
    status = 200
    if request.method == "POST":
        form = forms.WebhookForm(request.POST)
        form.fields["team"].disabled = True
        form.initial["team"] = webhook.team_id
        if form.is_valid():
            data = form.cleaned_data
            try:
                webhook, generated = services.webhook_update(
                    webhook_id=webhook.pk,
                    name=data["name"],
                    url=data["url"],
                    format=data["format"],
                    events=data["events"],
                    secret=data["secret"],
                    generate_secret=data["generate_secret"],
                    clear_secret=data["clear_secret"],
                )
            except errors.ApplicationError as exc:
                core_forms.add_service_error(form, exc)
                status = exc.status
            else:
                if generated:
                    return _secret_shown(request, webhook, generated)
                messages.success(request, f"Webhook “{webhook.name}” saved.")
                return redirect("notifications:webhook_list")
        else:
            status = 400
    else:
        form = forms.WebhookForm(
            initial={
                "team": webhook.team_id,
                "name": webhook.name,
                "url": webhook.url,
                "format": webhook.format,
                "events": webhook.events,
            }
        )
        form.fields["team"].disabled = True
    recent = OutboundMessage.objects.filter(webhook=webhook).defer("payload")[:20]
    context = {"form": form, "webhook": webhook, "recent": recent}
    return render(request, "notifications/webhook_form.html", context, status=status)


@require_POST
def webhook_toggle(request: HttpRequest, webhook_id: int) -> HttpResponse:
    webhook = _webhook_or_404(webhook_id)
    webhook = services.webhook_set_enabled(webhook_id=webhook.pk, enabled=not webhook.enabled)
    messages.success(request, f"Webhook “{webhook.name}” {'enabled' if webhook.enabled else 'disabled'}.")
    return redirect("notifications:webhook_list")


@require_POST
def webhook_test(request: HttpRequest, webhook_id: int) -> HttpResponse:
    try:
        message = services.webhook_test(webhook_id=webhook_id, actor=request.user)
    except errors.NotFound:
        raise Http404(f"Webhook {webhook_id} does not exist.") from None
    if request.htmx:
        return render(request, "notifications/_test_queued.html", {"message": message})
    messages.success(request, f"Test message #{message.pk} queued: see the outbox for how it went.")
    return redirect("notifications:webhook_list")


@require_POST
def digest_address_add(request: HttpRequest) -> HttpResponse:
    form = forms.DigestAddressForm(request.POST)
    if form.is_valid():
        try:
            sub = services.digest_address_add(
                team=form.cleaned_data["team"], email=form.cleaned_data["email"]
            )
        except errors.ApplicationError as exc:
            core_forms.add_service_error(form, exc)
            return _channels_page(request, address_form=form, status=exc.status)
        messages.success(request, f"{sub.email} will receive the weekly digest of {sub.team.name}.")
        return redirect("notifications:webhook_list")
    return _channels_page(request, address_form=form, status=400)


@require_POST
def digest_address_remove(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        services.digest_address_remove(subscription_id=subscription_id)
    except errors.NotFound:
        raise Http404("No such address.") from None
    messages.success(request, "The address no longer receives the digest.")
    return redirect("notifications:webhook_list")


def outbox(request: HttpRequest) -> HttpResponse:
    """Recent sends, newest first; filter by state (failed ones first thing to look at), channel, topic.
    With htmx, only the table."""
    form = forms.OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(
        selectors.outbox_list(
            state=filters.get("state", ""), channel=filters.get("channel", ""), topic=filters.get("topic", "")
        ),
        OUTBOX_PER_PAGE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "notifications/_outbox_table.html" if request.htmx else "notifications/outbox.html"
    return render(request, template, context)


@require_POST
def outbox_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = services.message_retry(message_id=message_id)
    except errors.NotFound:
        raise Http404(f"Message {message_id} does not exist.") from None
    except errors.Conflict as exc:
        if request.htmx:
            message = selectors.outbox_list().get(pk=message_id)
            return render(
                request, "notifications/_outbox_row.html", {"m": message, "error": exc.message}, status=409
            )
        messages.error(request, exc.message)
        return redirect("notifications:outbox")
    message = selectors.outbox_list().get(pk=message.pk)
    if request.htmx:
        return render(request, "notifications/_outbox_row.html", {"m": message})
    messages.success(request, f"Message #{message.pk} queued again.")
    return redirect("notifications:outbox")
