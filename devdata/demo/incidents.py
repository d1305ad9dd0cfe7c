"""Demo data for the embedded default: a few teams and services and about 40 realistic incidents
over the last 12 weeks, across severities and phases, with timelines. Everything goes through the
real services, so the demo obeys every rule a real incident does.

Loading is idempotent: teams, services and users are matched by name, and incidents are only added
when the database has none.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from incidents import services
from incidents.models import Criticality, Incident, Service, Severity, Team
from incidents.phases import ORDER, Phase

TEAMS = {
    "Payments": "Checkout, billing and the payment gateway integrations.",
    "Platform": "Kubernetes, networking, databases and the deploy pipeline.",
    "Storefront": "Web and mobile storefront, search and recommendations.",
}

# name, team, criticality, cost per hour
SERVICES = [
    ("Checkout API", "Payments", Criticality.CRITICAL, "120000"),
    ("Payment Gateway", "Payments", Criticality.CRITICAL, "150000"),
    ("Billing Jobs", "Payments", Criticality.NON_CRITICAL, "8000"),
    ("Orders DB", "Platform", Criticality.CRITICAL, "100000"),
    ("Edge Load Balancer", "Platform", Criticality.CRITICAL, "90000"),
    ("Deploy Pipeline", "Platform", Criticality.NON_CRITICAL, "5000"),
    ("Search", "Storefront", Criticality.NON_CRITICAL, "20000"),
    ("Recommendations", "Storefront", Criticality.NON_CRITICAL, "6000"),
    ("Web Storefront", "Storefront", Criticality.CRITICAL, "80000"),
]

USERS = [
    ("demo", "Demo", "User"),
    ("maya", "Maya", "Okafor"),
    ("lars", "Lars", "Lindqvist"),
    ("priya", "Priya", "Raman"),
    ("tomas", "Tomás", "Ibarra"),
]


@dataclass(frozen=True)
class Scenario:
    title: str
    team: str
    services: tuple[str, ...]
    impact: str
    blast_radius: tuple[str, ...]
    notes: tuple[str, ...]


SCENARIOS = [
    Scenario(
        "Checkout returns 502 for a share of requests",
        "Payments",
        ("Checkout API", "Edge Load Balancer"),
        "Some customers cannot complete purchases; retries sometimes succeed.",
        ("eu-west-1",),
        (
            "Error rate on checkout at 14% and climbing.",
            "New release 2024.11.3 went out 10 minutes before.",
            "Rolled back the release; error rate falling.",
        ),
    ),
    Scenario(
        "Payment gateway timeouts after certificate rotation",
        "Payments",
        ("Payment Gateway",),
        "Card payments fail after 30 s; wallets unaffected.",
        ("us-east-1", "eu-west-1"),
        (
            "TLS handshakes to the acquirer time out.",
            "Intermediate certificate missing from the new bundle.",
            "Re-deployed the bundle with the full chain.",
        ),
    ),
    Scenario(
        "Orders DB replication lag above 5 minutes",
        "Platform",
        ("Orders DB",),
        "Order history shows stale status for some customers.",
        ("cell-2",),
        (
            "Replica lag 320 s on cell-2.",
            "A bulk backfill job holds long transactions.",
            "Paused the backfill; lag recovering.",
        ),
    ),
    Scenario(
        "Search results empty for non-English queries",
        "Storefront",
        ("Search",),
        "Customers searching in German or French see no results.",
        ("eu-central-1",),
        (
            "Analyzer config changed in the last index rebuild.",
            "Rebuilding the index with the previous analyzers.",
        ),
    ),
    Scenario(
        "Elevated latency on the web storefront",
        "Storefront",
        ("Web Storefront", "Recommendations"),
        "Pages take 4 to 6 s to load; conversion dropped.",
        ("us-east-1",),
        (
            "p99 latency 5.8 s; recommendations calls are the slow span.",
            "Recommendations cache hit rate fell to 20% after a cache node was replaced.",
            "Serving recommendations from the fallback list.",
        ),
    ),
    Scenario(
        "Deploy pipeline stuck on integration stage",
        "Platform",
        ("Deploy Pipeline",),
        "No customer impact; fixes cannot ship.",
        (),
        ("Runners cannot pull images: registry credentials expired.", "Rotated the credentials."),
    ),
    Scenario(
        "Invoices generated twice for annual plans",
        "Payments",
        ("Billing Jobs",),
        "About 300 customers received duplicate invoices (not charged twice).",
        (),
        ("Job retried after a worker restart and was not idempotent.", "Voided the duplicates."),
    ),
    Scenario(
        "Edge load balancer dropping connections in one zone",
        "Platform",
        ("Edge Load Balancer",),
        "Intermittent connection resets for about a third of traffic.",
        ("eu-west-1a",),
        (
            "Health checks pass but one zone's targets reset connections.",
            "Shallow health check hid a dependency failure; moved traffic off the zone.",
        ),
    ),
    Scenario(
        "Orders DB disk 95% full",
        "Platform",
        ("Orders DB",),
        "None yet; writes would fail at 100%.",
        ("cell-1",),
        ("WAL archiving stalled; old segments not removed.", "Restarted the archiver; usage back to 60%."),
    ),
    Scenario(
        "Checkout double-submits on mobile Safari",
        "Payments",
        ("Checkout API", "Web Storefront"),
        "Some customers saw two pending orders.",
        (),
        ("Idempotency key missing from the new mobile form.", "Hotfix adds the key; duplicates cancelled."),
    ),
]

SEVERITY_WEIGHTS = [(Severity.SEV1, 3), (Severity.SEV2, 8), (Severity.SEV3, 16), (Severity.SEV4, 8)]

# Typical minutes in each phase, by severity (detect, evaluate, respond, recover, confirm).
PHASE_MINUTES = {
    Severity.SEV1: (6, 25, 20, 30, 20),
    Severity.SEV2: (10, 35, 25, 40, 30),
    Severity.SEV3: (20, 60, 45, 60, 60),
    Severity.SEV4: (45, 120, 90, 90, 120),
}


def _users():
    user_model = get_user_model()
    users = []
    for username, first, last in USERS:
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        users.append(user)
    return users


def ensure_demo_login(*, username: str, password: str):
    """The demo account: staff and superuser, so the admin is reachable in the demo."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=username, defaults={"first_name": "Demo", "last_name": "User"}
    )
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    return user


def _teams_and_services() -> tuple[dict[str, Team], dict[str, Service]]:
    teams = {}
    for name, description in TEAMS.items():
        teams[name] = Team.objects.filter(name=name).first() or services.team_create(
            name=name, description=description
        )
    by_name = {}
    for name, team, criticality, cost in SERVICES:
        by_name[name] = Service.objects.filter(name=name).first() or services.service_create(
            name=name, team=teams[team], criticality=criticality, cost_per_hour=Decimal(cost)
        )
    return teams, by_name


@transaction.atomic
def load(*, now: datetime, count: int = 40, seed: int = 7) -> int:
    """Create the demo data; returns how many incidents were added (0 when some already exist)."""
    users = _users()
    teams, by_name = _teams_and_services()
    if Incident.objects.exists():
        return 0
    rng = random.Random(seed)
    severities = [s for s, weight in SEVERITY_WEIGHTS for _ in range(weight)]
    created = 0
    for index in range(count):
        scenario = SCENARIOS[index % len(SCENARIOS)]
        severity = rng.choice(severities)
        # Spread over 12 weeks, oldest first; the last few are recent and still open.
        remaining = count - index
        if remaining <= 4:  # the open ones began within the last day
            age = timedelta(hours=remaining * 2.5)
        else:
            age = timedelta(days=84 * remaining / count, hours=rng.uniform(0, 20))
        minutes = [max(1.0, rng.lognormvariate(0, 0.5) * m) for m in PHASE_MINUTES[severity]]
        started = now - age - timedelta(minutes=sum(minutes))
        commander = rng.choice(users)
        incident = services.incident_declare(
            actor=commander,
            title=scenario.title,
            team=teams[scenario.team],
            severity=severity,
            services=[by_name[name] for name in scenario.services],
            summary=f"{scenario.impact}",
            commander=commander,
            customer_impact=scenario.impact,
            customers_affected=rng.choice([None, 120, 800, 2500, 14000]),
            blast_radius=scenario.blast_radius,
            started_at=started,
            detected_at=started + timedelta(minutes=minutes[0]),
        )
        created += 1
        _drive(
            incident,
            index=index,
            count=count,
            minutes=minutes,
            scenario=scenario,
            users=users,
            rng=rng,
            now=now,
        )
    return created


def _drive(incident, *, index, count, minutes, scenario, users, rng, now) -> None:
    """Move a demo incident along its phases at backdated times.

    Most end resolved; the four most recent are still open, one in each of evaluate, respond,
    recover and confirm; one in eight recovered by itself during evaluation (respond and recover
    skipped); one in seventeen turned out to be a false alarm.
    """
    remaining = count - index
    false_alarm = index % 17 == 9
    last = 1 if false_alarm else min(4, remaining - 1)  # how many phases after detect to end
    at = incident.detected_at
    note_times = []
    position = 1
    while position <= last:
        phase = ORDER[position]
        jump = phase == Phase.EVALUATE and index % 8 == 3 and last >= 3
        at = at + timedelta(minutes=minutes[position])
        note_times.append(at - timedelta(minutes=minutes[position] / 2))
        services.incident_advance(
            incident_id=incident.pk,
            actor=rng.choice(users),
            expected_phase=phase,
            through=Phase.RECOVER if jump else None,
            at=min(at, now),
        )
        position += 3 if jump else 1
    for body, when in zip(scenario.notes, note_times, strict=False):
        services.incident_note_add(
            incident_id=incident.pk, actor=rng.choice(users), body=body, at=min(when, now)
        )
    if false_alarm:
        services.incident_mark_false_alarm(
            incident_id=incident.pk,
            actor=users[0],
            reason="Synthetic check misconfigured; no customer impact.",
        )
