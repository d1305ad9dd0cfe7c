"""Realistic history at scale, for benchmarks and for trying the dashboards on a big install.

`manage.py seed_scale --incidents 100000` writes two years of incidents with timelines (about ten
events each), COEs for most SEV1-3 incidents (six sections, contributing factors, reviewers) and about
three action items per incident, in batches of bulk INSERTs. It bypasses the services on purpose (they
lock, validate and write one row at a time: hours at this size), so every row it writes is built to
satisfy the same database constraints the services keep: stamps in order, closed iff not active,
approved COEs with an approval time, done items with a completion time.

It lives in `devdata` because it writes incidents and COEs together (the development-data app may
depend on every other). Historic `created_at` values are the point (action items and COEs are counted
by the week they were created or due in), so `auto_now_add` is switched off while it runs.
"""

import contextlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models, transaction

from coe import policy
from coe.models import (
    ActionItem,
    ActionKind,
    ActionStatus,
    Coe,
    CoeState,
    ContributingFactor,
    FactorCategory,
    Priority,
    ReviewDecision,
    Reviewer,
    Section,
)
from coe.sections import SectionKey
from incidents.models import (
    Criticality,
    EventKind,
    Incident,
    IncidentEvent,
    Service,
    Severity,
    Source,
    Status,
    Team,
)
from incidents.phases import ENDS_AT, ORDER, Phase

TEAM_NAMES = ["Payments", "Platform", "Storefront", "Identity", "Data", "Mobile", "Search", "Messaging"]
SERVICE_NOUNS = ["API", "Gateway", "Workers", "DB", "Cache", "Queue", "Frontend"]
SEVERITY_WEIGHTS = {Severity.SEV1: 4, Severity.SEV2: 14, Severity.SEV3: 44, Severity.SEV4: 38}
# Median minutes spent in each phase, before the severity factor (a SEV1 gets more hands, faster).
PHASE_MEDIAN_MINUTES = {
    Phase.DETECT: 6,
    Phase.EVALUATE: 14,
    Phase.RESPOND: 25,
    Phase.RECOVER: 18,
    Phase.CONFIRM: 12,
}
SEVERITY_PACE = {Severity.SEV1: 0.6, Severity.SEV2: 0.8, Severity.SEV3: 1.0, Severity.SEV4: 1.4}
NOTES = [
    "Error rate back under 0.1% in all regions.",
    "Rolled back the last deploy; watching the latency graphs.",
    "Customer support reports fewer tickets now.",
    "Paged the database on-call for a second pair of eyes.",
    "Dashboards show the queue draining at the expected rate.",
    "Raised the connection pool limit as a mitigation.",
]
FACTORS = [
    ("A config change reached every region at once", FactorCategory.PROCESS),
    ("The alert fired on a symptom 20 minutes after impact began", FactorCategory.MONITORING),
    ("Retries without jitter amplified the load on the database", FactorCategory.TECHNICAL),
    ("The runbook described a tool that had been replaced", FactorCategory.TOOLING),
    ("A dependency's rate limit was lower than documented", FactorCategory.EXTERNAL),
    ("Ownership of the shared cache was unclear between two teams", FactorCategory.ORGANIZATIONAL),
]
ITEMS = [
    ("Roll config changes out one region at a time", ActionKind.PREVENT),
    ("Alert on the error budget burn rate, not on CPU", ActionKind.DETECT),
    ("Add jittered exponential backoff to the client", ActionKind.MITIGATE),
    ("Review the runbook in the on-call handover", ActionKind.PROCESS),
    ("Load test the dependency at twice peak traffic", ActionKind.PREVENT),
    ("Dashboard for queue depth per consumer", ActionKind.DETECT),
]


@dataclass
class Totals:
    incidents: int = 0
    events: int = 0
    coes: int = 0
    action_items: int = 0

    def as_text(self) -> str:
        return (
            f"{self.incidents:,} incidents, {self.events:,} timeline events, {self.coes:,} COEs, "
            f"{self.action_items:,} action items"
        )


@contextlib.contextmanager
def historic_timestamps() -> Iterator[None]:
    """Let bulk inserts keep the `created_at`/`recorded_at` values they are given."""
    fields = [
        field
        for model in (Incident, IncidentEvent, Coe, Section, ContributingFactor, ActionItem, Reviewer)
        for field in model._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and (field.auto_now_add or field.auto_now)
    ]
    saved = [(field, field.auto_now_add, field.auto_now) for field in fields]
    for field in fields:
        field.auto_now_add = field.auto_now = False
    try:
        yield
    finally:
        for field, auto_now_add, auto_now in saved:
            field.auto_now_add, field.auto_now = auto_now_add, auto_now


def _teams_services_users(rng: random.Random) -> tuple[list[Team], dict[int, list[Service]], list]:
    teams = []
    for name in TEAM_NAMES:
        team, _ = Team.objects.get_or_create(
            slug=f"scale-{name.lower()}", defaults={"name": f"{name} (scale)"}
        )
        teams.append(team)
    services: dict[int, list[Service]] = {}
    for team in teams:
        base = team.name.removesuffix(" (scale)")
        for index, noun in enumerate(SERVICE_NOUNS[: 4 + len(team.name) % 3]):
            service, _ = Service.objects.get_or_create(
                slug=f"scale-{base.lower()}-{noun.lower()}",
                defaults={
                    "name": f"{base} {noun}",
                    "team": team,
                    "criticality": Criticality.CRITICAL if index < 2 else Criticality.NON_CRITICAL,
                    "cost_per_hour": Decimal(rng.choice([5000, 20000, 60000, 120000])),
                },
            )
            services.setdefault(team.pk, []).append(service)
    user_model = get_user_model()
    users = []
    for index in range(30):
        user, created = user_model.objects.get_or_create(username=f"scale-user-{index:02d}")
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return teams, services, users


def _minutes(rng: random.Random, median: float) -> float:
    # Log-normal: most phases are short, a few are very long (what real incident data looks like).
    return median * math.exp(rng.gauss(0, 0.9))


@dataclass
class _Plan:
    incident: Incident
    services: list[Service]
    needs_coe: bool


def _plan_incident(rng, *, started_at, now, team, team_services, users) -> _Plan:
    severity = rng.choices(list(SEVERITY_WEIGHTS), weights=list(SEVERITY_WEIGHTS.values()))[0]
    pace = SEVERITY_PACE[severity]
    stamps = {"started_at": started_at}
    at = started_at
    for phase in ORDER:
        at = at + timedelta(minutes=_minutes(rng, PHASE_MEDIAN_MINUTES[phase] * pace))
        if at > now:
            break
        stamps[ENDS_AT[phase]] = at
    roll = rng.random()
    source = Source.ALERT if rng.random() < 0.55 else Source.WEB
    if "confirmed_at" in stamps:
        status, closed_at = Status.RESOLVED, stamps["confirmed_at"]
    else:
        status, closed_at = Status.ACTIVE, None
    if roll < 0.05 and source == Source.ALERT and "detected_at" in stamps:
        # Resolved by itself before anyone engaged: closed in detect.
        stamps = {"started_at": started_at}
        status, closed_at = Status.AUTO_RESOLVED, started_at + timedelta(minutes=_minutes(rng, 8))
    elif roll < 0.09 and "evaluated_at" in stamps:
        stamps = {key: stamps[key] for key in ("started_at", "detected_at", "evaluated_at")}
        status, closed_at = Status.FALSE_ALARM, stamps["evaluated_at"]
    if closed_at is not None and closed_at > now:
        stamps, status, closed_at = {"started_at": started_at}, Status.ACTIVE, None
    chosen = rng.sample(team_services, k=1 if rng.random() < 0.7 else 2)
    incident = Incident(
        title=f"{chosen[0].name}: {rng.choice(['elevated errors', 'high latency', 'outage', 'degraded'])}",
        severity=severity,
        team=team,
        commander=rng.choice(users),
        source=source,
        status=status,
        closed_at=closed_at,
        customers_affected=rng.randint(0, 50_000) if severity in (Severity.SEV1, Severity.SEV2) else None,
        created_at=stamps.get("detected_at", started_at),
        updated_at=closed_at or started_at,
        **{field: stamps.get(field) for field in ("started_at", *ENDS_AT.values())},
    )
    needs_coe = status == Status.RESOLVED and severity != Severity.SEV4 and rng.random() < 0.85
    return _Plan(incident=incident, services=chosen, needs_coe=needs_coe)


def _events(rng, incident: Incident, users) -> list[IncidentEvent]:
    events = [
        IncidentEvent(
            incident=incident,
            kind=EventKind.DECLARED,
            actor=None if incident.source == Source.ALERT else incident.commander,
            occurred_at=incident.created_at,
            recorded_at=incident.created_at,
            phase=Phase.DETECT,
        )
    ]
    previous = incident.started_at
    for phase in ORDER:
        ended = getattr(incident, ENDS_AT[phase])
        if ended is None:
            break
        for _ in range(rng.choice((0, 1, 1, 2))):  # notes while the phase runs
            at = previous + (ended - previous) * rng.random()
            events.append(
                IncidentEvent(
                    incident=incident,
                    kind=EventKind.NOTE,
                    actor=rng.choice(users),
                    occurred_at=at,
                    recorded_at=at,
                    body=rng.choice(NOTES),
                )
            )
        events.append(
            IncidentEvent(
                incident=incident,
                kind=EventKind.PHASE_ADVANCED,
                actor=incident.commander,
                occurred_at=ended,
                recorded_at=ended,
                phase=phase,
            )
        )
        previous = ended
    if incident.status in (Status.FALSE_ALARM, Status.AUTO_RESOLVED):
        kind = EventKind.FALSE_ALARM if incident.status == Status.FALSE_ALARM else EventKind.AUTO_RESOLVED
        events.append(
            IncidentEvent(
                incident=incident,
                kind=kind,
                occurred_at=incident.closed_at,
                recorded_at=incident.closed_at,
                body="Seeded.",
            )
        )
    return events


def _coe_rows(rng, incident: Incident, users, now: datetime) -> tuple[Coe, list, list, list, list]:
    recovered_on = incident.recovered_at.date()
    due_on = policy.due_on(severity=incident.severity, recovered_on=recovered_on)
    created_at = incident.confirmed_at + timedelta(hours=rng.uniform(1, 48))
    lateness = timedelta(days=rng.choice([-3, -2, -1, -1, 0, 0, 1, 2, 6]))
    approved_at = datetime.combine(due_on, created_at.timetz()) + lateness if due_on else None
    if approved_at is not None and approved_at < created_at:
        approved_at = created_at + timedelta(days=1)
    approved = approved_at is not None and approved_at < now and rng.random() < 0.92
    owner = incident.commander or rng.choice(users)
    coe = Coe(
        incident=incident,
        owner=owner,
        state=CoeState.APPROVED if approved else rng.choice([CoeState.IN_REVIEW, CoeState.DRAFT]),
        due_on=due_on,
        approved_at=approved_at if approved else None,
        submitted_at=(approved_at - timedelta(days=1)) if approved else None,
        created_at=created_at,
        updated_at=approved_at if approved else created_at,
    )
    sections = [
        Section(coe=coe, key=key, body=f"{label}\n\nSeeded.", created_at=created_at, updated_at=created_at)
        for key, label in SectionKey.choices
    ]
    factors = []
    for position in range(rng.randint(1, 3)):
        statement, category = rng.choice(FACTORS)
        factors.append(
            ContributingFactor(
                coe=coe,
                statement=statement,
                category=category,
                whys=["Why did it happen?", "Because the safeguard did not exist."],
                position=position,
                created_at=created_at,
                updated_at=created_at,
            )
        )
    items = [_action_item(rng, coe, created_at, users, now) for _ in range(rng.randint(3, 8))]
    reviewers = [
        Reviewer(
            coe=coe,
            user=user,
            decision=ReviewDecision.APPROVED if approved else ReviewDecision.PENDING,
            decided_at=approved_at if approved else None,
            created_at=created_at,
            updated_at=created_at,
        )
        for user in rng.sample([u for u in users if u.pk != owner.pk], k=2)
    ]
    return coe, sections, factors, items, reviewers


def _action_item(rng, coe: Coe, created_at: datetime, users, now: datetime) -> ActionItem:
    title, kind = rng.choice(ITEMS)
    due_on: date = (created_at + timedelta(days=rng.choice([7, 14, 30, 45, 60]))).date()
    completed_at = created_at + timedelta(days=rng.expovariate(1 / 25))
    status = ActionStatus.DONE if completed_at < now and rng.random() < 0.8 else ActionStatus.OPEN
    if status == ActionStatus.OPEN and rng.random() < 0.08:
        status = ActionStatus.WONT_DO
    if status == ActionStatus.OPEN and rng.random() < 0.4:
        status = ActionStatus.IN_PROGRESS
    return ActionItem(
        coe=coe,
        title=title,
        owner=rng.choice(users),
        due_on=due_on,
        priority=rng.choice(Priority.values),
        kind=kind,
        status=status,
        wont_do_reason="Superseded by a broader fix." if status == ActionStatus.WONT_DO else "",
        completed_at=completed_at if status == ActionStatus.DONE else None,
        created_at=created_at,
        updated_at=completed_at if status == ActionStatus.DONE else created_at,
    )


def seed(
    *,
    incidents: int,
    now: datetime,
    weeks: int = 104,
    seed: int = 42,
    batch: int = 2000,
    progress: Callable[[int], None] = lambda done: None,
) -> Totals:
    """Add `incidents` incidents spread over the `weeks` before `now`, in batches (one transaction
    each, so an interrupted run keeps whole incidents). Returns what it wrote."""
    rng = random.Random(seed)
    teams, services, users = _teams_services_users(rng)
    span = timedelta(weeks=weeks).total_seconds()
    totals = Totals()
    through = Incident.services.through
    with historic_timestamps():
        for start in range(0, incidents, batch):
            size = min(batch, incidents - start)
            # Busier lately: a gentle trend, plus weekday clustering through the random offsets.
            offsets = sorted(span * (1 - rng.random() ** 1.15) for _ in range(size))
            plans = []
            for offset in offsets:
                team = rng.choice(teams)
                plans.append(
                    _plan_incident(
                        rng,
                        started_at=now - timedelta(seconds=offset) - timedelta(hours=2),
                        now=now,
                        team=team,
                        team_services=services[team.pk],
                        users=users,
                    )
                )
            with transaction.atomic():
                _write_batch(rng, plans, users, now, through, totals)
            progress(start + size)
    return totals


def _write_batch(rng, plans: list[_Plan], users, now, through, totals: Totals) -> None:
    events, coes = [], []
    for plan in plans:
        incident_events = _events(rng, plan.incident, users)
        plan.incident.version = len(incident_events)  # one bump per write, as the services do
        events.extend(incident_events)
        if plan.needs_coe:
            coes.append(_coe_rows(rng, plan.incident, users, now))
    # Rows built on unsaved incidents pick up their ids when these are inserted (RETURNING id).
    Incident.objects.bulk_create([plan.incident for plan in plans])
    links = [
        through(incident_id=plan.incident.pk, service_id=service.pk)
        for plan in plans
        for service in plan.services
    ]
    through.objects.bulk_create(links, batch_size=5000)
    IncidentEvent.objects.bulk_create(events, batch_size=5000)
    Coe.objects.bulk_create([row[0] for row in coes], batch_size=2000)
    Section.objects.bulk_create([s for row in coes for s in row[1]], batch_size=5000)
    ContributingFactor.objects.bulk_create([f for row in coes for f in row[2]], batch_size=5000)
    ActionItem.objects.bulk_create([i for row in coes for i in row[3]], batch_size=5000)
    Reviewer.objects.bulk_create([r for row in coes for r in row[4]], batch_size=5000)
    totals.incidents += len(plans)
    totals.events += len(events)
    totals.coes += len(coes)
    totals.action_items += sum(len(row[3]) for row in coes)
