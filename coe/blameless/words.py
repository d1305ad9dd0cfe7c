"""Rules on words alone: "human error" given as a cause, and judgements of a person or their work.

Both are verdicts whatever the sentence around them, so they need no person in the sentence; what they
need is to tell the use of a word from its mention ("'human error' is no cause", "words like lazy") and
from the technical terms that share it ("lazy loading", "the operator error log")."""

import re

from coe.blameless import people

_CLAUSE_BREAK = re.compile(r"[,;:(]|\bbut\b")
_CLAUSE_MARKS = re.compile(r"[,;:(]")
_NEGATION = re.compile(r"\b(?:not|never|no|nobody|nothing|without|neither|nor|none)\b|n't\b", re.I)

_WINDOW = 160  # how far before a word its context is looked for: keeps a long sentence linear


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _before(sentence: str, position: int) -> tuple[int, str]:
    """The text before `position` (at most _WINDOW characters) and the offset of its first character;
    a cut window starts with a mark, so that ^ matches only at the real start of the sentence."""
    start = position - _WINDOW
    if start <= 0:
        return 0, sentence[:position]
    return start - 2, "\0 " + sentence[start:position]


def _negated(sentence: str, position: int, words: int = 4) -> bool:
    """A negation within the last few words of the clause before `position`."""
    clause = _CLAUSE_BREAK.split(_before(sentence, position)[1])[-1]
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
    r"bone-?headed|rookie\s+(?:mistake|error|move)s?|amateur(?:ish)?\s+(?:mistake|error|move)s?|"
    r"unprofessional(?:ly)?|inexcusabl[ey]|amateur(?:ish|s)?|"
    r"(?:poor|bad|questionable|terrible|awful|horrible|stupid)\s+(?:judg(?:e)?ments?|calls?|decisions?|choices?)|"
    r"lapses?\s+(?:in|of)\s+judg(?:e)?ment)\b(?!-)",
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


# Substrings one of which every match of the word lists contains: a cheap test before the regexes.
_HUMAN_ERROR_GATE = ("error", "mistake", "failure", "pebkac", "layer", "fat")
_JUDGEMENT_GATE = tuple(
    _words(
        "careless negligen lazy lazi incompeten sloppy sloppi stupid reckless dumb idiot foolish "
        "irresponsib inattentive clueless thoughtless bone rookie amateur unprofessional inexcusab judg "
        "call decision choice lapse"
    )
)


def _gate(sentence: str, needles: tuple[str, ...] | list[str]) -> bool:
    low = sentence.lower()
    return any(map(low.__contains__, needles))


def human_error(sentence: str) -> list[tuple[int, int, str]]:
    found = []
    if not _gate(sentence, _HUMAN_ERROR_GATE):
        return found
    for match in _HUMAN_ERROR.finditer(sentence):
        before, after = _before(sentence, match.start())[1], sentence[match.end() : match.end() + _WINDOW]
        tail = " ".join(_CLAUSE_MARKS.split(before)[-1].split()[-6:]) + " "
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


_FIRST_PERSON_CLAUSE = re.compile(r"^\W*(?:we|i|i'm|i've|we're|we've|our\s+team)\b", re.I)


def _self_criticism(sentence: str, position: int) -> bool:
    """A judgement the authors make of themselves ("I was careless with the rollback command", "we
    made a poor decision"): the first person owning a mistake is what a COE asks for, so it is not
    flagged, unless another person is named before the word ("I think Dave was careless")."""
    clause = _CLAUSE_MARKS.split(_before(sentence, position)[1])[-1]
    if not _FIRST_PERSON_CLAUSE.match(clause):
        return False
    offset = position - len(clause)
    persons = people.spans(sentence[offset:position])
    return not any(not person.negative for readings in persons.values() for _, person in readings)


# A thing, not a person, as the subject of the judging word: "the migration script was sloppy about
# locking", "the deploy was reckless in the sense that it had no rollback path".
_SYSTEM_JUDGED = re.compile(
    r"(?:^\W*|[,;:]\s*|\b(?:said|says|noted|notes|thinks|thought|found|that|because|since|and|but|so)\s+)"
    r"(?:the|a|an|this|that|its|our)\s+(?:[\w-]+\s+){0,2}?(?:script|default|deploy|deployment|code|config|"
    r"configuration|query|migration|library|pipeline|design|setting|process|tests?|check|logic|schema|api|"
    r"implementation|handling|cleanup|rollout|release|runbook|alerting|automation|tooling|job|cron)s?\s+"
    r"(?:was|is|were|are|seemed|seems|looks|looked|felt)\s+(?:\w+ly\s+|too\s+|quite\s+|very\s+)?$",
    re.I,
)


# ... or the thing it modifies: "a careless default in the library".
_SYSTEM_NOUN_AFTER = re.compile(
    r"\s+(?:defaults?|settings?|timeouts?|retry|retries|regex|quorum|parser|algorithm|heuristic)\b"
    r"(?!\s+(?:change|push|edit|update|tweak)s?\b)",
    re.I,
)


def judgements(sentence: str) -> list[tuple[int, int, str]]:
    found = []
    if not _gate(sentence, _JUDGEMENT_GATE):
        return found
    for match in _JUDGEMENT_WORDS.finditer(sentence):
        technical = _JUDGEMENT_TECHNICAL.match(sentence, match.start())
        if (
            technical
            or _negated(sentence, match.start(), words=3)
            or _quoted(sentence, match.start(), match.end())
            or _MENTIONED.search(_before(sentence, match.start())[1])
            or _self_criticism(sentence, match.start())
            or _SYSTEM_JUDGED.search(_before(sentence, match.start())[1])
            or _SYSTEM_NOUN_AFTER.match(sentence, match.end())
        ):
            continue
        found.append(
            (match.start(), match.end(), f"{_quote(match.group())} judges a person, not the system.")
        )
    return found
