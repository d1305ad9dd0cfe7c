"""COE pages. Each view validates with a form, calls one service, and renders the page or, for htmx,
the fragment that changed. A stale section save renders the conflict view in place (409) with both
texts, so nothing typed is lost."""

import difflib

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coe import export, findings, forms, markdown, selectors, services, states
from coe.models import ActionKind, ActionStatus, Coe, Priority, Revision, Section
from coe.sections import GUIDANCE, SectionKey
from core import errors
from core import forms as core_forms


def _coe_or_404(coe_id: int) -> Coe:
    coe = selectors.coe_get(coe_id=coe_id)
    if coe is None:
        raise Http404(f"COE {coe_id} does not exist.")
    return coe


@require_POST
def coe_start(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        coe = services.coe_start(incident_id=incident_id, actor=request.user)
    except errors.NotFound:
        raise Http404(f"Incident {incident_id} does not exist.") from None
    except errors.Conflict as exc:
        return redirect("coe:detail", coe_id=exc.extra["coe_id"])
    messages.success(request, "COE started, prefilled from the incident. Edit every section.")
    return redirect("coe:detail", coe_id=coe.pk)


def _page_context(coe: Coe, *, user, **extra) -> dict:
    open_findings = findings.open_findings(coe)
    by_section: dict[str, list] = {}
    for item in open_findings:
        by_section.setdefault(item.section, []).append(item)
    return {
        "coe": coe,
        "sections": selectors.coe_sections(coe),
        "comment_threads": selectors.comment_threads(coe_id=coe.pk),
        "findings": by_section,
        "problems": services.submission_problems(
            coe, blocking_findings=findings.blocking_count(open_findings)
        ),
        "overdue": services.coe_overdue(coe),
        "can_edit": services.coe_can_edit(coe),
        "can_submit": states.can_submit(coe.state),
        "needs_reviewers": states.needs_reviewers(coe.state),
        "can_reopen": services.coe_can_reopen(coe, user),
        "decisions": selectors.review_decisions(coe),
        "factor_form": forms.FactorForm(auto_id=FACTOR_IDS),
        "item_form": forms.ActionItemForm(auto_id=ITEM_IDS),
        "submit_form": forms.SubmitForm(owner_id=coe.owner_id, auto_id=SUBMIT_IDS),
        "review_form": forms.ReviewForm(auto_id=REVIEW_IDS),
        "reason_form": forms.ReasonForm(auto_id=REVIEW_IDS),
        "item_statuses": ActionStatus.choices,
        "item_kinds": ActionKind.choices,
        "item_priorities": Priority.choices,
        "users": selectors.active_users(),
        "later_incidents": selectors.later_incident_counts(coe),
        "my_review": next((r for r in coe.reviewers.all() if r.user_id == user.pk), None),
        "conflicts": {},
        "mines": {},
        **extra,
    }


# Each form of the page has ids of its own (the page holds several forms with a "comment" or a "title").
FACTOR_IDS, ITEM_IDS, SUBMIT_IDS, REVIEW_IDS = "factor-%s", "item-%s", "submit-%s", "review-%s"


def coe_detail(request: HttpRequest, coe_id: int) -> HttpResponse:
    coe = _coe_or_404(coe_id)
    return render(request, "coe/detail.html", _page_context(coe, user=request.user))


@require_POST
def section_save(request: HttpRequest, coe_id: int, key: str) -> HttpResponse:
    if key not in SectionKey.values:
        raise Http404("Unknown section.")
    form = forms.SectionForm(request.POST)
    context = {"coe_id": coe_id, "key": SectionKey(key), "guidance": GUIDANCE[SectionKey(key)]}
    status = 200
    if not form.is_valid():
        return HttpResponse("Invalid section form.", status=400)
    body, version = form.cleaned_data["body"], form.cleaned_data["version"]
    try:
        section = services.coe_section_save(
            coe_id=coe_id, key=key, body=body, base_version=version, actor=request.user
        )
    except services.SectionConflict as exc:
        section = Section.objects.select_related("updated_by").get(coe_id=coe_id, key=key)
        context.update(conflict=exc, mine=body)
        status = 409
    except errors.NotFound:
        raise Http404(f"COE {coe_id} does not exist.") from None
    except errors.ApplicationError as exc:
        section = Section.objects.select_related("updated_by").get(coe_id=coe_id, key=key)
        context.update(error=exc.message)
        status = exc.status
    if not request.htmx:
        if "conflict" in context:  # the whole page, with this section's conflict view: nothing typed is lost
            coe = _coe_or_404(coe_id)
            page = _page_context(
                coe, user=request.user, conflicts={key: context["conflict"]}, mines={key: body}
            )
            return render(request, "coe/detail.html", page, status=409)
        if "error" in context:
            messages.error(request, context["error"])
        return redirect("coe:detail", coe_id=coe_id)
    section_findings = findings.section_findings(
        section, names=findings.people(), dismissed=findings.dismissed_keys(section.coe)
    )
    context.update(
        section=section,
        html=markdown.render(section.body),
        written=services.section_written(section),
        section_findings=section_findings,
        coe_owner_id=section.coe.owner_id,
        editable=services.coe_can_edit(section.coe),
    )
    if status == 200 and request.POST.get("autosave") == "1":
        return render(request, "coe/_section_saved.html", context)
    response = render(request, "coe/_section.html", context, status=status)
    if status != 200:  # an autosave swaps nothing by default; a conflict or error must show in place
        response["HX-Retarget"] = f"#section-{key}"
        response["HX-Reswap"] = "outerHTML"
    return response


def section_history(request: HttpRequest, coe_id: int, key: str) -> HttpResponse:
    if key not in SectionKey.values:
        raise Http404("Unknown section.")
    coe = _coe_or_404(coe_id)
    section = Section.objects.get(coe=coe, key=key)
    revisions = list(Revision.objects.filter(section=section).select_related("author").order_by("-version"))
    diffs = []
    for newer, older in zip(revisions, [*revisions[1:], None], strict=True):
        before = older.body.splitlines() if older else []
        diffs.append(
            (newer, list(difflib.unified_diff(before, newer.body.splitlines(), lineterm="", n=2))[2:])
        )
    return render(
        request, "coe/history.html", {"coe": coe, "section": section, "key": SectionKey(key), "diffs": diffs}
    )


@require_POST
def section_restore(request: HttpRequest, coe_id: int, key: str, version: int) -> HttpResponse:
    try:
        services.coe_section_restore(coe_id=coe_id, key=key, version=version, actor=request.user)
        messages.success(request, f"Version {version} restored (as a new version).")
    except errors.ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("coe:detail", coe_id=coe_id)


# The parts of the page a form changes in place: (template, the anchor a plain post comes back to, the
# context names of its form, confirmation and refusal).
PARTS = {
    "factors": ("coe/_factors_changed.html", "factors", "factor_form"),
    "items": ("coe/_action_items_changed.html", "action-items", "item_form"),
    "review": ("coe/_review_changed.html", "review", "submit_form"),
}


def _in_place(
    request: HttpRequest, coe_id: int, *, part: str, form, action, done, keeps_form: bool = True
) -> HttpResponse:
    """Validate `form`, run `action` (one service call) and answer with what changed.

    With htmx: the part's card, with its confirmation (role=status) or, when refused, the form as typed
    with the error beside its field (422; 409 for a conflict), plus what depends on it out of band.
    Without: a redirect back to the part's anchor, or the whole page with the refused form (422), so
    nothing typed is lost either way. `done` turns the service's result into the confirmation.
    `keeps_form`: `form` is the part's own form (shown again as typed), not a one-button form.
    """
    template, anchor, form_name = PARTS[part]
    refused, status, result = None, 200, None
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except errors.NotFound:
            raise Http404(f"COE {coe_id} does not exist.") from None
        except errors.ApplicationError as exc:
            status = 409 if isinstance(exc, errors.Conflict) else 422
            beside = core_forms.add_service_error(form, exc, beside=keeps_form)
            # Said once: beside its field when the form shows one, else in the status line.
            refused = "Check the field marked below." if beside else exc.message
    elif keeps_form:
        refused, status = "Check the fields marked below.", 422
    else:  # a form whose fields are not shown again: say what was wrong with them
        refused = "; ".join(f"{name}: {' '.join(problems)}" for name, problems in form.errors.items())
        status = 422
    if refused is None and not request.htmx:
        messages.success(request, done(result))
        return redirect(reverse("coe:detail", args=[coe_id]) + f"#{anchor}")
    coe = _coe_or_404(coe_id)
    if refused is None:
        extra = {f"{part}_done": done(result)}
    else:
        extra = {f"{part}_refused": refused, **({form_name: form} if keeps_form else {})}
    context = _page_context(coe, user=request.user, **extra)
    if not request.htmx:
        return render(request, "coe/detail.html", context, status=status)
    return render(request, template, context, status=status)


def _act(request: HttpRequest, coe_id: int, form, action, *, anchor: str = "review") -> HttpResponse:
    """Run a form-backed service and go back to the COE (at `anchor`), with its message: for the
    changes that redraw the whole page (a review decision, a reopen, a dismissed finding)."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except errors.NotFound:
            raise Http404(f"COE {coe_id} does not exist.") from None
        except errors.ApplicationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect(reverse("coe:detail", args=[coe_id]) + f"#{anchor}")


@require_POST
def factor_add(request: HttpRequest, coe_id: int) -> HttpResponse:
    return _in_place(
        request,
        coe_id,
        part="factors",
        form=forms.FactorForm(request.POST, auto_id=FACTOR_IDS),
        action=lambda data: services.factor_save(coe_id=coe_id, actor=request.user, **data),
        done=lambda factor: f"Factor added: {factor.statement}",
    )


@require_POST
def factor_delete(request: HttpRequest, coe_id: int, factor_id: int) -> HttpResponse:
    return _in_place(
        request,
        coe_id,
        part="factors",
        form=django_forms.Form(data={}),
        action=lambda data: services.factor_delete(coe_id=coe_id, factor_id=factor_id, actor=request.user),
        done=lambda _: "Factor removed.",
        keeps_form=False,
    )


@require_POST
def action_item_save(request: HttpRequest, coe_id: int, item_id: int | None = None) -> HttpResponse:
    return _in_place(
        request,
        coe_id,
        part="items",
        form=forms.ActionItemForm(request.POST, auto_id=ITEM_IDS),
        action=lambda data: services.action_item_save(
            coe_id=coe_id, actor=request.user, item_id=item_id, **data
        ),
        keeps_form=item_id is None,  # an inline edit keeps its own fields; the add form is the part's
        done=lambda item: f"Action item {'added' if item_id is None else 'saved'}: {item.title}",
    )


@require_POST
def coe_submit(request: HttpRequest, coe_id: int) -> HttpResponse:
    owner_id = Coe.objects.filter(pk=coe_id).values_list("owner_id", flat=True).first()
    return _in_place(
        request,
        coe_id,
        part="review",
        form=forms.SubmitForm(request.POST, owner_id=owner_id, auto_id=SUBMIT_IDS),
        action=lambda data: (
            services.coe_submit(coe_id=coe_id, actor=request.user, reviewers=list(data["reviewers"])),
            list(data["reviewers"]),
        ),
        done=lambda result: (
            "Sent for review; notified "
            + ", ".join(user.get_full_name() or user.get_username() for user in result[1])
            + "."
        ),
    )


@require_POST
def coe_review(request: HttpRequest, coe_id: int) -> HttpResponse:
    return _act(
        request,
        coe_id,
        forms.ReviewForm(request.POST),
        lambda data: services.coe_review(coe_id=coe_id, reviewer=request.user, **data),
    )


@require_POST
def coe_reopen(request: HttpRequest, coe_id: int) -> HttpResponse:
    return _act(
        request,
        coe_id,
        forms.ReasonForm(request.POST),
        lambda data: services.coe_reopen(coe_id=coe_id, actor=request.user, reason=data["reason"]),
    )


def coe_export_markdown(request: HttpRequest, coe_id: int) -> HttpResponse:
    coe = _coe_or_404(coe_id)
    response = HttpResponse(export.coe_markdown(coe), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coe-{coe.incident.reference.lower()}.md"'
    return response


def coe_print(request: HttpRequest, coe_id: int) -> HttpResponse:
    """A clean printable page: the exported Markdown, rendered and sanitized."""
    coe = _coe_or_404(coe_id)
    return render(request, "coe/print.html", {"coe": coe, "html": markdown.render(export.coe_markdown(coe))})


ACTION_ITEMS_PER_PAGE = 50


def action_item_list(request: HttpRequest) -> HttpResponse:
    """Every action item across COEs, soonest due first: mine, a team's, overdue, by status."""
    form = forms.ActionItemFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    items = selectors.action_item_list(
        user=request.user if filters.get("mine") else None,
        team=filters.get("team") or "",
        status=filters.get("status") or "",
        overdue=bool(filters.get("overdue")),
    )
    # Keyset-free paging without a COUNT over every item: fetch one row more than a page to know
    # whether there is a next one (the list stays fast at hundreds of thousands of items).
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    start = (page - 1) * ACTION_ITEMS_PER_PAGE
    rows = list(items[start : start + ACTION_ITEMS_PER_PAGE + 1])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "items": rows[:ACTION_ITEMS_PER_PAGE],
        "page": page,
        "has_next": len(rows) > ACTION_ITEMS_PER_PAGE,
        "query": query.urlencode(),
    }
    return render(request, "coe/action_items.html", context)


@require_POST
def action_item_status(request: HttpRequest, coe_id: int, item_id: int) -> HttpResponse:
    """Inline from the COE page: move an item along, or say whether a done one proved effective."""

    def save(data):
        fields = {"status": data["status"], "wont_do_reason": data["wont_do_reason"]}
        if data["effective"] is not None:
            fields["effective"] = data["effective"]
        return services.action_item_save(coe_id=coe_id, actor=request.user, item_id=item_id, **fields)

    return _in_place(
        request,
        coe_id,
        part="items",
        form=forms.ActionItemStatusForm(request.POST),
        action=save,
        done=lambda item: f"{item.title}: {item.get_status_display().lower()}.",
        keeps_form=False,
    )


@require_POST
def finding_dismiss(request: HttpRequest, coe_id: int) -> HttpResponse:
    form = forms.DismissFindingForm(request.POST)
    section = request.POST.get("section", "")
    return _act(
        request,
        coe_id,
        form,
        lambda data: services.finding_dismiss(coe_id=coe_id, actor=request.user, **data),
        anchor=f"section-{section}" if section in SectionKey.values else "review",
    )
