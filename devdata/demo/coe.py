"""Demo COEs for the embedded default: the resolved SEV1-3 demo incidents get their COE, written,
with contributing factors and action items; the older ones are reviewed and approved, some late, so
the weekly review has COE timeliness, action-item health and factors to show.

Everything goes through the real services (the blameless check and the review gates included); only
the times are moved back afterwards (approvals, completions), as the incidents' own demo backfills
its stamps. Loading is idempotent: nothing is added when any COE exists.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from coe import services
from coe.models import ActionItem, ActionKind, ActionStatus, Coe, FactorCategory, ReviewDecision
from coe.sections import SectionKey
from incidents.models import Incident, Severity, Status
from metrics import services as metrics_services

SECTIONS = {
    SectionKey.WHAT_HAPPENED: "Customers saw errors from {service} for {minutes} minutes. The alert on the "
    "error rate fired after impact began; the on-call engineer rolled back the latest change and the "
    "error rate returned to normal.",
    SectionKey.DATA: "Error rate and latency dashboards for {service}, the deploy log, and the timeline of "
    "this incident. The error rate rose within a minute of the deploy and fell after the rollback.",
    SectionKey.IMPACT: "Requests to {service} failed for about {minutes} minutes; customers retried or "
    "abandoned their sessions. No data was lost.",
    SectionKey.CONTRIBUTING_FACTORS: "The change passed review and tests, but nothing exercised it at "
    "production traffic before it reached every region at once.",
    SectionKey.LESSONS: "Progressive rollouts would have limited the blast radius to one region. The "
    "alert measured a symptom; an error-budget burn alert would have fired sooner.",
    SectionKey.PREVENTION: "Roll changes out one region at a time with automatic rollback, and alert on "
    "the error budget burn rate. Both are tracked as action items below.",
}
FACTORS = [
    ("Changes reach every region at once", FactorCategory.PROCESS,
     ["The pipeline has no stages per region", "Regional rollout was never prioritised"]),
    ("The alert fired on a symptom, late", FactorCategory.MONITORING,
     ["The alert watches CPU, not errors", "No error-budget alerts exist yet"]),
    ("Retries without jitter amplified the load", FactorCategory.TECHNICAL,
     ["The client retries immediately", "The retry policy is not shared across services"]),
]  # fmt: skip
ITEMS = [
    ("Roll out changes one region at a time", ActionKind.PREVENT),
    ("Alert on the error budget burn rate", ActionKind.DETECT),
    ("Add jittered backoff to the client", ActionKind.MITIGATE),
]


def load(*, now: datetime, seed: int = 11) -> int:
    """Write the demo COEs (once). Returns how many it wrote."""
    if Coe.objects.exists():
        return 0
    rng = random.Random(seed)
    users = list(get_user_model().objects.filter(username__in=["demo", "maya", "lars", "priya", "tomas"]))
    incidents = Incident.objects.filter(
        status=Status.RESOLVED, severity__in=[Severity.SEV1, Severity.SEV2, Severity.SEV3]
    ).order_by("started_at")
    written = 0
    for incident in list(incidents.prefetch_related("services"))[::2]:  # every other one, over 12 weeks
        with transaction.atomic():
            _write(incident, rng=rng, users=users, now=now)
        written += 1
    metrics_services.history_recompute(since=(now - timedelta(weeks=13)).date())
    return written


def _write(incident: Incident, *, rng: random.Random, users: list, now: datetime) -> None:
    owner = incident.commander or users[0]
    coe = services.coe_start(incident_id=incident.pk, actor=owner)
    service = ", ".join(s.name for s in incident.services.all()) or "the service"
    minutes = int((incident.recovered_at - incident.started_at).total_seconds() // 60)
    for key, text in SECTIONS.items():
        section = coe.sections.get(key=key)
        body = text.format(service=service, minutes=minutes)
        services.coe_section_save(
            coe_id=coe.pk, key=key, body=body, base_version=section.version, actor=owner
        )
    for statement, category, whys in rng.sample(FACTORS, k=rng.choice((1, 2))):
        services.factor_save(coe_id=coe.pk, actor=owner, statement=statement, category=category, whys=whys)
    age = now - incident.recovered_at
    items = []
    for index, (title, kind) in enumerate(rng.sample(ITEMS, k=rng.choice((2, 3)))):
        due = (incident.recovered_at + timedelta(days=rng.choice((7, 14, 21)))).date()
        item = services.action_item_save(
            coe_id=coe.pk,
            actor=owner,
            title=title,
            kind=ActionKind.PREVENT if index == 0 else kind,
            owner=rng.choice(users),
            due_on=due,
        )
        items.append(item)
    written_at = min(incident.recovered_at + timedelta(days=1), now)
    ActionItem.objects.filter(coe=coe).update(created_at=written_at)
    if age < timedelta(weeks=2):
        return  # recent: still being written
    reviewers = [user for user in users if user.pk != owner.pk][:2]
    services.coe_submit(coe_id=coe.pk, actor=owner, reviewers=reviewers)
    for reviewer in reviewers:
        coe = services.coe_review(coe_id=coe.pk, reviewer=reviewer, decision=ReviewDecision.APPROVED)
        if coe.state == "approved":
            break
    # Move the review and the follow-up back in time: approved a few days after recovery (some late),
    # most items done, some after their due date, one left open.
    approved = incident.recovered_at + timedelta(days=rng.choice((2, 3, 4, 6, 9)))
    Coe.objects.filter(pk=coe.pk).update(submitted_at=approved - timedelta(days=1), approved_at=approved)
    for item in items[:-1] if rng.random() < 0.5 else items:
        done = item.due_on and datetime.combine(item.due_on, approved.timetz()) + timedelta(
            days=rng.choice((-4, -2, -1, 1, 3))
        )
        if done and done < now:
            ActionItem.objects.filter(pk=item.pk).update(
                status=ActionStatus.DONE, completed_at=max(done, written_at)
            )
