import zoneinfo

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.middleware import SESSION_KEY
from core.models import Profile

ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        choices=[(zone, zone) for zone in ZONES],
        help_text="Times are stored in UTC and shown to you in this zone.",
    )


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
    return render(request, "core/preferences.html", {"form": form, "now": timezone.now()}, status=status)
