"""Incident pages. Each view parses input with a form, calls one service or selector, and renders
the full page, or the fragment it includes when the request comes from htmx. Guards live in the
services: a view never checks a phase or a status itself."""

import re
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import errors
from core import forms as core_forms
from core.templatetags import cornerstone
from incidents import forms, phases, selectors, services
from incidents.models import SEVERITY_MEANINGS, Criticality, EventKind, Service, Team
from incidents.phases import GUIDANCE, ORDER, STAMP_FIELDS, STAMP_LABELS

# An ISO 8601 instant inside a service's message ("... before the detected time (2026-12-04T18:33:00+00:00).")
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


def _readable(message: str) -> str:
    """A service message with every ISO instant in it shown as the page shows times (the viewer's zone)."""

    def local(match: re.Match) -> str:
        try:
            return cornerstone.absolute(datetime.fromisoformat(match.group(0)))
        except ValueError:
            return match.group(0)

    return ISO_INSTANT.sub(local, str(message))


def _form_error(form, exc: errors.ApplicationError, *, time_field: str | None = None) -> None:
    """A service error on the form (`core.forms.add_service_error`), its times in the viewer's zone. A
    form that takes one time (`time_field`) gets the errors about a phase stamp beside that time."""
    aliases = dict.fromkeys(STAMP_FIELDS, time_field) if time_field else None
    core_forms.add_service_error(form, exc, message=_readable(exc.message), aliases=aliases)


def _form_summary(form) -> str:
    """A refused form's errors in plain words, by field label ("Reason: This field is required.")."""
    parts = []
    for name, messages_ in form.errors.items():
        text = " ".join(messages_)
        parts.append(f"{form[name].label}: {text}" if name in form.fields else text)
    return "Please correct the form. " + " ".join(parts)


def incident_list(request: HttpRequest) -> HttpResponse:
    teams = list(Team.objects.only("slug", "name"))
    all_services = list(Service.objects.only("slug", "name"))
    form = forms.IncidentFilterForm(request.GET or None, teams=teams, services=all_services)
    filters = selectors.IncidentFilters()
    if form.is_bound:
        form.is_valid()  # an unknown value is reported and dropped; the valid filters still apply
        filters = selectors.IncidentFilters(**form.cleaned_data)
    page = Paginator(selectors.incident_list(filters=filters), settings.INCIDENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(incident, selectors.incident_figures(incident)) for incident in page.object_list],
        "query": query.urlencode(),
        "filtered": any(filters.__dict__.values()),
    }
    template = "incidents/_list_results.html" if request.htmx else "incidents/list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def incident_declare(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = forms.IncidentDeclareForm(request.POST)
        if form.is_valid():
            try:
                incident = services.incident_declare(actor=request.user, **form.cleaned_data)
            except errors.ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request, f"{incident.reference} declared. The detect phase is over: evaluate."
                )
                return redirect("incidents:detail", incident_id=incident.pk)
        status = 400
    else:
        form = forms.IncidentDeclareForm(
            initial={"commander": request.user.pk, "team": _default_team(request)}
        )
        status = 200
    return render(
        request,
        "incidents/declare.html",
        {"form": form, "severity_meanings": SEVERITY_MEANINGS},
        status=status,
    )


def _default_team(request: HttpRequest) -> int | None:
    team_id = request.GET.get("team")
    return int(team_id) if team_id and team_id.isdigit() else None


def _incident_or_404(incident_id: int):
    incident = selectors.incident_get(incident_id=incident_id)
    if incident is None:
        raise Http404(f"Incident {incident_id} does not exist.")
    return incident


# The timeline names edited fields by their form labels ("Customer impact", not "customer_impact").
FIELD_LABELS = {
    name: str(field.label or name.replace("_", " "))
    for name, field in forms.IncidentEditForm.base_fields.items()
}


def _timeline_people(timeline) -> dict[str, str]:
    """Full names for the usernames a commander change recorded on the timeline (one query, only when
    the timeline holds such a change)."""
    usernames = {
        value
        for event in timeline
        if event.kind == EventKind.FIELD_CHANGED and (event.data or {}).get("field") == "commander"
        for value in (event.data.get("old"), event.data.get("new"))
        if value
    }
    if not usernames:
        return {}
    users = get_user_model().objects.filter(username__in=usernames)
    return {user.get_username(): core_forms.user_label(user) for user in users}


def _timeline_context(timeline) -> dict:
    return {"timeline": timeline, "field_labels": FIELD_LABELS, "people": _timeline_people(timeline)}


def _main_context(incident, *, error: str = "", notice: str = "", forms_: dict | None = None) -> dict:
    figures = selectors.incident_figures(incident)
    current = figures.current_phase
    timeline = list(selectors.incident_timeline(incident_id=incident.pk))
    stamps = incident.stamps
    context = {
        "incident": incident,
        "figures": figures,
        **_timeline_context(timeline),
        "alerts_ended_at": selectors.incident_alerts_ended_at(incident=incident, timeline=timeline),
        "guidance": GUIDANCE,
        "current_guidance": GUIDANCE.get(current) if current else "",
        "through_choices": [(p.value, p.label) for p in phases.advance_targets(stamps)],
        "stamp_labels": STAMP_LABELS,
        "phases": ORDER,
        "reopen_choices": [(p.value, p.label) for p in phases.reopen_targets(stamps)],
        "reopen_default": phases.reopen_default(stamps).value,
        "severity_meaning": SEVERITY_MEANINGS[incident.severity],
        "error": error,
        "notice": notice,
        "note_form": forms.NoteForm(),
        "correct_form": forms.CorrectStampForm(),
        "reopen_form": forms.ReopenForm(),
        "false_alarm_form": forms.FalseAlarmForm(),
        "advance_form": forms.AdvanceForm(initial={"expected_phase": current.value if current else ""}),
        "critical": Criticality.CRITICAL,
    }
    context.update(forms_ or {})
    return context


def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(incident_id)
    template = "incidents/_incident_main.html" if request.htmx else "incidents/detail.html"
    return render(request, template, _main_context(incident))


def _transition(
    request: HttpRequest, incident_id: int, form, action, form_key: str, *, time_field: str | None = None
) -> HttpResponse:
    """Run one lifecycle service from a posted form, then show the incident again.

    Success re-renders the incident's main fragment (htmx) or redirects to the page. A refused form is
    shown again in place with its status (400 invalid, 409 conflict), holding what was typed with each
    error beside its field (the full page without htmx, so nothing typed is lost either way), and nothing
    is changed. A stale phase (someone else moved it first) is a notice, not an input error.
    """
    error, notice, status = "", "", 200
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except services.StalePhase as exc:
            notice, status = exc.message, exc.status
        except errors.ApplicationError as exc:
            _form_error(form, exc, time_field=time_field)
            error, status = _readable(exc.message), exc.status
    else:
        error, status = _form_summary(form), 400
    if not request.htmx and not error:
        if notice:
            messages.warning(request, notice)
        return redirect("incidents:detail", incident_id=incident_id)
    incident = _incident_or_404(incident_id)
    extra = {form_key: form} if error else {}
    return render(
        request,
        "incidents/_incident_main.html" if request.htmx else "incidents/detail.html",
        _main_context(incident, error=error, notice=notice, forms_=extra),
        status=status,
    )


@require_POST
def incident_advance(request: HttpRequest, incident_id: int) -> HttpResponse:
    form = forms.AdvanceForm(request.POST)
    return _transition(
        request,
        incident_id,
        form,
        lambda data: services.incident_advance(
            incident_id=incident_id,
            actor=request.user,
            expected_phase=data["expected_phase"],
            through=data["through"] or None,
            at=data["at"],
        ),
        "advance_form",
        time_field="at",
    )


@require_POST
def incident_correct(request: HttpRequest, incident_id: int) -> HttpResponse:
    form = forms.CorrectStampForm(request.POST)
    return _transition(
        request,
        incident_id,
        form,
        lambda data: services.incident_correct_stamp(
            incident_id=incident_id,
            actor=request.user,
            field=data["field"],
            value=data["value"],
            reason=data["reason"],
        ),
        "correct_form",
        time_field="value",
    )


@require_POST
def incident_reopen(request: HttpRequest, incident_id: int) -> HttpResponse:
    form = forms.ReopenForm(request.POST)
    return _transition(
        request,
        incident_id,
        form,
        lambda data: services.incident_reopen(
            incident_id=incident_id,
            actor=request.user,
            reason=data["reason"],
            to_phase=data["to_phase"] or None,
        ),
        "reopen_form",
    )


@require_POST
def incident_false_alarm(request: HttpRequest, incident_id: int) -> HttpResponse:
    form = forms.FalseAlarmForm(request.POST)
    return _transition(
        request,
        incident_id,
        form,
        lambda data: services.incident_mark_false_alarm(
            incident_id=incident_id, actor=request.user, reason=data["reason"]
        ),
        "false_alarm_form",
    )


@require_POST
def incident_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.incident_note_add(
                incident_id=incident_id, actor=request.user, body=form.cleaned_data["body"]
            )
        except errors.NotFound:
            raise Http404(f"Incident {incident_id} does not exist.") from None
        except errors.ApplicationError as exc:
            _form_error(form, exc)
            status = exc.status
        else:
            form = forms.NoteForm()
    else:
        status = 400
    if not request.htmx:
        if status != 200:
            messages.error(request, "The note was not added: " + " ".join(form.errors.get("body", [])))
        return redirect("incidents:detail", incident_id=incident_id)
    context = {
        "incident": _incident_or_404(incident_id),
        **_timeline_context(list(selectors.incident_timeline(incident_id=incident_id))),
        "note_form": form,
        "stamp_labels": STAMP_LABELS,
    }
    return render(request, "incidents/_timeline.html", context, status=status)


@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = _incident_or_404(incident_id)
    status = 200
    if request.method == "POST":
        form = forms.IncidentEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.incident_update(
                    incident_id=incident_id, actor=request.user, expected_version=version, **data
                )
            except errors.ApplicationError as exc:
                _form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "Incident updated.")
                return redirect("incidents:detail", incident_id=incident_id)
        else:
            status = 400
    else:
        form = forms.IncidentEditForm(
            initial={
                **{
                    field: getattr(incident, field)
                    for field in services.EDITABLE_FIELDS
                    if field != "services"
                },
                "services": list(incident.services.all()),
                "version": incident.version,
            }
        )
    return render(request, "incidents/edit.html", {"form": form, "incident": incident}, status=status)


def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/team_list.html", {"teams": selectors.team_list()})


def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = selectors.team_get(slug=slug)
    if team is None:
        raise Http404(f"No team {slug!r}.")
    incidents = selectors.incident_list(filters=selectors.IncidentFilters(team=slug))[:25]
    context = {
        "team": team,
        "services": selectors.service_list().filter(team=team),
        "rows": [(incident, selectors.incident_figures(incident)) for incident in incidents],
    }
    return render(request, "incidents/team_detail.html", context)


def service_list(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/service_list.html", {"services": selectors.service_list()})


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.service_get(slug=slug)
    if service is None:
        raise Http404(f"No service {slug!r}.")
    incidents = selectors.incident_list(filters=selectors.IncidentFilters(service=slug))[:25]
    context = {
        "service": service,
        "rows": [(incident, selectors.incident_figures(incident)) for incident in incidents],
    }
    return render(request, "incidents/service_detail.html", context)
