"""COE services, part one: starting a COE (prefilled from its incident) and writing its sections
(versions, conflicts, revisions, restore), on the real database.

Factors and action items are in test_services_items.py; submission, review, reopen and overdue in
test_services_review.py.
"""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import Alert, AlertGroup, AlertStatus
from coe import policy, services
from coe.models import Coe, CoeEvent, CoeEventKind, CoeState, Revision, Section
from coe.sections import GUIDANCE, SectionKey
from core import errors
from incidents import services as incident_services
from incidents.models import Incident
from incidents.phases import Phase
from tests import factories

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 1, 3, 10, 0, tzinfo=UTC)  # a Friday: impact began
RECOVERED_ON = date(2025, 1, 3)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def recovered_incident(*, actor, service, severity: str = "SEV2", commander=None, alerts=()) -> Incident:
    """Impact at 10:00, declared 10:30, a note 10:35, evaluated 10:40, responded 11:00 jumping over
    recover (skipped): one hour of downtime on a $60,000/h service. Then a title edit (not timeline)."""
    incident = factories.incident(
        actor=actor,
        team=service.team,
        services_=[service],
        severity=severity,
        title="Checkout errors",
        started_at=T0,
        detected_at=at(30),
        commander=commander,
        customer_impact="Card payments failed at checkout",
        customers_affected=1200,
        blast_radius=["eu-west-1", "cell-7"],
    )
    incident_services.incident_note_add(
        incident_id=incident.pk, actor=actor, body="Rolled back to v1.42", at=at(35)
    )
    incident_services.incident_advance(
        incident_id=incident.pk, actor=actor, expected_phase=Phase.EVALUATE, at=at(40)
    )
    incident_services.incident_advance(
        incident_id=incident.pk, actor=actor, expected_phase=Phase.RESPOND, through=Phase.RECOVER, at=at(60)
    )
    incident_services.incident_update(incident_id=incident.pk, actor=actor, title="Checkout errors (EU)")
    for title, status in alerts:
        add_alert(incident, title=title, status=status)
    return incident


def add_alert(incident: Incident, *, title: str, status: str) -> Alert:
    integration, _key = alert_services.integration_create(
        name=f"am {title}", kind="alertmanager", team=incident.team
    )
    group = AlertGroup.objects.create(integration=integration, key=title, incident=incident)
    return Alert.objects.create(
        integration=integration,
        group=group,
        incident=incident,
        dedup_key=title,
        status=status,
        title=title,
        starts_at=T0,
        last_event_at=T0,
    )


@pytest.fixture
def incident(user, service):
    return recovered_incident(actor=user, service=service, alerts=[("HighErrorRate", AlertStatus.FIRING)])


@pytest.fixture
def coe(incident, user):
    return services.coe_start(incident_id=incident.pk, actor=user)


def section(coe: Coe, key: SectionKey) -> Section:
    return Section.objects.get(coe=coe, key=key)


def revisions(coe: Coe, key: SectionKey) -> list[tuple[int, str, int | None]]:
    return list(
        Revision.objects.filter(section__coe=coe, section__key=key)
        .order_by("version")
        .values_list("version", "body", "restored_from")
    )


def save(coe: Coe, key: SectionKey, body: str, *, base: int | None = None, actor) -> Section:
    base = section(coe, key).version if base is None else base
    return services.coe_section_save(coe_id=coe.pk, key=key, body=body, base_version=base, actor=actor)


def frozen(coe: Coe) -> dict:
    """What a refused section write must leave untouched."""
    return {
        "sections": list(
            Section.objects.filter(coe=coe)
            .order_by("key")
            .values_list("key", "body", "version", "updated_by")
        ),
        "revisions": list(
            Revision.objects.filter(section__coe=coe)
            .order_by("id")
            .values_list("section__key", "version", "body")
        ),
    }


def approve(coe: Coe, *, actor) -> Coe:
    factories.coe_complete(coe, actor=actor)
    reviewer = factories.user()
    services.coe_submit(coe_id=coe.pk, actor=actor, reviewers=[reviewer])
    return services.coe_review(coe_id=coe.pk, reviewer=reviewer, decision="approved")


# --- coe_start ----------------------------------------------------------------------------------


def test_start_creates_the_six_sections_in_document_order_at_version_one(coe, user):
    sections = list(coe.sections.order_by("id"))

    assert [s.key for s in sections] == list(SectionKey)
    assert {s.version for s in sections} == {1}
    assert {s.updated_by for s in sections} == {user}
    assert coe.state == CoeState.DRAFT
    assert coe.submitted_at is None and coe.approved_at is None


def test_start_records_version_one_of_each_section_as_its_first_revision(coe, user):
    for key in SectionKey:
        (revision,) = Revision.objects.filter(section__coe=coe, section__key=key)
        assert (revision.version, revision.body, revision.author) == (1, section(coe, key).body, user)
        assert revision.restored_from is None


def test_start_prefills_what_happened_with_the_timeline_but_not_field_edits(coe):
    text = section(coe, SectionKey.WHAT_HAPPENED).body

    assert text.splitlines() == [
        "Timeline (from the incident; edit it into a narrative):",
        "",
        "- 2025-01-03 10:00 UTC: Impact began",
        "- 2025-01-03 10:30 UTC: Declared",
        "- 2025-01-03 10:30 UTC: Phase ended: Detect",
        "- 2025-01-03 10:35 UTC: Rolled back to v1.42",
        "- 2025-01-03 10:40 UTC: Phase ended: Evaluate",
        "- 2025-01-03 11:00 UTC: Phase ended: Respond",
        "- 2025-01-03 11:00 UTC: Phase skipped: Recover",
    ]
    assert "Field changed" not in text


def test_start_prefills_data_with_the_phase_table_durations_and_alerts(coe):
    text = section(coe, SectionKey.DATA).body

    assert "| Detect | 2025-01-03 10:00 UTC | 2025-01-03 10:30 UTC | 30m |" in text
    assert "| Evaluate | 2025-01-03 10:30 UTC | 2025-01-03 10:40 UTC | 10m |" in text
    assert "| Respond | 2025-01-03 10:40 UTC | 2025-01-03 11:00 UTC | 20m |" in text
    assert "| Recover | 2025-01-03 11:00 UTC | 2025-01-03 11:00 UTC | skipped |" in text
    assert "| Confirm | 2025-01-03 11:00 UTC | not yet |" in text
    assert "- Time to detect: 30m" in text
    assert "- Time to recover: 1h" in text
    assert "- Time to resolve: n/a" in text
    assert "Linked alerts:\n\n- HighErrorRate (firing)" in text


def test_start_prefills_impact_with_the_incident_fields_downtime_and_cost(coe):
    assert section(coe, SectionKey.IMPACT).body.splitlines() == [
        "- Customer impact: Card payments failed at checkout",
        "- Customers affected: 1200",
        "- Blast radius: eu-west-1, cell-7",
        "- Affected services: Checkout API",
        "- Downtime: 1h",
        "- Estimated cost: $60,000",
    ]


def test_start_lists_resolved_alerts_with_their_status(user, service):
    incident = recovered_incident(
        actor=user,
        service=service,
        alerts=[("HighErrorRate", AlertStatus.RESOLVED), ("CheckoutLatency", AlertStatus.ACKNOWLEDGED)],
    )

    text = section(services.coe_start(incident_id=incident.pk, actor=user), SectionKey.DATA).body

    assert "- HighErrorRate (resolved)" in text
    assert "- CheckoutLatency (acknowledged)" in text


def test_start_without_alerts_has_no_alerts_in_data(user, service):
    incident = recovered_incident(actor=user, service=service)

    assert (
        "Linked alerts" not in section(services.coe_start(incident_id=incident.pk, actor=user), "data").body
    )


def test_start_leaves_sections_four_to_six_empty(coe):
    for key in (SectionKey.CONTRIBUTING_FACTORS, SectionKey.LESSONS, SectionKey.PREVENTION):
        assert (section(coe, key).body, section(coe, key).prefill) == ("", "")


def test_start_keeps_the_prefill_to_tell_written_from_unwritten(coe):
    for key in (SectionKey.WHAT_HAPPENED, SectionKey.DATA, SectionKey.IMPACT):
        written = section(coe, key)
        assert written.body and written.prefill == written.body
        assert not services.section_written(written)


@pytest.mark.parametrize(
    ("severity", "due"),
    [("SEV1", date(2025, 1, 10)), ("SEV2", date(2025, 1, 10)), ("SEV3", date(2025, 1, 17)), ("SEV4", None)],
)
def test_start_due_date_follows_the_severity_from_the_recovery_day(user, service, severity, due):
    incident = recovered_incident(actor=user, service=service, severity=severity)

    assert services.coe_start(incident_id=incident.pk, actor=user).due_on == due


def test_start_of_an_unrecovered_incident_counts_from_today(user, team):
    incident = factories.incident(actor=user, team=team, severity="SEV1")

    coe = services.coe_start(incident_id=incident.pk, actor=user)

    assert coe.due_on == policy.add_business_days(timezone.now().date(), 5)


def test_start_owner_defaults_to_the_commander(user, service):
    commander = factories.user("cmdr")
    incident = recovered_incident(actor=user, service=service, commander=commander)

    assert services.coe_start(incident_id=incident.pk, actor=user).owner == commander


def test_start_owner_without_commander_is_the_actor(incident, user):
    assert incident.commander is None
    assert services.coe_start(incident_id=incident.pk, actor=user).owner == user


def test_start_an_explicit_owner_wins_over_the_commander(user, service):
    incident = recovered_incident(actor=user, service=service, commander=factories.user())
    owner = factories.user()

    assert services.coe_start(incident_id=incident.pk, actor=user, owner=owner).owner == owner


def test_start_records_a_started_event(coe, user):
    assert list(CoeEvent.objects.filter(coe=coe).values_list("kind", "actor")) == [
        (CoeEventKind.STARTED, user.pk)
    ]


def test_start_twice_raises_conflict_naming_the_existing_coe(coe, incident, user):
    with pytest.raises(errors.Conflict) as caught:
        services.coe_start(incident_id=incident.pk, actor=factories.user())

    assert caught.value.code == "coe_exists"
    assert caught.value.extra == {"coe_id": coe.pk}
    assert incident.reference in caught.value.message
    assert Coe.objects.filter(incident=incident).count() == 1
    assert Section.objects.filter(coe__incident=incident).count() == 6


def test_start_unknown_incident_raises_not_found(user):
    with pytest.raises(errors.NotFound):
        services.coe_start(incident_id=987654, actor=user)
    assert not Coe.objects.exists()


# --- coe_section_save ---------------------------------------------------------------------------


def test_section_save_bumps_the_version_and_adds_a_revision(coe, user):
    writer = factories.user("bob")

    saved = save(coe, SectionKey.LESSONS, "We learned that configs need schemas.", base=1, actor=writer)

    assert (saved.version, saved.body, saved.updated_by) == (
        2,
        "We learned that configs need schemas.",
        writer,
    )
    assert section(coe, SectionKey.LESSONS).version == 2
    assert revisions(coe, SectionKey.LESSONS) == [
        (1, "", None),
        (2, "We learned that configs need schemas.", None),
    ]
    assert Revision.objects.get(section__coe=coe, section__key="lessons", version=2).author == writer


def test_section_save_each_save_is_a_new_version(coe, user):
    for number, text in enumerate(["one", "two", "three"], start=2):
        assert save(coe, SectionKey.LESSONS, text, actor=user).version == number

    assert [v for v, _, _ in revisions(coe, SectionKey.LESSONS)] == [1, 2, 3, 4]


def test_section_save_touches_only_its_own_section(coe, user):
    before = {s.key: (s.body, s.version) for s in coe.sections.exclude(key="impact")}

    save(coe, SectionKey.IMPACT, "Rewritten impact", actor=user)

    assert {s.key: (s.body, s.version) for s in coe.sections.exclude(key="impact")} == before


def test_section_save_of_the_same_text_is_a_no_op(coe, user):
    save(coe, SectionKey.LESSONS, "Same", actor=user)
    before = frozen(coe)

    again = save(coe, SectionKey.LESSONS, "Same", base=2, actor=factories.user())

    assert again.version == 2
    assert frozen(coe) == before


def test_section_save_of_the_unchanged_prefill_is_a_no_op(coe, user):
    before = frozen(coe)

    save(coe, SectionKey.DATA, section(coe, SectionKey.DATA).body, base=1, actor=user)

    assert frozen(coe) == before


def test_two_saves_on_the_same_base_version_one_wins_the_other_conflicts_and_nothing_is_lost(coe, user):
    alice_text, bob_text = "Alice's lessons", "Bob's lessons"
    bob = factories.user("bob")
    save(coe, SectionKey.LESSONS, alice_text, base=1, actor=user)
    before = frozen(coe)

    with pytest.raises(services.SectionConflict) as caught:
        save(coe, SectionKey.LESSONS, bob_text, base=1, actor=bob)

    conflict = caught.value
    assert conflict.status == 409
    assert conflict.code == "stale_section"
    assert conflict.extra == {
        "section": "lessons",
        "current_version": 2,
        "current_body": alice_text,
        "base_version": 1,
    }
    assert "Your text is kept" in conflict.message
    assert frozen(coe) == before
    assert not Revision.objects.filter(body=bob_text).exists()


def test_section_save_after_a_conflict_based_on_the_current_version_goes_through(coe, user):
    save(coe, SectionKey.LESSONS, "Alice", base=1, actor=user)
    with pytest.raises(services.SectionConflict) as caught:
        save(coe, SectionKey.LESSONS, "Bob", base=1, actor=user)

    merged = save(
        coe, SectionKey.LESSONS, "Alice\n\nBob", base=caught.value.extra["current_version"], actor=user
    )

    assert (merged.version, merged.body) == (3, "Alice\n\nBob")


def test_section_save_with_the_same_text_on_a_stale_version_still_conflicts(coe, user):
    save(coe, SectionKey.LESSONS, "Same", base=1, actor=user)

    with pytest.raises(services.SectionConflict):
        save(coe, SectionKey.LESSONS, "Same", base=1, actor=user)


def test_section_save_on_a_version_from_the_future_conflicts(coe, user):
    before = frozen(coe)

    with pytest.raises(services.SectionConflict) as caught:
        save(coe, SectionKey.LESSONS, "text", base=7, actor=user)

    assert caught.value.extra["current_version"] == 1
    assert frozen(coe) == before


def test_section_save_on_an_approved_coe_is_refused_as_read_only(coe, user):
    approve(coe, actor=user)
    before = frozen(coe)

    with pytest.raises(errors.Conflict) as caught:
        save(coe, SectionKey.LESSONS, "Late edit", actor=user)

    assert not isinstance(caught.value, services.SectionConflict)
    assert caught.value.code == "coe_read_only"
    assert caught.value.extra == {"state": CoeState.APPROVED}
    assert frozen(coe) == before


def test_section_save_in_review_is_still_allowed(coe, user):
    factories.coe_complete(coe, actor=user)
    services.coe_submit(coe_id=coe.pk, actor=user, reviewers=[factories.user()])

    assert save(coe, SectionKey.LESSONS, "Clarified while in review", actor=user).body == (
        "Clarified while in review"
    )


def test_section_save_accepts_exactly_100000_characters(coe, user):
    assert len(save(coe, SectionKey.LESSONS, "x" * 100_000, actor=user).body) == 100_000


def test_section_save_over_100000_characters_is_refused(coe, user):
    before = frozen(coe)

    with pytest.raises(errors.ValidationFailed) as caught:
        save(coe, SectionKey.LESSONS, "x" * 100_001, actor=user)

    assert caught.value.extra == {"field": "body"}
    assert frozen(coe) == before


def test_section_save_unknown_key_is_refused(coe, user):
    with pytest.raises(errors.ValidationFailed) as caught:
        services.coe_section_save(coe_id=coe.pk, key="summary", body="x", base_version=1, actor=user)

    assert caught.value.extra == {"field": "key"}


def test_section_save_unknown_coe_raises_not_found(user):
    with pytest.raises(errors.NotFound):
        services.coe_section_save(coe_id=987654, key="lessons", body="x", base_version=1, actor=user)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("", id="empty"),
        pytest.param("  \n\t ", id="blank"),
        pytest.param(GUIDANCE[SectionKey.LESSONS].good, id="the-guidance"),
    ],
)
def test_section_written_is_false_for_empty_blank_or_guidance_text(coe, user, body):
    save(coe, SectionKey.LESSONS, "something", actor=user)

    assert not services.section_written(save(coe, SectionKey.LESSONS, body, actor=user))


def test_section_written_is_false_for_the_prefill_with_extra_whitespace(coe, user):
    prefilled = section(coe, SectionKey.IMPACT).body

    assert not services.section_written(save(coe, SectionKey.IMPACT, f"\n{prefilled}\n\n", actor=user))


def test_section_written_is_true_for_an_edited_prefill(coe, user):
    edited = section(coe, SectionKey.IMPACT).body + "\n- About 4% of orders failed."

    assert services.section_written(save(coe, SectionKey.IMPACT, edited, actor=user))


# --- coe_section_restore ------------------------------------------------------------------------


def test_restore_makes_an_old_version_current_as_a_new_revision(coe, user):
    prefilled = section(coe, SectionKey.IMPACT).body
    save(coe, SectionKey.IMPACT, "second", actor=user)
    save(coe, SectionKey.IMPACT, "third", actor=user)
    restorer = factories.user("restorer")

    restored = services.coe_section_restore(coe_id=coe.pk, key="impact", version=1, actor=restorer)

    assert (restored.version, restored.body, restored.updated_by) == (4, prefilled, restorer)
    assert revisions(coe, SectionKey.IMPACT) == [
        (1, prefilled, None),
        (2, "second", None),
        (3, "third", None),
        (4, prefilled, 1),
    ]
    assert Revision.objects.get(section__coe=coe, section__key="impact", version=4).author == restorer


def test_restore_then_save_on_the_restored_version_goes_through(coe, user):
    save(coe, SectionKey.LESSONS, "second", actor=user)
    services.coe_section_restore(coe_id=coe.pk, key="lessons", version=1, actor=user)

    assert save(coe, SectionKey.LESSONS, "fourth", base=3, actor=user).version == 4


def test_restore_makes_a_save_based_on_the_old_version_conflict(coe, user):
    save(coe, SectionKey.LESSONS, "second", actor=user)
    services.coe_section_restore(coe_id=coe.pk, key="lessons", version=1, actor=user)

    with pytest.raises(services.SectionConflict):
        save(coe, SectionKey.LESSONS, "based on v2", base=2, actor=user)


def test_restore_of_a_version_that_does_not_exist_raises_not_found(coe, user):
    before = frozen(coe)

    with pytest.raises(errors.NotFound) as caught:
        services.coe_section_restore(coe_id=coe.pk, key="lessons", version=9, actor=user)

    assert caught.value.extra == {"version": 9}
    assert frozen(coe) == before


def test_restore_on_an_approved_coe_is_refused(coe, user):
    approve(coe, actor=user)
    before = frozen(coe)

    with pytest.raises(errors.Conflict) as caught:
        services.coe_section_restore(coe_id=coe.pk, key="lessons", version=1, actor=user)

    assert caught.value.code == "coe_read_only"
    assert frozen(coe) == before


def test_restore_unknown_section_raises_not_found(coe, user):
    before = frozen(coe)

    with pytest.raises(errors.NotFound):
        services.coe_section_restore(coe_id=coe.pk, key="summary", version=1, actor=user)

    assert frozen(coe) == before


# --- concurrency (PostgreSQL row locks) ---------------------------------------------------------


def run_together(*targets) -> list[object]:
    """Run each target in its own thread (own connection), released at once; their results or errors."""
    barrier = threading.Barrier(len(targets))
    outcomes: list[object] = []

    def run(target) -> None:
        try:
            barrier.wait(timeout=5)
            outcomes.append(target())
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return outcomes


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_on_the_same_version_make_one_revision_and_one_conflict(user, team):
    coe = factories.coe(actor=user, team=team)
    bob = factories.user("bob")

    def write(text: str, actor):
        return lambda: services.coe_section_save(
            coe_id=coe.pk, key="lessons", body=text, base_version=1, actor=actor
        )

    outcomes = run_together(write("Alice's text", user), write("Bob's text", bob))

    saved = [o for o in outcomes if isinstance(o, Section)]
    conflicts = [o for o in outcomes if isinstance(o, services.SectionConflict)]
    assert (len(saved), len(conflicts)) == (1, 1), outcomes
    current = section(coe, SectionKey.LESSONS)
    assert (current.version, current.body) == (2, saved[0].body)
    assert conflicts[0].extra["current_body"] == saved[0].body
    assert conflicts[0].extra["current_version"] == 2
    assert len(revisions(coe, SectionKey.LESSONS)) == 2


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_make_one_coe_and_one_conflict(user, team):
    incident = factories.incident(actor=user, team=team)
    first_open = threading.Event()
    release = threading.Event()
    outcomes: list[object] = []

    def first() -> None:
        """Start, and hold the transaction open until the second start has queued behind it."""
        try:
            with transaction.atomic():
                outcomes.append(services.coe_start(incident_id=incident.pk, actor=user))
                first_open.set()
                release.wait(timeout=10)
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    def second() -> None:
        first_open.wait(timeout=10)
        try:
            outcomes.append(services.coe_start(incident_id=incident.pk, actor=user))
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_open.wait(timeout=10)
    deadline = time.monotonic() + 5
    with connection.cursor() as cursor:  # until the second start waits on a lock the first one holds
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
    release.set()
    for thread in threads:
        thread.join(timeout=20)

    assert Coe.objects.filter(incident=incident).count() == 1
    assert sorted(type(o).__name__ for o in outcomes) == ["Coe", "Conflict"], outcomes
