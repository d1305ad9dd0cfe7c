"""The blameless-language check, pure: strings in, findings out, no database."""

import dataclasses

import pytest

from coe import blameless
from coe.blameless import Finding, Severity, lint
from coe.blameless import people as blameless_people
from tests.coe import blameless_data
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


# --- Issue 10: families of blame, look-alikes, people without a user list --------------------------

FB, PBV, CF, J = "fault-blame-person", "person-blame-verb", "counterfactual-person", "judgement"


@pytest.mark.parametrize(
    ("text", "rule", "family", "words"),
    [
        ("Dave forgot to run the migration, it was his fault.", FB, "fault", "his fault"),
        ("The outage is on Jenny.", FB, "fault", "The outage is on Jenny"),
        ("Honestly, this one is on the storage team.", FB, "fault", "this one is on the storage team"),
        ("Marek's mistake took the API down.", FB, "fault", "Marek's mistake"),
        ("We blame the intern.", FB, "blame", "blame the intern"),
        (
            "The storage team is the reason this happened.",
            FB,
            "responsibility",
            "The storage team is the reason",
        ),
        (
            "Whoever merged that needs to answer for it.",
            FB,
            "responsibility",
            "Whoever merged that needs to answer for",
        ),
        ("Kofi is responsible for the outage.", FB, "responsibility", "Kofi is responsible for the outage"),
        ("Tomasz should be fired.", FB, "punishment", "Tomasz should be fired"),
        ("Put the new hire on a PIP.", FB, "punishment", "PIP"),
        ("- [ ] Retrain Ingrid on the deploy tool", FB, "punishment", "Retrain Ingrid"),
        ("Lena botched the cutover.", FB, "idiom", "Lena botched"),
        ("The DBA dropped the ball on the backups.", FB, "idiom", "The DBA dropped the ball"),
        ("Someone screwed up the firewall rules.", FB, "idiom", "Someone screwed up"),
        ("Nobody on call was watching the dashboard.", PBV, "performance", "Nobody on call was watching"),
        ("The on-call was asleep at the wheel.", PBV, "performance", "The on-call was asleep"),
        ("Dave showed poor judgment.", J, "judgement", "poor judgment"),
        ("The config was broken by Dave.", PBV, "passive", "was broken by Dave"),
        ("The outage happened because Priya didn't check the diff.", PBV, "omission", "Priya didn't check"),
        ("If Jenny had read the runbook, we would know.", CF, "counterfactual", "If Jenny had read"),
    ],
)
def test_lint_family_of_blame_is_found_with_its_rule_family_and_words(text, rule, family, words):
    findings = lint(text, people=())
    assert [(f.rule, f.family, text[f.start : f.end]) for f in findings][-1:] == [(rule, family, words)]


@pytest.mark.parametrize(
    "text",
    [
        # a person doing a neutral action
        "Dave ran the migration at 10:42.",
        "The postmortem was written up by Lena.",
        # systems as subjects
        "The health check failed to detect the stuck worker.",
        "The Kubernetes operator failed to reconcile the deployment.",
        # first-person self-criticism
        "We missed the alert.",
        "I forgot to update the status page.",
        # fault tolerance, injection, domains; faults of things
        "The service is built for fault tolerance across zones.",
        "We ran a fault injection test on Tuesday.",
        "Each fault domain has its own switch.",
        "The fault lies in the retry loop.",
        # git blame and blameless statements
        "`git blame` points at the 2021 refactor.",
        "I ran git blame on the config file.",
        "No one is to blame; the runbook was out of date.",
        # teams in neutral sentences, "responsible for" in role descriptions
        "The storage team upgraded the cluster on Monday.",
        "The payments team is responsible for the checkout API.",
        "The scheduler is responsible for retrying jobs.",
        # blame words in other senses
        "The alert fired at 03:12.",
        "The pager is on Jenny this week.",
        "The cache is lazy-loaded on first use.",
        "Run `pip install names` in the image.",
        # what a person did not do, with the system as the cause
        "Priya didn't get the page because the routing rule was wrong.",
    ],
)
def test_lint_neutral_look_alike_has_no_finding(text):
    assert lint(text, people=()) == []


def test_lint_possessive_and_fault_aimed_at_a_person_are_blocking_and_performance_is_a_warning():
    (fault,) = lint("It was Sam's fault.")
    (possessive,) = lint("This is on Sam.")
    (slow,) = lint("Sam was too slow to respond to the page.")
    assert fault.severity == possessive.severity == Severity.BLOCKING
    assert slow.severity == Severity.WARNING


def test_lint_suggestions_name_the_family_and_rewrite_around_what_the_sentence_is_about():
    (idiom,) = lint("Lena botched the cutover.")
    (punishment,) = lint("The intern should be retrained on production access.")
    (passive,) = lint("The config was broken by Dave.")
    assert "idiom of blame" in idiom.suggestion and '"The cutover did not go as planned' in idiom.suggestion
    assert "punishment" in punishment.suggestion and "production access" in punishment.suggestion
    assert "the intern" in punishment.suggestion
    assert '"The config changed' in passive.suggestion
    assert len({idiom.suggestion, punishment.suggestion, passive.suggestion}) == 3


def test_lint_chat_mentions_and_lexicon_names_in_lower_case_count_as_people():
    assert phrases("[16:20] <ops> @kev broke prod again", people=()) == [("fault-blame-person", "@kev broke")]
    assert phrases("[16:20] <ops> mike dropped the ball", people=()) == [
        ("fault-blame-person", "mike dropped the ball")
    ]


def test_lexicon_is_loaded_once_lazily_and_holds_census_first_names():
    blameless_people.lexicon.cache_clear()
    lint("Lena botched the cutover.")
    lint("Dave forgot the flag.")
    assert blameless_people.lexicon.cache_info().misses == 1
    names = blameless_people.lexicon()
    assert {"mary", "james", "jennifer", "dave"} <= names and len(names) > 5000


# --- Issue 10: the fresh labeled set -----------------------------------------------------------------


def test_fresh_set_is_large_balanced_split_in_two_and_new():
    tuning, test = blameless_data.load("tuning"), blameless_data.load("test")
    everything = tuning + test
    assert len(everything) >= 600
    assert 0.4 <= sum(s.blameful for s in everything) / len(everything) <= 0.6
    assert not {s.text for s in tuning} & {s.text for s in test}
    assert len({s.text for s in everything}) == len(everything)
    assert not {" ".join(s.text.lower().split()) for s in everything} & {
        " ".join(c.text.lower().split()) for c in CASES
    }
    families = {s.family for s in tuning if s.blameful}
    assert families >= {"fault", "blame", "responsibility", "punishment", "performance", "idiom", "judgment"}
    assert families >= {"passive", "omission"}
    classes = {s.family for s in tuning if not s.blameful}
    assert classes >= {"neutral_action", "system_subject", "self_criticism", "fault_tolerance", "git_blame"}
    assert classes >= {"team_neutral", "responsible_for", "lookalike"}


def test_lint_on_the_tuning_part_meets_the_targets():
    # Only the tuning part is asserted; the held-out test part's figures are printed by
    # `make bench-blameless`, never asserted, so no tuning can creep in through CI failures.
    samples = blameless_data.load("tuning")
    flagged = [bool(lint(s.text)) for s in samples]
    tp = sum(f and s.blameful for f, s in zip(flagged, samples, strict=True))
    fp = sum(f and not s.blameful for f, s in zip(flagged, samples, strict=True))
    fn = sum(not f and s.blameful for f, s in zip(flagged, samples, strict=True))
    assert tp / (tp + fp) >= 0.90
    assert tp / (tp + fn) >= 0.85


# --- The generic rule: a person and a negative evaluation of their conduct ---------------------------


@pytest.mark.parametrize(
    ("text", "rule", "family", "words"),
    [
        # verbs of damage (idioms of blame, blocking), in any inflection
        ("Ines mangled the routing table during the cutover.", "fault-blame-person", "idiom", "Ines mangled"),
        ("jorge trashed the prod cache again", "fault-blame-person", "idiom", "jorge trashed"),
        ("Dana botches every cutover.", "fault-blame-person", "idiom", "Dana botches"),
        ("Dana is botching the cutover.", "fault-blame-person", "idiom", "Dana is botching"),
        (
            "Rahim logged in and nuked the cluster.",
            "fault-blame-person",
            "idiom",
            "Rahim logged in and nuked",
        ),
        ("Lars half-assed the capacity review.", "fault-blame-person", "idiom", "Lars half-assed"),
        # neglect and poor performance (warnings)
        ("Priyanka neglected the disk alerts.", "person-blame-verb", "omission", "Priyanka neglected"),
        (
            "Pete went ahead and ignored the freeze.",
            "person-blame-verb",
            "performance",
            "Pete went ahead and ignored",
        ),
        ("He didn't even glance at the diff.", "person-blame-verb", "omission", "He didn't even glance"),
        (
            "Yusuf let the certificate lapse.",
            "person-blame-verb",
            "omission",
            "Yusuf let the certificate lapse",
        ),
        ("She was not careful with the flags.", "person-blame-verb", "performance", "She was not careful"),
        # judging words predicated of the person, owned by them, or of their work product (blocking)
        ("The DBA was way too casual with DROP.", "judgement", "judgement", "The DBA was way too casual"),
        ("Felipe is the weakest link on this rotation.", "judgement", "judgement", "Felipe is the weakest"),
        (
            "Our contractor is hopeless with Terraform.",
            "judgement",
            "judgement",
            "Our contractor is hopeless",
        ),
        ("Greta's sloppy rollback made it worse.", "judgement", "judgement", "sloppy"),
        ("@mheinz pushed a half-baked config.", "judgement", "judgement", "@mheinz pushed a half-baked"),
        # "they" once a person was named in the sentence before
        ("Ravi joined late. They mangled the routing table.", "fault-blame-person", "idiom", "They mangled"),
        # adverbs, habits, refusals and diligence denied in other shapes
        ("Hamid blindly copied the command.", "judgement", "judgement", "Hamid blindly"),
        (
            "Giulia's team keeps shipping broken builds.",
            "judgement",
            "judgement",
            "Giulia's team keeps shipping broken",
        ),
        ("Dana refuses to follow the runbook.", "person-blame-verb", "performance", "Dana refuses to follow"),
        (
            "The on-call was not reacting to pages.",
            "person-blame-verb",
            "performance",
            "The on-call was not reacting",
        ),
        (
            "Jakub failed miserably at the handover.",
            "person-blame-verb",
            "performance",
            "Jakub failed miserably",
        ),
    ],
)
def test_lint_generic_rule_finds_a_person_whose_conduct_is_judged(text, rule, family, words):
    findings = lint(text)
    assert [(f.rule, f.family, text[f.start : f.end]) for f in findings] == [(rule, family, words)]


@pytest.mark.parametrize(
    "text",
    [
        "Olga noticed the disk was failing and paged storage.",  # the negative word is the disk's
        "Carlos rolled back the failed deploy at 09:14.",
        "Tariq found the broken link and fixed it.",
        "The broken build was reverted by Aisha.",
        "Luis spotted the sloppy quorum setting.",
        "Dave killed the stuck process.",  # harsh to VADER, routine in operations
        "Ana dumped the heap for analysis.",
        "The engineer was exhausted after a 14-hour shift.",  # a condition, not a verdict
        "Greg was too busy with another incident to see the page.",
        "The engineer was missed from the rotation after the reorg.",  # done to the person
        "We botched the cutover.",  # the first person
        "The deploy mangled the routing table.",  # a system as the subject
        "Replication ignored the lag.",  # a capitalised system word opening the sentence
        "They mangled the routing table.",  # "they" with no person named before
        "Alice missed nothing in the handoff notes.",
        "Dave never botched anything.",
        'Words like "mangled" describe the config, not Dave.',
        # what a person did not do, with a condition of the system as its cause
        "Tom missed the page because his phone was on silent.",
        "Lena skipped the canary since the pipeline marked it optional.",
        "Dave refused to approve the change.",
        "Kim failed over the database at 03:00.",
        "Omar shipped a fix for the buggy parser.",
        "Ana quickly rolled back the deploy.",
        "Kim restarted the node, skipping the drain step as the runbook allows.",
        "Dana took ages to get a VPN token because the IdP was down.",
        # responsibility for the follow-up work, not for the harm
        "Accountability for the action items sits with the platform team's manager.",
        "Responsibility for the outage review lies with Dana.",
        "Frank is accountable for the follow-up actions on this COE.",
        # the first person owning a mistake is what a COE asks for
        "I was careless with the rollback command, and the new prompt fixes that for everyone.",
        "We made a poor decision to skip the canary, and we have added it back.",
        "Max connections were exhausted by the batch job.",
        "Kim brought down the old cluster as planned.",
        "Dana thought it was safe to restart because the health check was green.",
        "Leo went home after the handover.",
        "Olga spotted the wrong version in the manifest.",
        "The operator should have been warned by the console.",
        "Root cause: the operator console allows destructive commands without confirmation.",
        "Pablo overrode the safety check, as the runbook instructs for SEV1.",
        "The SRE stood by for the rollback.",
        "Dana did nothing wrong.",
        "Ana has been nothing but helpful.",
        "Ingo is responsible for wiping the old disks every quarter.",
        "Oksana presented the performance plan for the new cluster.",
        "Dana's poor connection dropped her from the bridge.",
        "The developer responsible for the service joined the bridge.",
        "This one is on the platform team's roadmap for next quarter.",
    ],
)
def test_lint_generic_rule_leaves_systems_states_and_observers_alone(text):
    assert lint(text) == []


@pytest.mark.parametrize(
    ("text", "family", "words"),
    [
        ("Responsibility for this outage rests on the shoulders of Dana.", "responsibility", "Dana"),
        ("Accountability here clearly lies with Dorota.", "responsibility", "Dorota"),
        ("Management wants Oleg removed from the rotation.", "punishment", "Oleg removed from"),
        ("Kenta pushed straight to prod, skipping review.", "performance", "skipping"),
        ("Our DBA keeps making the same mistake with indexes.", "fault", "the same mistake"),
        ("The responder took ages to open the dashboard.", "performance", "took ages"),
        ("The whole outage is squarely Brandon's responsibility.", "fault", "Brandon's responsibility"),
        ("This happened because of Derek.", "responsibility", "Derek"),
        ("Vera's judgment was poor throughout the incident.", "judgement", "poor"),
        ("Classic Pavel, breaking prod on a Friday.", "idiom", "Pavel"),
        ("Max caused a 2-hour outage.", "responsibility", "caused"),
        ("It's on the QA team for letting this through.", "fault", "the QA team"),
        ("The failure lies squarely with the integrations team.", "fault", "the integrations team"),
        ("Bruno took down checkout by restarting every pod.", "idiom", "took down checkout"),
        ("Leila's team has a habit of skipping the load tests.", "performance", "skipping"),
        ("He did the rollback wrong.", "idiom", "did the rollback wrong"),
        ("A teammate thought it was fine to run DELETE.", "performance", "thought it was fine to"),
        ("HR should have a word with the on-call engineer.", "punishment", "the on-call engineer"),
        ("The on-call engineer has to be more careful.", "performance", "more careful"),
        ("Ravi runs the wrong migration again.", "idiom", "the wrong"),
        ("Priyanka shouldn't be trusted with prod access.", "judgement", "trusted"),
        ("Jo should have been fired for this.", "punishment", "fired"),
        ("Gwen sat there doing nothing while prod burned.", "performance", "doing nothing"),
        ("Milo was in way over his head with Kafka.", "performance", "over his head"),
        ("The SRE took his sweet time responding.", "performance", "sweet time"),
        ("Our intern has been nothing but trouble.", "judgement", "trouble"),
        ("The architect's poor design choices are the culprit.", "judgement", "poor"),
        ("Rohan is just not good at on-call.", "performance", "good"),
        ("The lead doesn't know what he's doing.", "performance", "doing"),
        ("Anouk dropped the production schema.", "idiom", "production"),
        ("Malik froze and did not act for twenty minutes.", "omission", "act"),
        ("The reviewer waved through a migration that dropped a column.", "performance", "through"),
        ("Caleb blew away the production cache by mistake.", "idiom", "the"),
    ],
)
def test_lint_new_structures_of_blame_end_on_their_words(text, family, words):
    (finding,) = lint(text)
    assert finding.family == family
    assert text[finding.start : finding.end].endswith(words)


def test_lint_generic_rule_suggestions_name_the_family_the_person_and_the_thing():
    idiom = lint("Ines mangled the routing table during the cutover.")[0]
    assert idiom.severity == Severity.BLOCKING
    assert '"Ines mangled" blames Ines' in idiom.suggestion
    assert '"The routing table did not go as planned' in idiom.suggestion
    omission = lint("Priyanka neglected the disk alerts for a whole weekend.")[0]
    assert omission.severity == Severity.WARNING
    assert omission.message.startswith('"Priyanka neglected": a person\'s omission')
    assert '"The disk alerts was not checked' in omission.suggestion
    forgot = lint("rsmith forgot the renewal.", people=["rsmith"])[0]
    assert "Don't rely on memory" in forgot.suggestion and "rsmith's forgetting" in forgot.suggestion


def test_negative_lexicon_is_vader_read_once_lazily_without_states_or_routine_operations():
    from coe.blameless import lexicon

    lexicon.vader_negative.cache_clear()
    words = lexicon.vader_negative()
    assert lexicon.vader_negative() is words
    assert lexicon.vader_negative.cache_info().misses == 1
    assert {"incompetent", "neglected", "reckless", "useless"} <= words
    assert not {"tired", "exhausted", "killed", "dumped", "failed"} & words
    assert 1500 < len(words) < 5000
    # inflections reach the curated words and the lexicon through the suffix rules
    assert lexicon.kind("botched", (lexicon.DAMAGE,)) == 0
    assert lexicon.kind("skipping", (lexicon.NEGLECT,)) == 0
    assert lexicon.kind("carelessness", (lexicon.JUDGING,)) == 0
    assert lexicon.kind("lazily", (lexicon.JUDGING,)) == 0
    assert lexicon.negative("sabotaged") and not lexicon.negative("restarted")


def test_late_probes_are_balanced_new_and_meet_the_targets_once_tuned_on():
    # The probes were each scored once before being tuned on (their first scores are in the data
    # README); since then they are tuning data, and this keeps a later change from undoing the fixes.
    parts = [part for part in blameless_data.PARTS if part.startswith("probe")]
    probes = [s for part in parts for s in blameless_data.load(part)]
    assert len(probes) >= 640
    assert len({s.text for s in probes}) == len(probes)
    balanced = [s for part in parts if part != "probe14" for s in blameless_data.load(part)]
    assert sum(s.blameful for s in balanced) * 2 == len(balanced)  # probe14: 24 blameful of 40
    flagged = [bool(lint(s.text)) for s in probes]
    tp = sum(f and s.blameful for f, s in zip(flagged, probes, strict=True))
    fp = sum(f and not s.blameful for f, s in zip(flagged, probes, strict=True))
    fn = sum(not f and s.blameful for f, s in zip(flagged, probes, strict=True))
    assert tp / (tp + fp) >= 0.90
    assert tp / (tp + fn) >= 0.85


def test_blind_part_scored_once_is_tuning_data_and_holds_the_targets():
    # blind.jsonl was written by someone who never saw the rules and scored once (98.0% / 67.9%); its
    # misses were then studied and fixed by general constructions, so it is tuning data since.
    samples = blameless_data.load("blind")
    assert len(samples) == 441
    flagged = [bool(lint(s.text)) for s in samples]
    tp = sum(f and s.blameful for f, s in zip(flagged, samples, strict=True))
    fp = sum(f and not s.blameful for f, s in zip(flagged, samples, strict=True))
    fn = sum(not f and s.blameful for f, s in zip(flagged, samples, strict=True))
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.90


@pytest.mark.parametrize(
    ("text", "family", "words"),
    [
        # culpability borne, owned or credited ("courtesy of")
        ("The whole mess is courtesy of the caching team.", "blame", "mess is courtesy of the caching team"),
        (
            "The release lead is ultimately culpable for the bad rollout.",
            "responsibility",
            "The release lead is ultimately culpable",
        ),
        (
            "The junior dev bears full responsibility for the wiped volume.",
            "responsibility",
            "The junior dev bears full responsibility",
        ),
        ("Marta has to own this one.", "responsibility", "Marta has to own this one"),
        # punishment: subjunctive, imperative, on the record, remedial
        (
            "Recommend that the operator on duty be formally reprimanded.",
            "punishment",
            "Recommend that the operator on duty be formally reprimanded",
        ),
        ("Bar Jonas from production changes for a quarter.", "punishment", "Bar Jonas from production"),
        ("Dock the ops team's bonus for this.", "punishment", "Dock the ops team's bonus"),
        ("Put this on Leon's permanent record.", "punishment", "Put this on Leon's permanent record"),
        (
            "The analyst to attend remedial SQL training.",
            "punishment",
            "The analyst to attend remedial SQL training",
        ),
        # performance: slowness judged, rhetorical questions, rules treated as optional, want of competence
        (
            "It took the DBA an absurdly long time to spot the lock.",
            "performance",
            "took the DBA an absurdly long",
        ),
        ("is the on-call even watching?? third page now", "performance", "is the on-call even watching"),
        (
            "Petra treats code review as a formality.",
            "performance",
            "Petra treats code review as a formality",
        ),
        (
            "The new hire lacks basic judgment around prod.",
            "performance",
            "The new hire lacks basic judgment",
        ),
        (
            "Nobody on the web team has the slightest clue how caching works.",
            "performance",
            "Nobody on the web team has the slightest clue",
        ),
        (
            "The reviewer just clicked approve and logged off.",
            "performance",
            "The reviewer just clicked approve",
        ),
        (
            "Stefan rebooted the primary against every guideline we have.",
            "performance",
            "Stefan rebooted the primary against every guideline",
        ),
        # idioms outside VADER, slang, handles, "no excuse for X"
        ("Tobias took his eye off the ball during the cutover.", "idiom", "Tobias took his eye off the ball"),
        ("ngl @marek totally borked the deploy", "idiom", "@marek totally borked"),
        (
            "There's no excuse for the contractor skipping the dry run.",
            "idiom",
            "no excuse for the contractor",
        ),
        ("Kofi's patches are always a minefield.", "idiom", "Kofi's patches are always a minefield"),
        ("srsly who nuked the cache", "idiom", "who nuked"),
        # judgements of a person's decisions
        (
            "What was the SRE even thinking, deleting the snapshot?",
            "judgement",
            "What was the SRE even thinking",
        ),
        (
            "Why on earth did Lucia decide to patch prod by hand?",
            "judgement",
            "Why on earth did Lucia decide",
        ),
        (
            "Rui's decision to disable alerts was indefensible.",
            "judgement",
            "Rui's decision to disable alerts was indefensible",
        ),
        # passive agents and omissions
        (
            "The index was dropped by accident by an engineer on the search team.",
            "passive",
            "was dropped by accident by an engineer",
        ),
        ("The rollout was stalled by Ahmed's refusal to roll back.", "passive", "by Ahmed's refusal"),
        (
            "Because the approver didn't actually run the tests, the bug shipped.",
            "omission",
            "the approver didn't actually run",
        ),
        # name-calling and sarcastic epithets
        ('"@ivo you total muppet, you wiped staging"', "blame", "you total muppet"),
        ("Some genius committed the API key to the repo.", "blame", "Some genius"),
        ("Some hotshot pushed the change at 5pm on a Friday.", "blame", "Some hotshot"),
        # object pronouns as the target ("on him", "on her" ending the clause)
        ("The outage is squarely on him.", "fault", "The outage is squarely on him"),
        ("Honestly this mess is on her.", "fault", "this mess is on her"),
        (
            "The contractor lacks the skills needed to operate the cluster.",
            "performance",
            "The contractor lacks the skills needed to operate",
        ),
    ],
)
def test_lint_constructions_of_the_blind_sets_misses_carry_over_to_new_words(text, family, words):
    found = lint(text)
    assert [(f.family, text[f.start : f.end]) for f in found][:1] == [(family, words)]


@pytest.mark.parametrize(
    "text",
    [
        "Move Aisha off the infra rotation while she is on leave.",
        "Who restarted the db? Adding it to the timeline.",
        "It took Ingrid a long time to find the bug because the logs were missing.",
        "Why did Amara decide to roll back?",
        "Why did Amara think the cache was warm?",
        "I can't believe Dave fixed it so fast.",
        "Leave it to Dave to decide.",
        "It is thanks to Dave that we recovered in ten minutes.",
        "The new dashboard is courtesy of the billing squad.",
        "Dave will own this one as the incident commander.",
        "Dave hit approve after two reviews.",
        "We don't want rubber-stamp reviews.",
        "The new hire lacks experience with Kafka, so we paired her with Priya.",
        "The effort from the platform team was huge.",
        "Dave's call to roll back was right.",
        "Ban force-pushes to main.",
        "Strip the debug headers from the response.",
        "The warning was issued to the whole team by the monitoring bot.",
        "Nobody on the team has a laptop with the VPN client.",
        "Dave treats warnings as errors in CI.",
        "who is on call tonight?",
        "HR sent the holiday calendar.",
        "Add this to Dave's review queue.",
        "The migration script was sloppy about locking, so we rewrote it.",
        "Mehmet found a careless default in the library: retries were unbounded.",
        "We took our eye off the ball on capacity planning.",
        "Hand it to her.",
        "Her change was fine.",
        "We gave her the pager.",
        "Ask him to review the diff.",
    ],
)
def test_lint_look_alikes_of_the_new_constructions_have_no_finding(text):
    assert lint(text) == []


def test_gate_regex_finds_any_of_its_needles_like_a_substring_test():
    from coe.blameless import engine

    needles = ("fault", "fa", "mistak", "take", " on ", "x y", "rm -rf")
    gate = engine._gate_re(needles)
    for text in ("a fa", "mistake", " x y ", "nothing", "tak", "rm -rf'd", " on call", "one"):
        assert bool(gate.search(text)) == any(n in text for n in needles), text
