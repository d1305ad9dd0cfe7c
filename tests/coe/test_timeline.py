"""Section 1's prefill and the export list the incident's phases at their corrected stamps, in time
order, so they agree with section 2 after a correction; the export shows durations as the pages do,
the whys as a nested list and every review decision. Pure timeline cases first, then the real thing."""

from datetime import UTC, datetime, timedelta

import pytest

from coe import markdown, prefill, services
from coe.sections import SectionKey
from core.templatetags.cornerstone import duration
from incidents import services as incident_services
from incidents.phases import Phase
from tests import factories

T0 = datetime(2025, 1, 3, 10, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def phase(label: str, ended, *, skipped: bool = False) -> prefill.PhaseLine:
    return prefill.PhaseLine(label, None, ended, None, skipped)


# --- prefill.timeline (pure) ---------------------------------------------------------------------


def test_timeline_puts_the_phase_ends_among_the_events_in_time_order():
    lines = prefill.timeline(
        started_at=T0,
        phases=[phase("Detect", at(30)), phase("Evaluate", at(32)), phase("Respond", None)],
        events=[prefill.TimelineLine(at(30), "Declared"), prefill.TimelineLine(at(31), "Paged the DBA")],
    )

    assert [(line.at, line.text) for line in lines] == [
        (T0, "Impact began"),
        (at(30), "Declared"),
        (at(30), "Phase ended: Detect"),
        (at(31), "Paged the DBA"),
        (at(32), "Phase ended: Evaluate"),
    ]


def test_timeline_at_one_instant_keeps_the_phases_in_lifecycle_order_and_marks_skips():
    lines = prefill.timeline(
        started_at=None,
        phases=[phase("Respond", at(60)), phase("Recover", at(60), skipped=True)],
        events=[],
    )

    assert [line.text for line in lines] == ["Phase ended: Respond", "Phase skipped: Recover"]


def test_timeline_sorts_events_given_out_of_order():
    lines = prefill.timeline(
        started_at=None,
        phases=[],
        events=[prefill.TimelineLine(at(9), "b"), prefill.TimelineLine(at(1), "a")],
    )

    assert [line.text for line in lines] == ["a", "b"]


# --- after a correction, on the real database ----------------------------------------------------


@pytest.fixture
def incident(db, user, service):
    """Impact 10:00, declared 10:30, a note 10:35, evaluated 10:40, responded 11:00 (recover skipped)."""
    incident = factories.incident(
        actor=user, team=service.team, services_=[service], started_at=T0, detected_at=at(30)
    )
    incident_services.incident_note_add(incident_id=incident.pk, actor=user, body="Rolled back", at=at(35))
    incident_services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase=Phase.EVALUATE, at=at(40)
    )
    incident_services.incident_advance(
        incident_id=incident.pk, actor=user, expected_phase=Phase.RESPOND, through=Phase.RECOVER, at=at(60)
    )
    return incident


def correct(incident, field: str, value: datetime, *, actor) -> None:
    incident_services.incident_correct_stamp(
        incident_id=incident.pk, actor=actor, field=field, value=value, reason="The logs say otherwise"
    )


def timeline_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- 2025-")]


@pytest.mark.parametrize(
    ("corrected", "expected"),
    [
        pytest.param(
            at(32),  # earlier: now before the note
            [
                "- 2025-01-03 10:00 UTC: Impact began",
                "- 2025-01-03 10:30 UTC: Declared",
                "- 2025-01-03 10:30 UTC: Phase ended: Detect",
                "- 2025-01-03 10:32 UTC: Phase ended: Evaluate",
                "- 2025-01-03 10:35 UTC: Rolled back",
                "- 2025-01-03 11:00 UTC: Phase ended: Respond",
                "- 2025-01-03 11:00 UTC: Phase skipped: Recover",
            ],
            id="earlier",
        ),
        pytest.param(
            at(50),  # later
            [
                "- 2025-01-03 10:00 UTC: Impact began",
                "- 2025-01-03 10:30 UTC: Declared",
                "- 2025-01-03 10:30 UTC: Phase ended: Detect",
                "- 2025-01-03 10:35 UTC: Rolled back",
                "- 2025-01-03 10:50 UTC: Phase ended: Evaluate",
                "- 2025-01-03 11:00 UTC: Phase ended: Respond",
                "- 2025-01-03 11:00 UTC: Phase skipped: Recover",
            ],
            id="later",
        ),
    ],
)
def test_prefill_and_export_list_the_phases_at_their_corrected_stamps_in_order(
    incident, user, client, corrected, expected
):
    correct(incident, "evaluated_at", corrected, actor=user)

    coe = services.coe_start(incident_id=incident.pk, actor=user)
    prefilled = coe.sections.get(key=SectionKey.WHAT_HAPPENED).body
    client.force_login(user)
    exported = client.get(f"/coe/{coe.pk}/export.md").content.decode()

    assert timeline_of(prefilled) == expected
    assert timeline_of(exported.split("## Timeline", 1)[1]) == expected
    stamp = corrected.strftime("%Y-%m-%d %H:%M UTC")
    assert f"| Evaluate | 2025-01-03 10:30 UTC | {stamp} |" in coe.sections.get(key=SectionKey.DATA).body
    assert f"| Evaluate | {stamp} | {duration(corrected - at(30))} |" in exported
    assert "Time corrected" not in prefilled  # the stamps carry the correction


def test_a_corrected_detection_moves_the_declaration_with_it(incident, user):
    correct(incident, "detected_at", at(20), actor=user)

    coe = services.coe_start(incident_id=incident.pk, actor=user)
    lines = timeline_of(coe.sections.get(key=SectionKey.WHAT_HAPPENED).body)

    assert lines[1:3] == ["- 2025-01-03 10:20 UTC: Declared", "- 2025-01-03 10:20 UTC: Phase ended: Detect"]


# --- the export ----------------------------------------------------------------------------------


@pytest.fixture
def approved(incident, user):
    rita = factories.user("rita", first_name="Rita", last_name="Martin")
    sam = factories.user("sam")
    coe = factories.coe_complete(services.coe_start(incident_id=incident.pk, actor=user), actor=user)
    services.coe_submit(coe_id=coe.pk, actor=user, reviewers=[rita, sam])
    services.coe_review(coe_id=coe.pk, reviewer=sam, decision="changes_requested", comment="Add the graphs")
    services.coe_submit(coe_id=coe.pk, actor=user, reviewers=[rita])
    services.coe_review(coe_id=coe.pk, reviewer=rita, decision="approved", comment="Clear and blameless.")
    return coe


def test_export_shows_durations_as_the_pages_do(approved, client, user):
    client.force_login(user)
    text = client.get(f"/coe/{approved.pk}/export.md").content.decode()

    assert "| Detect | 2025-01-03 10:30 UTC | 30m |" in text
    assert "| Respond | 2025-01-03 11:00 UTC | 20m |" in text
    assert "| Recover | 2025-01-03 11:00 UTC | skipped |" in text
    assert f"- Time to recover: {duration(timedelta(hours=1))}" in text
    assert f"- Downtime: {duration(timedelta(hours=1))};" in text
    assert "0:30:00" not in text and "1:00:00" not in text


def test_export_lists_every_review_decision_with_who_when_and_comment(approved, client, user):
    client.force_login(user)
    text = client.get(f"/coe/{approved.pk}/export.md").content.decode()
    review = text.split("## Review", 1)[1].split("##", 1)[0]

    lines = [line for line in review.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert lines[0].startswith("- Changes requested by sam, ") and lines[0].endswith(": Add the graphs")
    assert lines[1].startswith("- Approved by Rita Martin, ") and lines[1].endswith(": Clear and blameless.")


def test_print_shows_the_whys_as_a_list_nested_in_their_factor(approved, client, user):
    client.force_login(user)
    html = client.get(f"/coe/{approved.pk}/print/").content.decode()

    assert (
        "<li><strong>The deploy pipeline let a bad config through</strong> (Process)<ol>\n"
        "<li>Why? No validation step</li>\n<li>Why? The schema was not versioned</li>\n</ol>\n</li>"
    ) in html
    assert "<li>Approved by Rita Martin," in html


def test_the_whys_markdown_nests_under_its_factor():
    html = markdown.render("- **Factor** (Process)\n    1. Why? one\n    2. Why? two\n")

    assert html.count("<ul>") == 1 and "<li><strong>Factor</strong> (Process)<ol>\n<li>Why? one</li>" in html
