"""Blameless-language check for COE documents: pure (no queries, no I/O), regexes and small word lists.

A COE never stops its investigation at a person: human error is where the questions start, not where
they end (reject the bad-apple theory). `lint(text, people=...)` finds blameful phrasing in any section
and suggests a reframing toward the system and its conditions.

  rule                   severity  what it flags
  human-error-cause      blocking  "human error", "operator error" given as a cause
  fault-blame-person     blocking  fault or blame aimed at a person: "it was Bob's fault", "we blame the
                                   intern", "the DBA was at fault", "the engineer caused the outage"
  judgement              blocking  a judgement of a person or their work: "careless", "lazy", "sloppy"
  person-blame-verb      warning   a person as the subject of a blame verb: "Bob forgot", "the on-call
                                   engineer should have checked", "the alert was ignored by the intern"
  counterfactual-person  warning   a counterfactual about a person: "if Alice had checked the dashboard"

Severities: a blocking rule matches wording that is a verdict by itself (a cause, a fault, a judgement
of character) whatever the sentence around it. A warning matches an action, which can be a plain fact of
the timeline that needs its conditions added, and depends on finding the subject of a verb, which
regexes get wrong now and then: the author should rewrite it, but a false positive must not block review.

Persons: a name from `people` (case-insensitive; a name that is also a common word, like "Will" or
"Mark", only when capitalised); a role noun (engineer, developer, operator, on-call, intern, DBA, admin,
SRE, manager, team lead, contractor, new hire...) with its determiner and modifiers, "the on-call
engineer"; "he", "she", "someone", "somebody". The ambiguous role nouns (operator, manager, admin, lead,
reviewer...) count only after a determiner or a human modifier, so "the Kubernetes operator" and "the
certificate manager" are systems. Not persons: "we" and "I" (a COE asks its authors to be self-critical
in the first person), "they" (in incident prose as often the alerts or the pods), "the team" (a team is
where a blameless review puts the learning). Names that are role words or system accounts ("admin",
"root", "deploy", "renovate[bot]") are dropped from `people`.

Left alone: a system as the subject of the same verbs ("the health check failed to detect", "the alert
should have fired"), a person as the subject of neutral verbs ("Bob restarted the service at 10:42"), a
person acted upon ("Bob should have been paged") or given something ("the engineer should have read
access"), "fault injection", "fault-tolerant", "no blame", "git blame", "lazy loading", "the operator
error log", negated or quoted mentions ("we never stop at human error", "'human error' is no cause").

Markdown: fenced and inline code are ignored, emphasis marks and link targets are blanked. Sentences end
at . ! ? and at block boundaries (blank lines, list items, headings, quotes, table rows); a soft line
break inside a paragraph does not end one. Offsets are into the original text, end exclusive.

Limits (see tests/coe/blameless_cases.py and `make bench-blameless`): one sentence at a time, so "Human
error? No: ..." is flagged; no pronoun resolution, so "they ignored both pages" is not; "human error"
said without a cue that sets it aside counts as a cause, since in a COE it nearly always is one.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


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
        "Fault or blame aimed at a person, or a person named as the cause.",
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
        'A person as the subject of a blame verb ("failed to", "forgot", "ignored", "should have").',
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

# Suggestions for person-blame-verb, by the family of the verb.
_VERB_SUGGESTIONS = {
    "forget": "Don't rely on memory: what did the process depend on someone remembering, and what "
    "reminder, checklist or automation could carry it instead?",
    "ignore": "Ask why the signal was easy to miss or discount: how many alerts were firing, where did "
    "this one arrive, and how did it look next to the others?",
    "fail": "Describe what was done and what the process expected, then ask what made the expected step "
    "hard, unclear or easy to skip (runbook, tooling, time pressure).",
    "hindsight": "Replace hindsight with the conditions at the time: what did the tooling, the alerts or "
    "the runbook show, and which guardrail would make the safe action the easy one?",
    "skip": "Ask why skipping the step looked reasonable at the time (pressure, friction, incentives), "
    "and whether the system can enforce it.",
    "mistake": "Describe the action and its effect neutrally, then ask which safeguard (validation, "
    "confirmation, dry run, review) was missing.",
}

# --- Markdown: blank what is not prose, keep every offset ------------------------------------------

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)[^\n]{1,2000}?(?<!`)\1(?!`)")
_LINK = re.compile(r"!?\[(?=[^\]\n]*\]\([^)\n]*\))|\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"\*{1,3}|~~|(?<!\w)_{1,3}(?=\w)|(?<=\w)_{1,3}(?!\w)|<!--.{0,10000}?-->", re.S)


_TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": ";", "\u2014": ";"}
)


def _mask(text: str) -> str:
    """The text with code, emphasis marks and link targets replaced by spaces (newlines kept), curly
    quotes made straight and dashes made clause breaks; every character keeps its offset."""
    chars = list(text.translate(_TYPOGRAPHY))

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    fence, pos = None, 0
    for line in "".join(chars).splitlines(keepends=True):
        opened = _FENCE_OPEN.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            blank(pos, pos + len(line))
        elif fence is not None:
            blank(pos, pos + len(line))
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
        pos += len(line)
    masked = "".join(chars)
    for match in _INLINE_CODE.finditer(masked):
        blank(*match.span())
    masked = "".join(chars)
    for match in (*_LINK.finditer(masked), *_EMPHASIS.finditer(masked)):
        indent = match.start()
        while indent > 0 and masked[indent - 1] in " \t":
            indent -= 1
        bullet = match.group() == "*" and (indent == 0 or masked[indent - 1] == "\n")
        if not bullet:  # a "*" list bullet stays: it marks where a block starts
            blank(*match.span())
    return "".join(chars)


# --- Sentences ---------------------------------------------------------------------------------------

_BLOCK_START = re.compile(r"[ \t]*(?:[-*+][ \t]|\d{1,3}[.)][ \t]|#{1,6}(?:[ \t]|$)|>|\|)")
_MARKERS = re.compile(r"(?:\s*(?:[-*+]\s+|\d{1,3}[.)]\s+|#{1,6}\s+|>\s*|\[[ xX]\]\s+|\|\s*))*")
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s|$)")
_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|mr|mrs|ms|dr)$", re.I)


def _blocks(masked: str) -> list[list[int]]:
    blocks: list[list[int]] = []
    current, closes, pos = None, True, 0
    for line in masked.split("\n"):
        end = pos + len(line)
        if not line.strip():
            current, closes = None, True
        elif closes or current is None or _BLOCK_START.match(line):
            current = [pos, end]
            blocks.append(current)
            closes = line.lstrip().startswith(("#", "|"))
        else:
            current[1] = end
        pos = end + 1
    return blocks


def _sentences(masked: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, list markers and surrounding whitespace excluded."""
    spans = []
    for block_start, block_end in _blocks(masked):
        start = _MARKERS.match(masked, block_start, block_end).end()
        for end_match in _SENTENCE_END.finditer(masked, start, block_end):
            if _ABBREVIATION.search(masked, start, end_match.start()):
                continue
            spans.append((start, end_match.end()))
            start = end_match.end()
        spans.append((start, block_end))
    result = []
    for start, end in spans:
        text = masked[start:end]
        if text.strip():
            start += len(text) - len(text.lstrip())
            result.append((start, start + len(text.strip())))
    return result


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Persons -----------------------------------------------------------------------------------------

_DETERMINERS = r"the|a|an|our|their|his|her|my|your|that|this|each|every|another|any|some"
_HUMAN_MODIFIERS = (
    r"on-?call|oncall|new|junior|senior|human|night|shift|duty|release|product|project|engineering|"
    r"incident|systems?|database|network|security|site|reliability|support|ops|devops|primary|"
    r"secondary|responding|principal|staff|backup|previous|current|other|same|remote|external|contract|"
    r"lead|data|back-?end|front-?end|platform|infra(?:structure)?|software|web|mobile|qa|sre|dba|cloud"
)
_PLAIN_ROLES = (
    r"engineers?|developers?|programmers?|interns?|dbas?|sres?|sysadmins?|contractors?|employees?|"
    r"staffers?|teammates?|colleagues?|co-?workers?|on-?callers?|oncallers?|new\s+hires?|team\s+leads?|"
    r"tech\s+leads?|incident\s+commanders?|persons?"
)
# Also names of systems ("the Kubernetes operator", "the certificate manager"): persons only after a
# determiner or a human modifier, or where a subject starts.
_AMBIGUOUS_ROLES = (
    r"operators?|managers?|admins?|administrators?|leads?|reviewers?|approvers?|responders?|commanders?|"
    r"architects?|analysts?|testers?|consultants?|devs?|qa|hires?|owners?|on-?call|oncall"
)
_AMBIGUOUS_ROLE = re.compile(_AMBIGUOUS_ROLES, re.I)
_SUBJECT_STARTERS = _words(
    "and or but then when while because so that who if by with after before as since until than "
    "blame blamed blames blaming of"
)
# First names that are also English words: a person only when capitalised.
_COMMON_WORD_NAMES = _words(
    "will may mark bill grant chase max art sue pat rich frank hope joy faith rose june april summer "
    "dawn page ray don gene jack jean lane miles nick penny rob sally sky river tom dot"
)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    text: str
    subject: bool  # can be the subject of a verb ("him" cannot)
    possessive: bool


_ERROR_NOUN = re.compile(r"[\s-]+(?:errors?|mistakes?)\b", re.I)
# Usernames of system accounts, and role words (a role has its own, stricter test): never names.
_SYSTEM_ACCOUNTS = _words(
    "admin root system deploy deployer bot ci cd ops devops test user service api alert alerts monitor "
    "monitoring jenkins github gitlab pagerduty grafana prometheus cron backup release build staging prod "
    "production demo guest support default null none nobody"
)
_BOT = re.compile(r"[-_.\[]bot\]?$|^bot[-_.]", re.I)


def _is_name(name: str) -> bool:
    return (
        len(name) > 1
        and any(char.isalpha() for char in name)
        and name.lower() not in _SYSTEM_ACCOUNTS
        and not _BOT.search(name)
        and not re.fullmatch(f"{_PLAIN_ROLES}|{_AMBIGUOUS_ROLES}", name, re.I)
    )


@lru_cache(maxsize=64)
def _person_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = []
    for name in sorted(names, key=len, reverse=True):
        escaped = r"\s+".join(re.escape(part) for part in name.split())
        if name.lower() in _COMMON_WORD_NAMES:
            escaped = f"(?-i:{escaped[0].upper()}{escaped[1:]})"
        alternatives.append(escaped)
    named = "|".join(alternatives) or r"(?!x)x"
    return re.compile(
        rf"(?<![\w@.-])(?:(?P<name>@?(?:{named}))"
        rf"|(?:(?P<det>{_DETERMINERS})\s+)?(?P<mods>(?:(?:{_HUMAN_MODIFIERS})\s+){{0,2}})"
        rf"(?P<role>{_PLAIN_ROLES}|{_AMBIGUOUS_ROLES})"
        r"|(?P<pronoun>he|she|someone|somebody)|(?P<object>him|her))"
        r"(?![\w-]|\.\w|'(?:t|ll|re|ve|d)\b)"
        r"(?:\s+(?:on\s+call|on\s+duty|on\s+shift|in\s+charge)\b)?",
        re.I,
    )


def _mentions(sentence: str, pattern: re.Pattern[str]) -> list[_Mention]:
    mentions = []
    for match in pattern.finditer(sentence):
        role = match.group("role")
        if role and _AMBIGUOUS_ROLE.fullmatch(role) and not (match.group("det") or match.group("mods")):
            before = _before(sentence, match.start())[1].rstrip()
            word = re.search(r"[\w'-]+$", before)
            if before and before[-1].isalnum() and word and word.group().lower() not in _SUBJECT_STARTERS:
                continue
        if _ERROR_NOUN.match(sentence, match.end()):
            continue  # "operator error" is the human-error rule's
        after = sentence[match.end() : match.end() + 3]
        possessive = bool(
            not match.group("pronoun")
            and (re.match(r"'s\b", after) or (match.group().lower().endswith("s") and after[:1] == "'"))
        )
        subject = not match.group("object")
        mentions.append(_Mention(match.start(), match.end(), match.group(), subject, possessive))
    return mentions


# --- Small word tests --------------------------------------------------------------------------------

_IRREGULAR_PARTICIPLES = _words(
    "known seen done run read gone made put set kept sent built caught thought brought left felt found "
    "held said told understood spent lost shut hit cut let taken given written chosen spoken begun drawn "
    "shown grown thrown forgotten broken driven woken struck stuck won got gotten heard meant paid led "
    "bought sold taught dealt stood sat hung become come learnt spelt rolled"
)
_NOT_PARTICIPLES = _words("need seed speed feed red bed shed open even often token screen then when ten")
# After "been" or "were", words that keep a person the actor ("had been more careful"), unlike a
# passive where they are acted on ("had been paged earlier").
_ACTIVE_STATE = _words(
    "more less paying watching looking checking monitoring following careful attentive faster quicker "
    "awake there around present aware focused alert"
)
# After "had": possession, not a past perfect ("if the engineer had access to the runbook").
_POSSESSION = _words(
    "the a an any no some more enough access time permission permissions his her their its write "
    "admin visibility context information training tools tooling"
)
_NEGATION = re.compile(r"\b(?:not|never|no|nobody|nothing|without|neither|nor|none)\b|n't\b", re.I)


def _participle(word: str) -> bool:
    word = word.lower()
    if word in _IRREGULAR_PARTICIPLES:
        return True
    return word not in _NOT_PARTICIPLES and re.fullmatch(r"[a-z-]{2,}(?:ed|en)", word) is not None


def _acts(word: str | None, following: str | None) -> bool:
    """Whether "had <word> <following>" (or "should have ...") keeps the person as the actor."""
    if not word:
        return False
    if word.lower() == "been":
        return (following or "").lower() in _ACTIVE_STATE
    if word.lower() in _POSSESSION or (word.lower() == "read" and (following or "").lower() == "access"):
        return False
    return _participle(word)


_WINDOW = 160  # how far before a word its context is looked for: keeps a long sentence linear


def _before(sentence: str, position: int) -> tuple[int, str]:
    """The text before `position` (at most _WINDOW characters) and the offset of its first character;
    a cut window starts with a mark, so that ^ matches only at the real start of the sentence."""
    start = position - _WINDOW
    if start <= 0:
        return 0, sentence[:position]
    return start - 2, "\0 " + sentence[start:position]


def _negated(sentence: str, position: int, words: int = 4) -> bool:
    """A negation within the last few words of the clause before `position`."""
    clause = re.split(r"[,;:(]|\bbut\b", _before(sentence, position)[1])[-1]
    return _NEGATION.search(" ".join(clause.split()[-words:])) is not None


def _quote(words: str) -> str:
    return f'"{" ".join(words.split())}"'


def _quoted(sentence: str, start: int, end: int) -> bool:
    before, after = _before(sentence, start)[1].rstrip()[-1:], sentence[end : end + 3].lstrip()[:1]
    return bool(before and after and before in "\"'" and after in "\"'")


# --- Rules on words: human error, judgements ---------------------------------------------------------

_HUMAN_ERROR = re.compile(
    r"\b(?:human|operator|user|pilot|personnel|staff|engineer|developer|admin(?:istrator)?|on-?call|manual)"
    r"[\s-]+(?:errors?|mistakes?)\b|\bhuman[\s-]+failures?\b|\bpebkac\b"
    r"|\blayer[\s-]?8\s+(?:issue|problem|error)s?\b"
    r"|\bfat[\s-]?finger(?:ed)?\s+(?:errors?|mistakes?|typos?|commands?|changes?|edits?)\b"
    r"|\b(?:a|an|the)\s+fat[\s-]?finger\b(?!ed)",
    re.I,
)
# "human error" as a modifier of a noun ("the operator error log", "user error messages").
_ERROR_AS_MODIFIER = re.compile(
    r"[\s-]+(?:budgets?|rates?|messages?|logs?|codes?|handling|pages?|counts?|metrics?|dialogs?|banners?|"
    r"texts?|strings?|paths?|responses?|class(?:es)?|types?|fields?|states?|events?|modals?|toasts?|"
    r"screens?|tracking|reporting|taxonom(?:y|ies))\b",
    re.I,
)
# Where "human error" is named to be set aside, not given as a cause.
_HUMAN_ERROR_SET_ASIDE = re.compile(
    r"(?:\b(?:not|never|no|nor|without|beyond|past|rather\s+than|instead\s+of|reject\w*|avoid\w*|"
    r"rul(?:e|es|ed|ing)\s+out|ban(?:s|ned)?|forbid\w*)\b|n't\b)(?:(?!\bbut\b).)*$"
    r"|\b(?:stop|stops|stopped|stopping|end|ends|ended|ending|halt\w*)\s+(?:[\w-]+\s+){0,3}at\s+$"
    r"|\b(?:phrase|term|label|labels|words?|concept|notion|myth|idea|category|like|such\s+as|called)"
    r"\s+(?:of\s+)?$"
    r"|\b(?:returns?|returned|returning|raises?|raised|throws?|threw|thrown|emits?|emitted|logs?|logged|"
    r"shows?|showed|shown|displays?|displayed|surfaces?|surfaced)\s+(?:an?\s+)?$",
    re.I,
)
_HUMAN_ERROR_GENERIC = re.compile(
    r"\s*(?:(?:is|was|are|were)\s+(?:not|never|rarely|seldom|inevitable|normal|expected|unavoidable|"
    r"only\s+a|a\s+(?:symptom|starting\s+point|label|consequence|given)|the\s+starting\s+point|where)\b"
    r"|(?:isn't|wasn't|aren't|weren't)\b|happens\b|will\s+happen\b)",
    re.I,
)

_JUDGEMENT_WORDS = re.compile(
    r"\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|lazy|lazily|laziness|incompeten(?:t|tly|ce|cy)|"
    r"sloppy|sloppily|sloppiness|stupid(?:ly|ity)?|reckless(?:ly|ness)?|dumb|idiot(?:s|ic|ically)?|"
    r"foolish(?:ly|ness)?|irresponsib(?:le|ly|ility)|inattentive(?:ness)?|clueless|thoughtless(?:ly|ness)?|"
    r"bone-?headed|rookie\s+(?:mistake|error)s?|amateur(?:ish)?\s+(?:mistake|error|move)s?|"
    r"unprofessional(?:ly)?|inexcusabl[ey])\b(?!-)",
    re.I,
)
# Technical terms that share the words: "lazy loading", "lazily evaluated", "sloppy quorum", "dumb pipe".
_JUDGEMENT_TECHNICAL = re.compile(
    r"(?:lazy|lazily)[\s-]+(?:load|evaluat|initiali[sz]|init|import|iterat|queryset|propert|attribut|fetch|"
    r"mode|sequence|val|static|binding|deletion|expansion|compil|migration|column|relation|list|stream|"
    r"instantiat|singleton|module|comput|creat|render|generat|construct|resolv|execut)\w*"
    r"|sloppy\s+(?:quorum|mode)s?|dumb\s+(?:terminal|pipe|client|proxy|switch|device|phone)s?",
    re.I,
)
# "words like careless or lazy": named, not used.
_MENTIONED = re.compile(
    r"\b(?:words?|terms?|phrases?|labels?|like|such\s+as|called)\s+"
    r"(?:[\w'\"-]+(?:,\s+|,?\s+(?:or|and)\s+))*$",
    re.I,
)


def _human_error(sentence: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _HUMAN_ERROR.finditer(sentence):
        before, after = _before(sentence, match.start())[1], sentence[match.end() : match.end() + _WINDOW]
        tail = " ".join(re.split(r"[,;:(]", before)[-1].split()[-6:]) + " "
        if (
            _ERROR_AS_MODIFIER.match(after)
            or _quoted(sentence, match.start(), match.end())
            or _HUMAN_ERROR_SET_ASIDE.search(tail)
            or _HUMAN_ERROR_GENERIC.match(after)
        ):
            continue
        message = f"{_quote(match.group())} given as a cause: the investigation stops at a person."
        found.append((match.start(), match.end(), message))
    return found


def _judgements(sentence: str) -> list[tuple[int, int, str]]:
    found = []
    for match in _JUDGEMENT_WORDS.finditer(sentence):
        technical = _JUDGEMENT_TECHNICAL.match(sentence, match.start())
        if (
            technical
            or _negated(sentence, match.start(), words=3)
            or _quoted(sentence, match.start(), match.end())
            or _MENTIONED.search(_before(sentence, match.start())[1])
        ):
            continue
        found.append(
            (match.start(), match.end(), f"{_quote(match.group())} judges a person, not the system.")
        )
    return found


# --- Rules on persons: blame verbs, counterfactuals, fault -------------------------------------------

_NOT = r"(?:did\s+not|didn't|never)\s+"
_VERB_FAMILIES = {
    "forget": r"forgot(?:ten)?|forgets|forgetting",
    "ignore": r"ignored|ignores|ignoring|overlooked|overlooks|missed|misses|disregarded|disregards|"
    rf"(?:chose|decided)\s+to\s+ignore|{_NOT}(?:notice|heed|pay\s+attention|look\s+at)",
    "fail": r"failed\s+to|fails\s+to|neglected|neglects|refused\s+to|(?:was|were)\s+supposed\s+to|"
    rf"never\s+bothered|{_NOT}(?:bother|follow|check|double-check|read|test|verify|validate|review|consult|"
    r"escalate)",
    "hindsight": r"should(?:\s+not|n't|\s+never)?\s+have|should've|ought\s+(?:not\s+)?to\s+have|"
    r"could(?:\s+not|n't)?\s+(?:easily\s+)?have\s+(?:prevented|avoided|caught|stopped|noticed|spotted)",
    "skip": r"skipped|skips|bypassed|bypasses|rushed|cut\s+corners",
    "mistake": r"made\s+(?:a|an|the|another|several|multiple|some|two|three)\s+(?:[\w-]+\s+)?"
    r"(?:mistakes?|errors?|blunders?|typos?)|made\s+the\s+wrong\s+(?:call|choice|decision)|messed\s+up|"
    r"screwed\s+up|slipped\s+up|botched|blundered|goofed|fat[\s-]?fingered|dropped\s+the\s+ball|"
    r"broke\s+(?:prod|production|the\s+build|the\s+site|staging|main|master|everything)",
}
_VERB = "|".join(f"(?P<{family}>{pattern})" for family, pattern in _VERB_FAMILIES.items())
_FILLER = (
    r"(?:is|was|are|were)\s+the\s+(?:one|ones|person|people)\s+(?:who|that)|"
    r"just|simply|then|also|again|still|once\s+again|had|has|have|did|does|was|were|is|are|"
    r"must\s+have|may\s+have|might\s+have|seems\s+to\s+have|appears\s+to\s+have|who|already|[a-z]+ly"
)
# After a subject: an optional ", parenthetical," then adverbs and auxiliaries, then the verb.
_BLAME_AFTER = re.compile(
    rf"(?:\s*,[^,.;:!?]{{1,60}},)?(?P<fillers>(?:\s*,\s*who|\s+(?:{_FILLER}))*)\s+(?:{_VERB})\b", re.I
)
# A second verb of the same subject, "Bob acknowledged the page but forgot to escalate", or a verb after
# a relative clause, "the engineer who ran the script should have known".
_BLAME_LATER = re.compile(
    rf"\s+(?P<relative>(?:who|that)\s+)?(?P<mid>[^.;:!?]{{1,60}}?)\s+"
    rf"(?P<joint>(?:and|but)\s+(?:(?:then|also|still|later|again|[a-z]+ly)\s+)?)?(?:{_VERB})\b",
    re.I,
)
# Words that open a clause with a subject of its own ("Bob said the check failed to ...").
_NEW_SUBJECT = re.compile(
    r"\b(?:that|which|because|when|while|after|before|since|as|so|until|where|who|it|they|its|there|"
    r"if|we|i|you|said|says|say|thought|thinks|believed|found|reported|wrote|assumed|claimed|knew|"
    r"explained|confirmed|reali[sz]ed|mentioned|noted|argued|suggested|saw|showed|shows|told|heard|"
    r"learned|learnt|expected|stated|agreed)\b",
    re.I,
)
_PASSIVE_BY = re.compile(
    r"\b(?:was|were|got|been|being|is|are)\s+(?:[a-z]+ly\s+)?(?P<verb>ignored|missed|overlooked|neglected|"
    r"forgotten|skipped|bypassed|disregarded|botched|mishandled|broken)\s+by\s+$",
    re.I,
)
_PASSIVE_ABLE = _words("ignored missed overlooked neglected forgotten skipped bypassed disregarded")
_NEXT_WORDS = re.compile(
    r"(?:\s+(?:just|also|at\s+least|first|actually|really|simply|not|never|[a-z]+ly))*"
    r"\s+(?P<word>[\w'-]+)(?:\s+(?P<following>[\w'-]+))?",
    re.I,
)

_IF_BEFORE = re.compile(r"\b(?:(?:even\s+)?if(?:\s+only)?|only\s+if)\s+$", re.I)
_HAD_BEFORE = re.compile(r"(?:^|[,;:(]\s*|\b(?:and|but|or|so)\s+)(?P<had>had)\s+$", re.I)
_IF_AUXILIARY = re.compile(
    r"(?:\s+(?:just|only|simply|actually|also|ever|[a-z]+ly))*\s+(?P<aux>had(?:\s+not|n't)?|"
    r"would(?:\s+not|n't)?\s+have|would've|were(?:\s+not|n't)?|was(?:\s+not|n't)?)\b",
    re.I,
)

_FAULT_NOUNS = r"fault|faults|mistakes?|errors?|blunders?|screw-?ups?|fuck-?ups?|oversights?|doing|failure"
_FAULT_POSSESSIVE = re.compile(
    rf"'s?\s+(?:(?:own|entire|whole)\s+)?(?:{_FAULT_NOUNS})\b(?!{_ERROR_AS_MODIFIER.pattern})"
    r"|'s\s+(?:to\s+blame|at\s+fault)\b",
    re.I,
)
_FAULT_BEFORE = re.compile(
    r"(?:\bblam(?:e|ed|es|ing)\s+(?:(?:it|this|that|everything|(?:the|this|that)\s+[\w-]+(?:\s+[\w-]+)?)"
    r"\s+on(?:to)?\s+|on(?:to)?\s+)?"
    r"|\bblame\s+(?:for\s+(?:[\w-]+\s+){1,4})?"
    r"(?:falls?|fell|lies|lay|lays|rests?|rested|goes|went|was\s+placed|is\s+placed)\s+"
    r"(?:squarely\s+|entirely\s+|solely\s+)?(?:on|onto|with)\s+"
    r"|\b(?:put|puts|putting|place[sd]?|placing|lay|laid|pin(?:s|ned)?|assign(?:s|ed)?|shift(?:s|ed)?)\s+"
    r"(?:the\s+|all\s+(?:the\s+)?|some\s+(?:of\s+the\s+)?)?blame\s+(?:squarely\s+)?(?:on|onto|with)\s+"
    r"|\bfault\s+(?:lies|lay|rests|rested|is|was)\s+(?:squarely\s+|entirely\s+|solely\s+)?with\s+"
    r"|\bfault\s+of\s+|\b(?:mistakes?|errors?|blunders?|oversights?)\s+(?:made\s+|committed\s+)?by\s+"
    r"|\b(?:came|comes|boiled|boils|was|is)\s+(?:all\s+)?down\s+to\s+"
    r"|\bculprit\s+(?:is|was)\s+|\b(?:root\s+)?cause\s*(?::|(?:is|was)\b)\s*)$",
    re.I,
)
_FAULT_AFTER = re.compile(
    r"\s+(?:(?:is|was|are|were)\s+(?:(?:entirely|solely|squarely|clearly|partly|partially|largely|mostly|"
    r"fully|ultimately|also)\s+)?(?:to\s+blame|at\s+fault|the\s+(?:real\s+|main\s+|root\s+)?"
    r"(?:culprit|cause|problem)|culpable|guilty)"
    r"|(?:(?:is|was|are|were)\s+)?(?:solely\s+|entirely\s+)?(?:responsible|accountable)\s+for\s+"
    r"(?:the|this|that|an?)\s+(?:outage|incident|failure|breakage|downtime|mistake|error|problem|mess)"
    r"|(?:is|was|were|are|got|gets)\s+(?:(?:rightly|partly|largely)\s+)?blamed"
    r"|(?:single-handedly\s+|directly\s+)?caused\s+(?:the|this|that|an?)\s+(?:[\w-]+\s+)?(?:outage|"
    r"incident|failure|breakage|downtime|problem|issue|regression|loss|corruption|crash|mess))\b",
    re.I,
)

_Hit = tuple[int, int, str, str, str]  # start, end, rule, message, suggestion ("" = the rule's)


def _family(match: re.Match[str]) -> str:
    return next(family for family in _VERB_FAMILIES if match.group(family) is not None)


def _blame_verb_ok(sentence: str, match: re.Match[str], fillers: str = "") -> int | None:
    """The end of the blame verb phrase, or None where the verb is not blame after all."""
    verb = match.group(_family(match)).lower()
    rest = _NEXT_WORDS.match(sentence, match.end())
    if re.search(r"\b(?:was|were|is|are|been|be|being|got|get)\s*$", fillers, re.I) and verb in _PASSIVE_ABLE:
        return None  # "the engineer was missed from the rotation": acted upon
    if rest and rest.group("word").lower() in {"nothing", "none", "no"}:
        return None  # "Alice missed nothing"
    if verb.startswith("fail") and rest and rest.group("word").lower() in {"receive", "get", "be", "hear"}:
        return None  # "failed to receive the page": nothing a person chose
    if _family(match) == "hindsight" and not verb.startswith("could"):
        if not rest or not _acts(rest.group("word"), rest.group("following")):
            return None  # "should have been paged", "should have read access"
        return rest.end() if rest.group("word").lower() == "been" else rest.end("word")
    return match.end()


def _blame_verb(sentence: str, mention: _Mention) -> _Hit | None:
    """The blame verb whose subject is the mention: right after it, or after a clause of its own."""
    match = _BLAME_AFTER.match(sentence, mention.end)
    if match:
        end = _blame_verb_ok(sentence, match, match.group("fillers"))
    else:
        match = _BLAME_LATER.match(sentence, mention.end)
        later = match and (match.group("relative") or match.group("joint"))
        end = (
            _blame_verb_ok(sentence, match) if later and not _NEW_SUBJECT.search(match.group("mid")) else None
        )
    if match is None or end is None:
        return None
    family = _family(match)
    message = (
        f"A person ({_quote(mention.text)}) as the subject of {_quote(sentence[match.start(family) : end])}."
    )
    return mention.start, end, PERSON_BLAME_VERB, message, _VERB_SUGGESTIONS[family]


def _counterfactual(sentence: str, mention: _Mention) -> tuple[int, int, str] | None:
    offset, before = _before(sentence, mention.start)
    if_match, had_match = _IF_BEFORE.search(before), _HAD_BEFORE.search(before)
    if if_match:
        aux = _IF_AUXILIARY.match(sentence, mention.end)
        rest = aux and _NEXT_WORDS.match(sentence, aux.end())
        if not rest:
            return None
        state = aux.group("aux").lower().startswith(("were", "was"))
        if state and rest.group("word").lower() not in _ACTIVE_STATE:
            return None
        if not state and not _acts(rest.group("word"), rest.group("following")):
            return None
        start = offset + if_match.start()
    elif had_match:
        rest = _NEXT_WORDS.match(sentence, mention.end)
        if not rest or not _acts(rest.group("word"), rest.group("following")):
            return None
        start = offset + had_match.start("had")
    else:
        return None
    end = rest.end() if rest.group("word").lower() == "been" else rest.end("word")
    return (
        start,
        end,
        f"A counterfactual about a person ({_quote(mention.text)}): hindsight, not what happened.",
    )


def _fault(sentence: str, mention: _Mention) -> tuple[int, int, str] | None:
    offset, before = _before(sentence, mention.start)
    if mention.possessive:
        match = _FAULT_POSSESSIVE.match(sentence, mention.end)
        span = match and (mention.start, match.end())
    elif (match := _FAULT_BEFORE.search(before)) and not re.search(r"\bgit\s+$", before[: match.start()]):
        span = (offset + match.start(), mention.end) if match.group() else None
    else:
        match = mention.subject and _FAULT_AFTER.match(sentence, mention.end)
        span = match and (mention.start, match.end())
    if not span or _negated(sentence, span[0]):
        return None
    return span[0], span[1], f"Fault or blame aimed at a person ({_quote(mention.text)})."


def _person_hits(sentence: str, mentions: list[_Mention]) -> list[_Hit]:
    hits: list[_Hit] = []
    for mention in mentions:
        if mention.subject and not mention.possessive:
            if blame_verb := _blame_verb(sentence, mention):
                hits.append(blame_verb)
            if counterfactual := _counterfactual(sentence, mention):
                hits.append((*counterfactual[:2], COUNTERFACTUAL_PERSON, counterfactual[2], ""))
        offset, before = _before(sentence, mention.start)
        passive = None if mention.possessive else _PASSIVE_BY.search(before)
        if passive:
            message = f"A person ({_quote(mention.text)}) as the agent of {_quote(passive.group('verb'))}."
            start = offset + passive.start()
            hits.append((start, mention.end, PERSON_BLAME_VERB, message, _VERB_SUGGESTIONS["ignore"]))
        if fault := _fault(sentence, mention):
            hits.append((*fault[:2], FAULT_BLAME_PERSON, fault[2], ""))
    return hits


def lint(text: str, *, people: Collection[str] = ()) -> list[Finding]:
    """Blameful phrasing in `text` (Markdown), in order; `people` are names that count as persons."""
    names = tuple(sorted({name.strip().lower() for name in people if _is_name(name.strip())}))
    pattern = _person_pattern(names)
    masked = _mask(text)
    hits: list[_Hit] = []
    for start, end in _sentences(masked):
        sentence = masked[start:end]
        found = [(*hit[:2], HUMAN_ERROR_CAUSE, hit[2], "") for hit in _human_error(sentence)]
        found += [(*hit[:2], JUDGEMENT, hit[2], "") for hit in _judgements(sentence)]
        found += _person_hits(sentence, _mentions(sentence, pattern))
        hits += [(hit_start + start, hit_end + start, *rest) for hit_start, hit_end, *rest in found]
    findings: list[Finding] = []
    reached: dict[str, int] = {}  # per rule, the end of its last finding: one finding per rule per phrase
    for start, end, rule_id, message, suggestion in sorted(hits):
        if start >= reached.get(rule_id, 0):
            rule = RULES_BY_ID[rule_id]
            findings.append(
                Finding(start, end, rule_id, rule.severity, message, suggestion or rule.suggestion)
            )
            reached[rule_id] = end
    return findings
