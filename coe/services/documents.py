"""Every write to a COE's document: starting it, its sections (saves and restores of revisions), its
contributing factors, and dismissing a language finding. Each service is one transaction; section saves
lock the section row and compare versions, so a stale save never overwrites (it raises SectionConflict
with the current text, and the caller keeps what the person typed)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from coe import blameless, findings, policy, prefill, selectors, states
from coe.models import Coe, CoeEventKind, ContributingFactor, FactorCategory, Revision, Section
from coe.sections import SectionKey
from coe.services import _common
from core import errors
from incidents import selectors as incident_selectors
from incidents.models import Incident

MAX_WHYS = 5
ENDS_AT_A_PERSON = {
    "human-error-cause",
    "fault-blame-person",
    "judgement",
    "person-blame-verb",
    "counterfactual-person",
}


class SectionConflict(errors.Conflict):
    """The section changed since the version the writer started from."""

    default_code = "stale_section"


def coe_can_edit(coe: Coe) -> bool:
    """Whether the document (sections, factors) can change: not once approved (published) until it is
    reopened (`coe.states.can_edit`). The page asks this to hide the editors the services would refuse."""
    return states.can_edit(coe.state)


def _require_editable(coe: Coe) -> None:
    if not coe_can_edit(coe):
        raise errors.Conflict(
            "This COE is approved and published: reopen it (with a reason) to change it.",
            code="coe_read_only",
            extra={"state": coe.state},
        )


def _prefills(incident: Incident) -> dict[str, str]:
    figures = incident_selectors.incident_figures(incident)
    alerts = [f"{alert.title} ({alert.get_status_display().lower()})" for alert in incident.alerts.all()[:20]]
    return {
        SectionKey.WHAT_HAPPENED: prefill.what_happened(selectors.incident_timeline_lines(incident, figures)),
        SectionKey.DATA: prefill.data(
            phases=selectors.phase_lines(figures),
            time_to_detect=figures.durations.time_to_detect,
            time_to_recover=figures.durations.time_to_recover,
            time_to_resolve=figures.durations.time_to_resolve,
            alerts=alerts,
        ),
        SectionKey.IMPACT: prefill.impact(
            customer_impact=incident.customer_impact,
            customers_affected=incident.customers_affected,
            blast_radius=incident.blast_radius,
            downtime=figures.downtime,
            estimated_cost=figures.estimated_cost,
            services=[service.name for service in incident.services.all()],
        ),
    }


@transaction.atomic
def coe_start(*, incident_id: int, actor, owner=None) -> Coe:
    """Start the COE of an incident, with the six sections prefilled from it.

    One COE per incident (a second start raises Conflict naming the existing one). The due date
    follows the severity policy, counted from recovery (or today if not recovered yet).
    """
    # Lock the incident row: two people starting the COE at once make one COE and one 409.
    if not Incident.objects.select_for_update().filter(pk=incident_id).exists():
        raise errors.NotFound(f"Incident {incident_id} does not exist.", extra={"incident_id": incident_id})
    incident = incident_selectors.incident_get(incident_id=incident_id)
    existing = Coe.objects.filter(incident_id=incident_id).values_list("pk", flat=True).first()
    if existing:
        raise errors.Conflict(
            f"{incident.reference} already has a COE.", code="coe_exists", extra={"coe_id": existing}
        )
    recovered = (incident.recovered_at or timezone.now()).date()
    coe = Coe.objects.create(
        incident=incident,
        owner=owner or incident.commander or actor,
        due_on=policy.due_on(severity=incident.severity, recovered_on=recovered),
    )
    texts = _prefills(incident)
    for key in SectionKey:
        text = texts.get(key, "")
        section = Section.objects.create(coe=coe, key=key, body=text, prefill=text, updated_by=actor)
        Revision.objects.create(section=section, version=1, body=text, author=actor)
    # A backfilled incident's COE can be due in a week already past: its figures change.
    _common.event(coe, CoeEventKind.STARTED, actor=actor, weeks=[coe.due_on])
    return coe


@transaction.atomic
def coe_section_save(*, coe_id: int, key: str, body: str, base_version: int, actor) -> Section:
    """Save one section's text, based on `base_version`.

    Holds the section's row lock. If someone saved since `base_version`, nothing is written and
    SectionConflict carries the current text and version (the writer's text stays with the writer).
    Saving the same text again is a no-op. Otherwise the version goes up by one and a Revision is added.
    """
    coe = _common.locked_coe(coe_id)
    _require_editable(coe)
    if key not in SectionKey.values:
        raise errors.ValidationFailed(f"Unknown section {key!r}.", extra={"field": "key"})
    if len(body) > 100_000:
        raise errors.ValidationFailed("A section can be at most 100,000 characters.", extra={"field": "body"})
    section = Section.objects.select_for_update().get(coe=coe, key=key)
    if section.version != base_version:
        raise SectionConflict(
            "Someone saved this section while you were writing. Your text is kept: merge it with theirs.",
            extra={
                "section": key,
                "current_version": section.version,
                "current_body": section.body,
                "base_version": base_version,
            },
        )
    if body == section.body:
        return section
    section.body = body
    section.version += 1
    section.updated_by = actor
    section.save(update_fields=["body", "version", "updated_by", "updated_at"])
    Revision.objects.create(section=section, version=section.version, body=body, author=actor)
    return section


@transaction.atomic
def coe_section_restore(*, coe_id: int, key: str, version: int, actor) -> Section:
    """Make an old revision current again, as a new revision (history is never rewritten)."""
    coe = _common.locked_coe(coe_id)
    _require_editable(coe)
    if key not in SectionKey.values:
        raise errors.NotFound(f"Unknown section {key!r}.", extra={"field": "key"})
    section = Section.objects.select_for_update().get(coe=coe, key=key)
    revision = Revision.objects.filter(section=section, version=version).first()
    if revision is None:
        raise errors.NotFound(
            f"Version {version} of this section does not exist.", extra={"version": version}
        )
    section.body = revision.body
    section.version += 1
    section.updated_by = actor
    section.save(update_fields=["body", "version", "updated_by", "updated_at"])
    Revision.objects.create(
        section=section, version=section.version, body=revision.body, author=actor, restored_from=version
    )
    return section


def _require_systemic_last_why(statement: str, whys: list[str]) -> None:
    """The bad-apple theory is rejected by construction: a chain that ends at a person or at human
    error is not finished; the tool asks for the next why."""
    last = whys[-1] if whys else statement
    if any(f.rule in ENDS_AT_A_PERSON for f in blameless.lint(last, people=findings.people())):
        raise errors.ValidationFailed(
            "This chain ends at a person or at human error. Ask the next why: what made that action "
            "reasonable at the time (the tooling, the alerts, the runbook, the pressure)?",
            code="ask_next_why",
            extra={"field": "whys", "last": last},
        )


def _clean_whys(whys: list[str]) -> list[str]:
    cleaned = [str(why).strip() for why in whys if str(why).strip()]
    if len(cleaned) > MAX_WHYS:
        raise errors.ValidationFailed(f"At most {MAX_WHYS} whys.", extra={"field": "whys"})
    return cleaned


@transaction.atomic
def factor_save(
    *, coe_id: int, actor, statement: str, category: str, whys: list[str], factor_id: int | None = None
) -> ContributingFactor:
    """Add or change a contributing factor with its chain of whys."""
    coe = _common.locked_coe(coe_id)
    _require_editable(coe)
    statement = statement.strip()
    if not statement:
        raise errors.ValidationFailed("A factor needs a statement.", extra={"field": "statement"})
    if len(statement) > 500:
        raise errors.ValidationFailed(
            "A statement can be at most 500 characters.", extra={"field": "statement"}
        )
    if category not in FactorCategory.values:
        raise errors.ValidationFailed(
            f"Category must be one of {', '.join(FactorCategory.values)}.", extra={"field": "category"}
        )
    whys = _clean_whys(whys)
    _require_systemic_last_why(statement, whys)
    if factor_id is None:
        return ContributingFactor.objects.create(
            coe=coe, statement=statement, category=category, whys=whys, position=coe.factors.count()
        )
    factor = ContributingFactor.objects.filter(coe=coe, pk=factor_id).first()
    if factor is None:
        raise errors.NotFound(f"Factor {factor_id} does not exist.", extra={"factor_id": factor_id})
    factor.statement, factor.category, factor.whys = statement, category, whys
    factor.save(update_fields=["statement", "category", "whys", "updated_at"])
    return factor


@transaction.atomic
def factor_delete(*, coe_id: int, factor_id: int, actor) -> None:
    coe = _common.locked_coe(coe_id)
    _require_editable(coe)
    ContributingFactor.objects.filter(coe=coe, pk=factor_id).delete()


def coe_overdue(coe: Coe, *, today: date | None = None) -> bool:
    """`coe.states.coe_overdue` as of today in the current time zone."""
    return states.coe_overdue(coe, today=today or timezone.localdate())


@transaction.atomic
def finding_dismiss(*, coe_id: int, actor, section: str, rule: str, words: str, reason: str) -> None:
    """A reviewer dismisses one language finding (a false positive), with a recorded reason. The
    reviewer is a second person: the COE's owner cannot wave away findings in their own document."""
    coe = _common.locked_coe(coe_id)
    if coe.owner_id == actor.pk:
        raise errors.PermissionDenied("A reviewer other than the owner must dismiss a finding.")
    if not reason.strip():
        raise errors.ValidationFailed("Say why this finding does not apply.", extra={"field": "reason"})
    key = findings.dismissal_key(section, rule, words)
    _common.event(coe, CoeEventKind.FINDING_DISMISSED, actor=actor, body=reason.strip(), key=key,
                  section=section, rule=rule, words=words)  # fmt: skip
