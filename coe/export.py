"""A whole COE as one Markdown document: the six sections, the contributing factors with their why
chains (a nested list), the action items, the review decisions, the incident's stamps, durations and
timeline (the phases at their corrected stamps, in time order, as section 1's prefill has them).
Durations read as on the pages ("59m", "1h 12m"): the UI's own `duration` filter formats them.
Reads only what the COE page already loaded, plus the incident's timeline."""

from datetime import UTC

from coe import selectors
from coe.models import Coe
from coe.sections import SectionKey
from core import forms as core_forms
from core.templatetags.cornerstone import duration
from incidents import selectors as incident_selectors


def _when(value) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _cell(text) -> str:
    """A table cell's text: a pipe or a line break would end the cell or the row."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _person(user) -> str:
    return core_forms.user_label(user) or "—"


def coe_markdown(coe: Coe) -> str:
    incident = coe.incident
    figures = incident_selectors.incident_figures(incident)
    sections = {section.key: section for section in coe.sections.all()}
    lines = [
        f"# Correction of Errors: {incident.reference} {incident.title}",
        "",
        f"- Severity: {incident.severity}",
        f"- State: {coe.get_state_display()}",
        f"- Owner: {_person(coe.owner)}",
        f"- Due: {coe.due_on or '—'}",
        f"- Downtime: {duration(figures.downtime)}; estimated cost: ${figures.estimated_cost:,.0f}",
        "",
    ]
    for number, key in enumerate(SectionKey, start=1):
        lines += [f"## {number}. {key.label}", "", sections[key].body.strip() or "_(not written)_", ""]
    lines += ["## Contributing factors", ""]
    for factor in coe.factors.all():
        category = f" ({factor.get_category_display()})" if factor.category else ""
        lines.append(f"- **{_inline(factor.statement)}**{category}")
        # Four spaces: Python-Markdown nests a list only that far in (two would flatten the whys).
        lines += [f"    {index}. Why? {_inline(why)}" for index, why in enumerate(factor.whys, start=1)]
    if not coe.factors.all():
        lines.append("_(none)_")
    lines += ["", "## Action items", "", "| Action | Kind | Owner | Due | Status |", "|---|---|---|---|---|"]
    for item in coe.action_items.all():
        cells = [item.title, item.get_kind_display(), _person(item.owner), item.due_on or "—"]
        lines.append("| " + " | ".join(_cell(cell) for cell in [*cells, item.get_status_display()]) + " |")
    if not coe.action_items.all():
        lines.append("| _(none)_ | | | | |")
    lines += ["", "## Review", ""]
    decisions = selectors.review_decisions(coe)
    for decision in decisions:
        comment = f": {_inline(decision.comment)}" if decision.comment else ""
        lines.append(f"- {decision.label} by {decision.name}, {_when(decision.at)}{comment}")
    if not decisions:
        lines.append("_(no decision yet)_")
    lines += ["", "## Phase stamps and durations", "", "| Phase | Ended | Took |", "|---|---|---|"]
    for span in figures.durations.spans:
        took = "skipped" if span.skipped else duration(span.duration)
        lines.append(f"| {span.phase.label} | {_when(span.ended)} | {took} |")
    lines += [
        "",
        f"- Time to detect: {duration(figures.durations.time_to_detect)}",
        f"- Time to recover: {duration(figures.durations.time_to_recover)}",
        f"- Time to resolve: {duration(figures.durations.time_to_resolve)}",
        "",
        "## Timeline",
        "",
    ]
    for line in selectors.incident_timeline_lines(incident, figures):
        lines.append(f"- {_when(line.at)}: {_inline(line.text)}")
    return "\n".join(lines) + "\n"


def _inline(text: str) -> str:
    """One line of a list item: text spread over lines would leave the list."""
    return " ".join(str(text).split())
