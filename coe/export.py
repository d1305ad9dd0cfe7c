"""A whole COE as one Markdown document: the six sections, the contributing factors with their why
chains, the action items, the incident's stamps, durations and timeline. Reads only what the COE page
already loaded, plus the incident's timeline."""

from coe.models import Coe
from coe.sections import SectionKey
from incidents import selectors as incident_selectors


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def coe_markdown(coe: Coe) -> str:
    incident = coe.incident
    figures = incident_selectors.incident_figures(incident)
    sections = {section.key: section for section in coe.sections.all()}
    lines = [
        f"# Correction of Errors: {incident.reference} {incident.title}",
        "",
        f"- Severity: {incident.severity}",
        f"- State: {coe.get_state_display()}",
        f"- Owner: {coe.owner.get_full_name() or coe.owner.get_username()}",
        f"- Due: {coe.due_on or '—'}",
        f"- Downtime: {figures.downtime}; estimated cost: ${figures.estimated_cost:,.0f}",
        "",
    ]
    for number, key in enumerate(SectionKey, start=1):
        lines += [f"## {number}. {key.label}", "", sections[key].body.strip() or "_(not written)_", ""]
    lines += ["## Contributing factors", ""]
    for factor in coe.factors.all():
        lines.append(f"- **{factor.statement}** ({factor.get_category_display()})")
        lines += [f"  {index}. Why? {why}" for index, why in enumerate(factor.whys, start=1)]
    if not coe.factors.all():
        lines.append("_(none)_")
    lines += ["", "## Action items", "", "| Action | Kind | Owner | Due | Status |", "|---|---|---|---|---|"]
    for item in coe.action_items.all():
        owner = (item.owner.get_full_name() or item.owner.get_username()) if item.owner else "—"
        due = item.due_on or "—"
        lines.append(
            f"| {item.title} | {item.get_kind_display()} | {owner} | {due} | {item.get_status_display()} |"
        )
    lines += ["", "## Phase stamps and durations", "", "| Phase | Ended | Took |", "|---|---|---|"]
    for span in figures.durations.spans:
        took = "skipped" if span.skipped else (str(span.duration) if span.duration is not None else "—")
        lines.append(f"| {span.phase.label} | {_when(span.ended)} | {took} |")
    lines += ["", "## Timeline", ""]
    for event in incident_selectors.incident_timeline(incident_id=incident.pk):
        text = event.body or (event.get_phase_display() if event.phase else "")
        lines.append(f"- {_when(event.occurred_at)}: {event.get_kind_display()}{': ' + text if text else ''}")
    return "\n".join(lines) + "\n"
