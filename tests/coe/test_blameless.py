"""The blameless-language check, pure: strings in, findings out, no database."""

import dataclasses

import pytest

from coe import blameless
from coe.blameless import Finding, Severity, lint
from tests.coe.blameless_cases import BLAMEFUL, CASES, NEUTRAL, PEOPLE


def phrases(text: str, people=PEOPLE) -> list[tuple[str, str]]:
    return [(finding.rule, text[finding.start : finding.end]) for finding in lint(text, people=people)]


# --- The labeled set ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(reason=case.xfail, strict=True)) if case.xfail else case
        for case in CASES
    ],
    ids=[case.text[:60] for case in CASES],
)
def test_lint_labeled_sentence_raises_one_of_its_expected_rules_or_none_when_neutral(case):
    # Issue 10 relaxed "exactly its rules" to "one of them": one finding is kept per phrase, so a
    # sentence whose two verdicts overlap ("the intern was lazy and skipped the tests") raises the
    # blocking one only, and the families now decide the rule (idioms of blame are blocking).
    found = {finding.rule for finding in lint(case.text, people=PEOPLE)}
    assert (found & case.rules) if case.blameful else not found, found


def test_labeled_set_is_large_and_balanced_and_covers_every_rule():
    assert len(CASES) >= 150
    assert len({case.text for case in CASES}) == len(CASES)
    assert min(len(BLAMEFUL), len(NEUTRAL)) >= 0.4 * len(CASES)
    assert all(case.rules for case in BLAMEFUL) and not any(case.rules for case in NEUTRAL)
    for rule in blameless.RULES:
        assert sum(rule.id in case.rules for case in BLAMEFUL) >= 10, rule.id


# --- Spans -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Root cause: human error.", [("human-error-cause", "human error")]),
        ("It was Bob's fault.", [("fault-blame-person", "Bob's fault")]),
        ("We blame the intern.", [("fault-blame-person", "blame the intern")]),
        ("The engineer was careless.", [("judgement", "careless")]),
        (
            "The on-call engineer neglected the runbook.",
            [("person-blame-verb", "The on-call engineer neglected")],
        ),
        ("Bob, who was new, failed to notice.", [("person-blame-verb", "Bob, who was new, failed to")]),
        (
            "The engineer should have checked the lag.",
            [("person-blame-verb", "The engineer should have checked")],
        ),
        ("The alert was ignored by the intern.", [("person-blame-verb", "was ignored by the intern")]),
        (
            "If Alice had checked the dashboard, we'd know.",
            [("counterfactual-person", "If Alice had checked")],
        ),
        ("Had the DBA looked, it would be fine.", [("counterfactual-person", "Had the DBA looked")]),
        ("It was Bob\u2019s fault.", [("fault-blame-person", "Bob\u2019s fault")]),
    ],
)
def test_lint_span_is_the_offending_phrase(text, expected):
    assert phrases(text) == expected


def test_lint_offsets_point_into_multi_sentence_markdown():
    text = (
        "# Root cause\n"
        "\n"
        "The deploy failed to roll back. **Bob** forgot to renew the certificate,\n"
        "which was *careless*. Error rates rose (see [the graph](https://example.com/g?a=1.2)).\n"
        "\n"
        "- Contributing factor: human error.\n"
        "- The health check failed to detect the outage.\n"
        "1. If the on-call\n"
        "   engineer had checked the dashboard, we would have known.\n"
    )
    assert phrases(text) == [
        ("person-blame-verb", "Bob** forgot"),
        ("judgement", "careless"),
        ("human-error-cause", "human error"),
        ("counterfactual-person", "If the on-call\n   engineer had checked"),
    ]
    first = lint(text, people=PEOPLE)[0]
    assert first.start == text.index("Bob") and first.end == text.index(" to renew")


def test_lint_ignores_inline_code_and_fenced_blocks():
    text = (
        "Run `git blame` and `human error` greps.\n"
        "\n"
        "```\n"
        "# Bob forgot to renew the certificate; human error\n"
        "```\n"
        "~~~sql\n"
        "-- the intern was careless\n"
        "~~~\n"
        "After the block, the engineer forgot to page.\n"
    )
    assert phrases(text) == [("person-blame-verb", "the engineer forgot")]


def test_lint_does_not_join_sentences_across_punctuation_or_blank_lines():
    assert phrases("I paged Bob. Forgot the rest of the steps.") == []
    assert phrases("The handoff went to Bob\n\nforgot: the certificate list") == []
    assert phrases("The owner was Bob (e.g. the primary) and Bob simply forgot.") == [
        ("person-blame-verb", "Bob simply forgot")
    ]


def test_lint_soft_line_break_inside_a_paragraph_keeps_the_sentence():
    assert phrases("The on-call\nengineer forgot to escalate.") == [
        ("person-blame-verb", "The on-call\nengineer forgot")
    ]


def test_lint_findings_are_ordered_by_position():
    text = "Bob forgot. The intern was lazy. Root cause: human error. It was Alice's fault."
    starts = [finding.start for finding in lint(text, people=PEOPLE)]
    assert starts == sorted(starts) and len(starts) == 4


def test_lint_empty_or_blank_text_has_no_findings():
    assert lint("") == []
    assert lint("  \n\n \t") == []


# --- People ------------------------------------------------------------------------------------------


def test_lint_names_count_without_a_user_list_and_known_names_match_case_insensitively():
    # Before issue 10 an unknown name was no person ("Dmitri forgot" passed): that was the bug.
    assert phrases("Dmitri forgot to renew the certificate.", people=()) == [
        ("person-blame-verb", "Dmitri forgot")
    ]
    assert phrases("dmitri forgot to renew the certificate.", people=()) == []
    assert phrases("dmitri forgot to renew the certificate.", people=["dmitri"]) == [
        ("person-blame-verb", "dmitri forgot")
    ]
    assert phrases("BOB FORGOT TO RENEW IT.") == [("person-blame-verb", "BOB FORGOT")]


def test_lint_name_that_is_a_common_word_counts_only_when_capitalised():
    assert phrases("Will forgot the key.", people=["will"]) == [("person-blame-verb", "Will forgot")]
    assert phrases("The job will forget its state; it will fail to resume.", people=["will"]) == []


def test_lint_names_with_regex_characters_and_usernames_are_literal():
    people = ["o'brien", "j.doe", "a+b", "x"]
    assert phrases("J.doe forgot the flag.", people=people) == [("person-blame-verb", "J.doe forgot")]
    assert phrases("jxdoe forgot the flag.", people=people) == []
    assert phrases("The x forgot nothing.", people=people) == []


def test_lint_without_people_still_knows_roles_and_pronouns():
    assert phrases("The DBA forgot; she ignored the page.", people=()) == [
        ("person-blame-verb", "The DBA forgot"),
        ("person-blame-verb", "she ignored"),
    ]


# --- Severities, messages, suggestions ---------------------------------------------------------------


def test_rules_have_stable_ids_and_severities():
    assert {rule.id: rule.severity for rule in blameless.RULES} == {
        "human-error-cause": Severity.BLOCKING,
        "fault-blame-person": Severity.BLOCKING,
        "judgement": Severity.BLOCKING,
        "person-blame-verb": Severity.WARNING,
        "counterfactual-person": Severity.WARNING,
    }
    assert all(rule.description and rule.suggestion for rule in blameless.RULES)


def test_findings_carry_their_rule_severity_a_message_and_a_suggestion():
    findings = [finding for case in BLAMEFUL for finding in lint(case.text, people=PEOPLE)]
    assert {finding.rule for finding in findings} == set(blameless.RULES_BY_ID)
    for finding in findings:
        assert finding.severity == blameless.RULES_BY_ID[finding.rule].severity
        assert finding.severity in ("blocking", "warning")
        assert finding.message and finding.suggestion
        assert 0 <= finding.start < finding.end


def test_blame_verb_suggestion_fits_the_verb():
    (forgot,) = lint("Bob forgot to renew the certificate.", people=PEOPLE)
    (should,) = lint("Bob should have checked the lag.", people=PEOPLE)
    assert "memory" in forgot.suggestion
    assert "hindsight" in should.suggestion.lower()


def test_finding_is_a_frozen_dataclass_that_serialises_to_the_api_shape():
    (finding,) = lint("Root cause: human error.")
    assert isinstance(finding, Finding)
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.start = 0  # type: ignore[misc]
    assert set(dataclasses.asdict(finding)) == {
        "start",
        "end",
        "rule",
        "severity",
        "message",
        "suggestion",
        "family",
    }
    assert dataclasses.asdict(finding)["severity"] == "blocking"
