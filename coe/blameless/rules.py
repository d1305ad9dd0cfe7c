"""The rules of the blameless check: ids, severities, descriptions and default suggestions.

The ids are stable (stored in dismissals, matched by `coe.services` for why chains); the families of
blame map onto them: fault, blame, responsibility, punishment and idioms of blame are
`fault-blame-person` (blocking: blaming a person is a verdict whatever the sentence around it);
judgements are `judgement` (blocking); negative performance, omissions and passives with a person as
the agent are `person-blame-verb` (warning: they can be plain facts of the timeline that need their
conditions added); hindsight about a person is `counterfactual-person` (warning). A finding names its
family, and its suggestion is written for that family and sentence.
"""

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str
    suggestion: str


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    rule: str
    severity: Severity
    message: str
    suggestion: str
    family: str = ""  # the family of blame found: fault, blame, punishment, idiom, omission...


HUMAN_ERROR_CAUSE = "human-error-cause"
FAULT_BLAME_PERSON = "fault-blame-person"
JUDGEMENT = "judgement"
PERSON_BLAME_VERB = "person-blame-verb"
COUNTERFACTUAL_PERSON = "counterfactual-person"

RULES: tuple[Rule, ...] = (
    Rule(
        HUMAN_ERROR_CAUSE,
        Severity.BLOCKING,
        '"Human error" or "operator error" given as a cause: it ends the investigation where it starts.',
        "Treat the action as the starting point: what did the person see, what did the tooling allow, and "
        "which conditions (alerts, runbook, time pressure) made it a reasonable thing to do?",
    ),
    Rule(
        FAULT_BLAME_PERSON,
        Severity.BLOCKING,
        "Fault, blame, responsibility, punishment or an idiom of blame aimed at a person or a team.",
        "Name no culprit. Ask which conditions let the failure happen (a missing safeguard, unclear "
        "ownership, a misleading signal) and what change makes it less likely.",
    ),
    Rule(
        JUDGEMENT,
        Severity.BLOCKING,
        'A judgement of a person or their work ("careless", "lazy", "incompetent").',
        "Drop the judgement. State the action and the conditions that made it likely: fatigue, an "
        "ambiguous interface, a missing guardrail, a rushed change window.",
    ),
    Rule(
        PERSON_BLAME_VERB,
        Severity.WARNING,
        "A person's omission or poor performance given as the cause, or a person as the agent of the damage.",
        "Ask why the action made sense at the time: what did the tooling, the alerts or the runbook show?",
    ),
    Rule(
        COUNTERFACTUAL_PERSON,
        Severity.WARNING,
        'A counterfactual about a person ("if Alice had checked ..."): hindsight, not what happened.',
        "Describe what happened and what the person knew then; ask what would make the safe action the "
        "easy one next time (a check, an alert, a default).",
    ),
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
