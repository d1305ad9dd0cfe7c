import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from core import errors, selectors, services
from core import forms as core_forms
from core.middleware import SESSION_KEY
from core.models import Profile

ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        choices=[(zone, zone) for zone in ZONES],
        help_text="Times are stored in UTC and shown to you in this zone.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=services.NAME_MAX_LENGTH,
        label="Token name",
        help_text="What it is for, e.g. “deploy pipeline”.",
    )


def _page(
    request: HttpRequest,
    *,
    form: PreferencesForm,
    token_form: ApiTokenForm | None = None,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "now": timezone.now(),
        "tokens": selectors.api_token_list(user=request.user),
        "token_form": token_form or ApiTokenForm(),
        "new_token": new_token,
    }
    return render(request, "core/preferences.html", context, status=status)


def preferences(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            profile.time_zone = form.cleaned_data["time_zone"]
            profile.save(update_fields=["time_zone", "updated_at"])
            request.session[SESSION_KEY] = profile.time_zone
            messages.success(request, f"Times are now shown in {profile.time_zone}.")
            return redirect("preferences")
        status = 400
    else:
        form = PreferencesForm(initial={"time_zone": profile.time_zone})
        status = 200
    return _page(request, form=form, status=status)


def _time_zone_form(request: HttpRequest) -> PreferencesForm:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    return PreferencesForm(initial={"time_zone": profile.time_zone})


@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its plaintext in this response only: it is stored nowhere (not even in
    the session), so reloading the page or coming back later never shows it again."""
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            _, plaintext = services.api_token_create(user=request.user, name=token_form.cleaned_data["name"])
        except errors.ApplicationError as exc:
            core_forms.add_service_error(token_form, exc)
        else:
            response = _page(request, form=_time_zone_form(request), new_token=plaintext)
            add_never_cache_headers(response)
            return response
    return _page(request, form=_time_zone_form(request), token_form=token_form, status=400)


@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(token_id=token_id, user=request.user)
    except errors.NotFound:
        raise Http404(f"Token {token_id} does not exist.") from None
    messages.success(request, f"Token “{token.name}” ({token.prefix}…) is revoked: it no longer works.")
    return redirect("preferences")


@login_not_required
@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links (and the API and admin pages link none):
    send them to the one icon, the SVG that base.html links, instead of a logged 404."""
    return redirect(static("favicon.svg"))
