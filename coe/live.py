"""Writing a COE together: one poll per page brings other people's saved sections and who is editing
what, as out-of-band fragments; a ping marks the sender as editing a section. Both only read the
database (presence lives in the cache, see coe.presence).

The poll is told the version of each section the page holds (`?what_happened=3&data=1...`) and answers
only for the sections whose version moved: the same version, status, preview and findings fragments as
an autosave, plus the saved text and a notice. The page (static/js/app.js) decides at swap time whether
the box is being typed in: if it is, it keeps its version and text, so the next save gets the conflict
view rather than silently overwriting, and shows the notice instead.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from coe import findings, markdown, presence, services
from coe.models import Section
from coe.sections import SectionKey


def _versions_held(request: HttpRequest) -> dict[str, int]:
    held = {}
    for key in SectionKey.values:
        try:
            held[key] = int(request.GET[key])
        except (KeyError, ValueError):
            continue
    return held


@never_cache
@require_GET
def coe_live(request: HttpRequest, coe_id: int) -> HttpResponse:
    """Out-of-band updates for the sections saved since the page's versions, and everyone's presence.

    One query for the sections; two more (people's names, dismissed findings) only when some section
    changed, whatever the number of sections.
    """
    by_key = {s.key: s for s in Section.objects.filter(coe_id=coe_id).select_related("coe", "updated_by")}
    if not by_key:
        raise Http404(f"COE {coe_id} does not exist.")
    held = _versions_held(request)
    changed = [by_key[key] for key in SectionKey.values if key in held and held[key] != by_key[key].version]
    updates = []
    if changed:
        names = findings.people()
        dismissed = findings.dismissed_keys(changed[0].coe)
        for section in changed:
            author = section.updated_by
            updates.append(
                {
                    "key": SectionKey(section.key),
                    "section": section,
                    "html": markdown.render(section.body),
                    "written": services.section_written(section),
                    "findings": findings.section_findings(section, names=names, dismissed=dismissed),
                    "author": presence.display_name(author) if author else "Someone",
                }
            )
    editing = presence.editors_by_section(coe_id, exclude_user=request.user)
    context = {
        "coe_id": coe_id,
        "coe_owner_id": next(iter(by_key.values())).coe.owner_id,
        "updates": updates,
        "editing": [(key, editing.get(key, [])) for key in SectionKey.values],
    }
    return render(request, "coe/_live_updates.html", context)


@require_POST
def section_presence(request: HttpRequest, coe_id: int, key: str) -> HttpResponse:
    """The sender is editing this section now (a throttled ping while they type). No database write."""
    if key not in SectionKey.values:
        raise Http404("Unknown section.")
    presence.mark(coe_id, key, request.user)
    return HttpResponse(status=204)
