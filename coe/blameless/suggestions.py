"""Suggestions that fit what was found: the family of blame, who it was aimed at, and what it was about.

A finding's suggestion names the family ("an idiom of blame", "a punishment") and offers a rewrite of
the sentence with the system as its subject, built from the thing the sentence is about: the object
after the predicate ("botched the cutover" is about the cutover) or, in a passive, its subject ("the
config was broken by Dave" is about the config). The rewrite is a starting point, not a finished
sentence: it asks for the condition the author has to find.
"""

import re

_DETERMINER = re.compile(r"\b(?:the|a|an|our|its|this|that|these|those)\s+", re.I)
_CLAUSE_END = re.compile(
    r"[,;:.!?()]|\s(?:and|but|because|since|so|which|who|when|after|before|by|without|this|it|we|would|"
    r"then)\s"
)
_CLAUSE_MARKS = re.compile(r"[,;:.!?()]")
_PREPOSITIONS = frozenset(
    ["for", "during", "at", "in", "on", "with", "from", "into", "onto", "to", "over", "under", "again"]
)
_MARKUP = re.compile(r"[`*_\"'<>\[\]]")
_LEAD = re.compile(r"^\s*(?:to\s+\w+\s+|on\s+|up\s+|with\s+|it\s+|in\s+)?", re.I)

_FAMILY_NAMES = {
    "fault": "fault aimed at a person",
    "blame": "blame aimed at a person",
    "responsibility": "a person named as the cause or held to account",
    "punishment": "a punishment or correction of a person",
    "idiom": "an idiom of blame",
    "performance": "a judgement of how a person performed",
    "omission": "a person's omission given as the cause",
    "counterfactual": "hindsight about a person",
    "passive": "a person named as the agent of the damage",
    "judgement": "a judgement of a person or their work",
    "human-error": '"human error" given as a cause',
}


def family_name(family: str) -> str:
    return _FAMILY_NAMES.get(family, family)


def _thing_after(sentence: str, end: int) -> str:
    rest = _LEAD.sub("", sentence[end:])
    clause = _CLAUSE_END.split(" " + rest, maxsplit=1)[0].strip()
    words = clause.split()[:6]
    for index, word in enumerate(words[1:], start=1):
        if word.lower() in _PREPOSITIONS:  # "the disk alerts for a whole weekend": the disk alerts
            words = words[:index]
            break
    if not words:
        return ""
    phrase = " ".join(words)
    found = _DETERMINER.search(phrase)
    return phrase[found.start() :] if found else phrase


def _thing_before(sentence: str, start: int) -> str:
    head = _CLAUSE_MARKS.split(sentence[:start])[-1].strip()
    words = head.split()[-6:]
    phrase = " ".join(words)
    starts = [match.start() for match in _DETERMINER.finditer(phrase)]
    return phrase[starts[-1] :] if starts else phrase


def thing(sentence: str, start: int, end: int, family: str) -> str:
    """What the flagged words are about, in a few words, or "the change" when nothing is found."""
    found = _thing_before(sentence, start) if family == "passive" else _thing_after(sentence, end)
    found = _MARKUP.sub("", found).strip()
    return found or "the change"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def suggest(family: str, *, words: str, who: str, about: str, verb: str = "") -> str:
    """The suggestion for one finding. `words` are the flagged words, `who` the person they aim at (or
    ""), `about` what the sentence is about, `verb` the predicate (for omissions)."""
    who = who or "a person"
    if who.split()[0] in ("The", "A", "An", "Our", "This", "That"):
        who = who[0].lower() + who[1:]
    quoted = f'"{" ".join(words.split())}"'
    if family in ("fault", "blame", "responsibility"):
        return (
            f"{_cap(family_name(family))}: {quoted} makes {who} the cause. Name no culprit; write what "
            f'failed and what let it, e.g. "{_cap(about)} failed, and no safeguard (review, validation, '
            'alert) stopped it." Then ask which condition made the failure likely.'
        )
    if family == "judgement":
        return (
            f"{_cap(family_name(family))}: {quoted} judges character, not conditions. State the action and "
            f'what made it likely, e.g. "Nothing about {about} (a check, a default, a confirmation) made '
            'the safe way the easy one."'
        )
    if family == "punishment":
        return (
            f"{_cap(family_name(family))}: {quoted} corrects {who}, which teaches people to hide mistakes. "
            f'Replace it with a change to the system, e.g. "Add a guardrail so that {about} cannot go '
            'wrong the same way (a check in the pipeline, a confirmation, a dry run)."'
        )
    if family == "idiom":
        return (
            f"{_cap(family_name(family))}: {quoted} blames {who} without saying what happened. Describe "
            f'it neutrally, e.g. "{_cap(about)} did not go as planned: <the step that failed>, and what '
            'the tooling showed at that moment."'
        )
    if family == "performance":
        return (
            f"{_cap(family_name(family))}: {quoted} judges {who}'s attention or speed. Ask what competed "
            f'for it, e.g. "The signal about {about} was easy to miss: <how many alerts were firing, '
            'where this one arrived, how long the shift had been>."'
        )
    if family == "passive":
        return (
            f"{_cap(family_name(family))}: {quoted} puts {who} behind the damage. Put the system first, "
            f'e.g. "{_cap(about)} changed in a way nothing validated; <the check that would have '
            'caught it> was missing."'
        )
    if family == "counterfactual" or verb == "hindsight":
        return (
            f"Replace hindsight with the conditions at the time: {quoted} says what {who} should have "
            f'done. Write what was known then, e.g. "Nothing at the time showed that {about} needed '
            'attention; <the alert or check that would show it> did not exist."'
        )
    if family == "omission":
        if verb == "forget":
            return (
                f"Don't rely on memory: {quoted} makes {who}'s forgetting the cause. Ask what the process "
                f'depended on someone remembering, e.g. "Nothing reminded or checked that {about} was '
                'done; a checklist step or automation could carry it."'
            )
        return (
            f"{_cap(family_name(family))}: {quoted}. Rewrite it as a gap in the process, e.g. "
            f'"{_cap(about)} was not checked, and nothing in the process required or automated that '
            'check." Then ask why the step looked skippable at the time.'
        )
    return ""
