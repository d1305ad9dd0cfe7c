"""Comment threads on the COE page. Each view calls one service of `coe.services.comments` and answers,
for htmx, that section's comments fragment only (`coe/_comments.html`): the section's text box, perhaps
being typed in, is never redrawn. Without htmx they go back to the page, at the section's comments. An error
(an empty comment) renders in place, 400, with what was typed kept in its box."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from coe import api_selectors, forms, selectors
from coe.sections import SectionKey
from coe.services import comments
from core import errors


def _key(key: str) -> SectionKey:
    if key not in SectionKey.values:
        raise Http404("Unknown section.")
    return SectionKey(key)


def _back(coe_id: int, key: str) -> HttpResponse:
    return redirect(f"{reverse('coe:detail', args=[coe_id])}#comments-{key}")


def _fragment(
    request: HttpRequest, coe_id: int, key: SectionKey, *, status: int = 200, **extra
) -> HttpResponse:
    context = {
        "coe_id": coe_id,
        "key": key,
        "comments": selectors.comment_threads(coe_id=coe_id, key=key)[key],
        **extra,
    }
    return render(request, "coe/_comments.html", context, status=status)


@require_http_methods(["GET", "POST"])
def comment_list(request: HttpRequest, coe_id: int, key: str) -> HttpResponse:
    """GET: the section's comments fragment (for htmx; a browser goes to the page). POST: add a comment,
    or with `parent` a reply to that thread."""
    key = _key(key)
    if request.method == "GET":
        if not request.htmx:
            return _back(coe_id, key)
        if not api_selectors.coe_exists(coe_id=coe_id):
            raise Http404(f"COE {coe_id} does not exist.")
        return _fragment(request, coe_id, key)
    form = forms.CommentForm(request.POST)
    try:
        if not form.is_valid():  # a tampered form (parent not a number) or a body far past the limit
            raise errors.ValidationFailed(
                "; ".join(f"{name}: {' '.join(problems)}" for name, problems in form.errors.items())
            )
        body, parent_id = form.cleaned_data["body"], form.cleaned_data["parent"]
        comment = comments.comment_add(
            coe_id=coe_id, key=key, author=request.user, body=body, parent_id=parent_id
        )
    except errors.NotFound as exc:
        raise Http404(exc.message) from None
    except errors.ApplicationError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return _back(coe_id, key)
        draft = form.cleaned_data if form.is_valid() else {}
        return _fragment(
            request,
            coe_id,
            key,
            status=exc.status,
            comment_error=exc.message,
            comment_draft=draft.get("body", ""),
            reply_to=draft.get("parent"),
        )
    if not request.htmx:
        return redirect(comments.comment_url(comment, coe_id=coe_id))
    return _fragment(request, coe_id, key)


def _thread_action(request: HttpRequest, coe_id: int, key: str, comment_id: int, action) -> HttpResponse:
    key = _key(key)
    try:
        action(coe_id=coe_id, key=key, comment_id=comment_id, actor=request.user)
    except errors.NotFound as exc:
        raise Http404(exc.message) from None
    if not request.htmx:
        return _back(coe_id, key)
    return _fragment(request, coe_id, key)


@require_POST
def comment_resolve(request: HttpRequest, coe_id: int, key: str, comment_id: int) -> HttpResponse:
    return _thread_action(request, coe_id, key, comment_id, comments.comment_resolve)


@require_POST
def comment_reopen(request: HttpRequest, coe_id: int, key: str, comment_id: int) -> HttpResponse:
    return _thread_action(request, coe_id, key, comment_id, comments.comment_reopen)
