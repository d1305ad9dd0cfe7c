"""The generic rule: a person, and a negative evaluation of that person's conduct.

The family patterns (`coe.blameless.families`) know the phrasings of blame; this rule knows its shape,
so it carries over to wording nobody wrote a pattern for. For each person `people.spans` found, it reads
the few words after them, the way a reader finds what the person did:

- the person as the subject of a verb of damage ("Ines mangled the routing table", "jorge trashed the
  cache"), of neglect or poor performance ("Priyanka neglected the alerts", "Lars half-assed the
  review"), or of a verb VADER rates negative ("Dave sabotaged the rollout"), after fillers,
  auxiliaries and relative clauses ("just", "had", "went ahead and", ", who ...,"), and in verbs
  joined to it by "and" ("Rahim logged in and nuked the cluster");
- an adjective or a noun phrase that judges the person, predicated of them ("Sven was negligent",
  "the DBA was way too casual", "Felipe is the weakest link") or a diligence denied ("she was not
  careful", "he didn't even glance at the diff");
- a judging word the person owns ("Hendrik's negligence", "Greta's sloppy rollback").

The negative word has to attach to the person: "Olga noticed the disk was failing" and "Carlos rolled
back the failed deploy" raise nothing, because the verb after the person is neutral and the negative
word describes a system. The first person is never a person here ("we missed the alert"); "they" counts
only when a person was named in the sentence or the one before; an unknown capitalised word opening
the sentence (`Person.weak`) only with the curated words, which no system is said to do.
"""

import re
from collections.abc import Callable
from functools import lru_cache

from coe.blameless import lexicon, people

_TOKEN = re.compile(r"[A-Za-z][\w'-]*|[.,;:!?()&]")
_LIMIT = 18  # words read after a person: keeps a long sentence linear


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FILLERS = _words(
    "just also again then still even once literally somehow apparently basically totally completely "
    "actually really simply probably clearly obviously honestly had has have always often "
    "already immediately promptly single-handedly personally herself himself themselves anyway"
)
_LEADS = (
    "went ahead and",
    "went and",
    "decided to",
    "chose to",
    "opted to",
    "managed to",
    "tried to",
    "keeps on",
    "a habit of",
    "tends to",
    "tend to",
    "likes to",
    "needs to",
    "need to",
    "has to",
    "have to",
    "kept on",
    "keeps",
    "kept",
    "keep",
)
_LEAD_PARTS = tuple(lead.split() for lead in _LEADS)
_LEAD_STARTS = frozenset(parts[0] for parts in _LEAD_PARTS)
_COPULA = _words(
    "was were is are been being be seemed seems looked looks got gets became becomes acted acts behaved "
    "appeared remained 's"
)
_NEGATED_COPULA = _words("wasn't weren't isn't aren't")
_MODALS = _words("should must could would will can might may shall")
_NEGATORS = _words(
    "didn't don't doesn't never not couldn't wouldn't won't hasn't haven't hadn't can't shouldn't mustn't"
)
_INTENSIFIERS = _words(
    "very way too so pretty really extremely incredibly totally completely quite rather super kind sort "
    "of kinda a bit little being just clearly obviously honestly simply downright utterly also again enough "
    "always often still somewhat fairly overly"
)
_BREAKS = _words(
    ". ; : ! ? ( ) because since when while after before until although though if which who that so "
    "but whereas once as where whom whose"
)
_JOINS = _words("and then &")
_DETERMINERS = _words("a an the")
_PRONOUNS = _words("they")
_SPECIAL = re.compile(
    r"(?P<judgement>(?:should|ought\s+to|must)(?:'ve|\s+have)?\s+know[n]?\s+better\b|"
    r"(?:(?:had|has|have)\s+)?no\s+business\b)"
    r"|(?P<omission>(?:let|allowed)\s+(?:[\w-]+\s+){1,4}?(?:lapse|expire|slide|slip|rot|fill\s+up|die|run\s+out|"
    r"go\s+stale)\b|(?:didn't|did\s+not|never|not)\s+(?:even\s+)?lift\s+a\s+finger|lifted\s+a\s+finger)"
    r"|(?P<performance>(?:slept|snoozed)\s+(?:on|through)\b|sat\s+on\b|glossed\s+over\b|brushed\s+(?:it\s+)?off\b"
    r"|waved\s+(?:[\w-]+\s+){0,3}?through\b|cost\s+(?:us|everyone|the\s+(?:team|company|business))\b"
    r"|failed\s+(?:\w+ly\s+)?at\s+\w+ing\b|failed\s+(?:miserably|badly|spectacularly|utterly|completely)\b"
    r"|took\s+(?:ages|forever|an\s+eternity|(?:way\s+|far\s+|much\s+)?too\s+long|so\s+long|(?:his|her|their)\s+"
    r"sweet\s+time)\b|did\s+(?:absolutely\s+)?nothing\b(?!\s+wrong)|(?:sat|stood)\s+(?:there|around)\s+doing\s+nothing\b"
    r"|(?:was|were|is|are)\s+(?:in\s+)?(?:way\s+|well\s+|totally\s+|completely\s+)?(?:over\s+(?:his|her|their)\s+"
    r"heads?|out\s+of\s+(?:his|her|their)\s+depth)"
    r"|(?:thought|figured|decided|assumed)\s+(?:it\s+was|it's|it\s+would\s+be)\s+(?:fine|ok|okay|a\s+good\s+idea|"
    r"smart|clever)\s+to\b"
    r"|(?:went\s+home|logged\s+off|left|disappeared|vanished|walked\s+away|went\s+offline)\s+(?:with\s+(?:the\s+)?"
    r"[\w-]+(?:\s+[\w-]+)?\s+still\s+\w+|mid-?incident|in\s+the\s+middle\s+of|without\s+(?:a\s+)?(?:handover|"
    r"handing\s+over|telling|a\s+word)))"
    r"|(?P<idiom>did\s+(?:it|this|that|(?:the|a|an|his|her|their)\s+(?:[\w-]+\s+)?[\w-]+)\s+(?:all\s+)?(?:wrong|"
    r"badly|incorrectly|poorly)\b|made\s+(?:it|things|everything|matters|the\s+[\w-]+(?:\s+[\w-]+)?)\s+"
    r"(?:much\s+|even\s+|a\s+lot\s+|far\s+)?(?:worse|more\s+bad)\b)"
    r"|(?P<fault>(?:made|make|makes|making)\s+(?:(?:a|an|the|this|that|another|yet|the\s+same|same)\s+){1,2}"
    r"(?:[\w-]+\s+)?(?:mistake|blunder|mess|error|hash)s?\b)"
    r"|(?P<judgement_>(?:should|must)(?:n't|\s+not|\s+never)\s+(?:have\s+been|be)\s+(?:given|allowed|trusted|hired|"
    r"let|granted|put\s+in\s+charge)\b)",
    re.I,
)
# What follows "broke" when it is not damage ("broke down the problem", "broke the news").
_NOT_DAMAGE_AFTER = _words("down into out through even ground news tie silence record records ice")

# The first words of the `_SPECIAL` phrases: the regex is tried only at them.
_SPECIAL_STARTS = _words(
    "should ought must had has have no let allowed didn't did never not lifted slept snoozed sat glossed "
    "brushed waved cost failed shouldn't took made make makes making thought figured decided assumed went "
    "logged left disappeared vanished walked sat stood was were is are"
)
FAMILY_OF = {0: "idiom", 1: "performance"}
_UNKNOWN = 2  # the weakest person: see `_reading`


class _Reader:
    """The lower-cased words of a sentence after one person (a C-level findall: most readings are
    dropped after a glance, so offsets are found only for the one flagged word)."""

    def __init__(self, sentence: str, end: int):
        self.sentence, self.start = sentence, end
        self.words = [word.lower() for word in _TOKEN.findall(sentence, end)[:_LIMIT]]

    def end_of(self, index: int) -> int:
        """The offset just after word `index`."""
        for position, match in enumerate(_TOKEN.finditer(self.sentence, self.start)):
            if position == index:
                return match.end()
        return len(self.sentence)

    def at(self, index: int) -> str:
        return self.words[index] if 0 <= index < len(self.words) else ""

    def skip(self, index: int, words: frozenset[str]) -> int:
        while self.at(index) in words:
            index += 1
        return index

    def lead(self, index: int) -> int:
        """Past the fillers and the leads ("went ahead and", "decided to") before a verb."""
        words = self.words
        while index < len(words):
            if words[index] in _LEAD_STARTS:
                parts = next((p for p in _LEAD_PARTS if words[index : index + len(p)] == p), None)
                if parts is not None:
                    index += len(parts)
                    continue
            if words[index] not in _FILLERS:
                break
            index += 1
        return index


def _verb(reader: _Reader, index: int, weak: bool) -> tuple[str, int] | None:
    """(family, index of the last flagged word) when the words from `index` evaluate the subject's
    conduct negatively, or None."""
    word = reader.at(index)
    if not word:
        return None
    special = _SPECIAL.match(" ".join(reader.words[index : index + 8])) if word in _SPECIAL_STARTS else None
    if special is not None:
        span = len(special.group().split())
        return (special.lastgroup or "performance").rstrip("_"), index + span - 1
    if word in _NEGATED_COPULA:
        return _predicate(reader, index + 1, weak, negated=True)
    if word in _COPULA:
        return _predicate(reader, index + 1, weak, negated=False)
    if word in _MODALS:
        following = reader.skip(index + 1, _words("have not n't"))
        return _verb(reader, following, weak) if following < index + 3 else None
    if word.endswith("ly") and word not in _words("only early daily weekly monthly supply apply reply rely"):
        if _judging(word, bool(weak)):
            return "judgement", index  # "Hamid blindly copied", "Dave hastily merged"
        return _verb(reader, index + 1, weak)  # another adverb: read on to the verb
    if word.startswith("refus") and reader.at(index + 1) == "to":
        if lexicon.kind(reader.at(index + 2), (lexicon.DILIGENCE,)) is not None:
            return "performance", index + 2  # "refuses to follow the runbook"
        return None
    if word in _NEGATORS or (word == "did" and reader.at(index + 1) == "not"):
        following = reader.skip(index + 1, _words("not even bother to so much as"))
        if lexicon.kind(reader.at(following), (lexicon.DILIGENCE,)) is not None:
            return "omission", following
        return None
    if reader.at(index + 1) in ("nothing", "none", "no"):
        return None  # "Alice missed nothing"
    if weak == _UNKNOWN:
        if lexicon.kind(word, (lexicon.HUMAN_ONLY,)) is not None:
            return "idiom", index
        return _product(reader, index + 1) if lexicon.kind(word, (lexicon.PRODUCING,)) is not None else None
    found = lexicon.kind(word, (lexicon.DAMAGE, lexicon.NEGLECT))
    if found is not None:
        if (
            found == 0
            and word.startswith("broke")
            and _NOT_DAMAGE_AFTER & {reader.at(index + 1), reader.at(index + 2)}
        ):
            return None
        return FAMILY_OF[found], index
    if not weak and word.endswith(("ed", "'d")) and lexicon.negative(word):
        return "performance", index
    if lexicon.kind(word, (lexicon.PRODUCING,)) is not None:
        return _product(reader, index + 1)
    if reader.at(index + 1) in ("the", "a") and reader.at(index + 2) == "wrong" and word not in _NOTICING:
        return "idiom", index + 2  # "Ravi runs the wrong migration"; not "Olga spotted the wrong version"
    return None


# Verbs of finding and fixing: "the wrong" after them is what was found, not what was done.
_NOTICING = _words(
    "noticed notices saw sees spotted spots found finds flagged flags reported reports fixed fixes caught "
    "catches corrected corrects reverted reverts confirmed confirms identified identifies realized "
    "realised discovered discovers suspected explained explains asked asks said says"
)


def _product(reader: _Reader, index: int) -> tuple[str, int] | None:
    """After a verb that hands work over: "pushed a half-baked config", "an untested hotfix"."""
    if reader.at(index) in ("out", "up", "in"):
        index += 1
    if reader.at(index) in lexicon.SHODDY or reader.at(index) in ("broken", "buggy"):
        return "judgement", index  # "keeps shipping broken builds"
    if reader.at(index) not in ("a", "an", "the", "some", "this", "that", "his", "her", "their"):
        return None
    for offset in (1, 2):
        if reader.at(index + offset) in lexicon.SHODDY:
            return "judgement", index + offset
    return None


def _predicate(reader: _Reader, index: int, weak: bool, *, negated: bool) -> tuple[str, int] | None:
    """After a copula: a judging adjective or noun phrase, or a diligence denied."""
    too = False
    while (word := reader.at(index)) in _INTENSIFIERS or word in ("not", "never", "nothing"):
        if word == "nothing":
            if reader.at(index + 1) != "but":
                break
            index += 1  # "has been nothing but trouble"
        too = too or word == "too"
        negated = negated or word in ("not", "never")
        index += 1
    word = reader.at(index)
    if word in ("more", "less") and lexicon.kind(reader.at(index + 1), (lexicon.DILIGENT,)) is not None:
        return "performance", index + 1  # "needs to be more careful": not careful now
    if negated:
        if lexicon.kind(word, (lexicon.DILIGENT,)) is not None or (
            word.endswith("ing") and lexicon.kind(word, (lexicon.DILIGENCE,)) is not None
        ):
            return "performance", index  # "was not careful", "was not reacting to the pages"
        return None
    if word.endswith("ing"):
        return _verb(reader, index, weak)  # "is botching the cutover"
    if word in _DETERMINERS:
        if reader.words[index + 1 : index + 3] == ["one", "who"]:
            return _verb(reader, reader.lead(index + 3), weak)
        for offset in (1, 2):
            if _judging(reader.at(index + offset), weak):
                return "judgement", index + offset
        return None
    if _judging(word, weak):
        return "judgement", index
    if too and word.isalpha() and not weak and lexicon.kind(word, (lexicon.DILIGENT,)) is None:
        if not lexicon.negative(word) and word in _words("much many late early busy tired"):
            return None
        return "performance", index
    return None


def _judging(word: str, weak: bool) -> bool:
    """A word that judges a person: curated, or rated negative by VADER and not a participle (after
    "was", a participle is done to the person: "was missed from the rotation")."""
    if not word or not word[0].isalpha():
        return False
    if lexicon.kind(word, (lexicon.JUDGING,)) is not None:
        return True
    return not weak and not word.endswith("ed") and lexicon.negative(word)


def _possessive(reader: _Reader, weak: bool) -> tuple[str, int] | None:
    """After "X's": a judging word ("Hendrik's negligence", "Greta's sloppy rollback"), or an act of
    theirs judged ("Vera's judgment was poor", "Walter's handling of it was sloppy")."""
    index = reader.skip(0, _words("own very incredibly totally so utterly"))
    if _judging(reader.at(index), weak) or reader.at(index) in lexicon.SHODDY:
        return "judgement", index  # "Greta's sloppy rollback", "Dmitri's rushed fix"
    if reader.at(index) in _BAD and _ACTS & {reader.at(index + 1), reader.at(index + 2)}:
        return "judgement", index  # "the architect's poor design choices"
    if reader.at(index) in _ACTS:
        following = reader.skip(index + 1, _ADVERBS)
        if reader.at(following) in _COPULA:
            adjective = reader.skip(following + 1, _INTENSIFIERS)
            word = reader.at(adjective)
            if word in _BAD or _judging(word, weak):
                return "judgement", adjective
    return None


# A person's acts that a predicate can judge, and the plain adjectives that judge them.
_ACTS = _words(
    "judgment judgement decision decisions call choice choices work handling response reaction "
    "performance attitude approach conduct behaviour behavior communication design choices planning "
    "review code change changes"
)
_ADVERBS = _words("throughout here there today again also really honestly frankly")
_BAD = _words("poor bad terrible awful horrible abysmal questionable wrong dreadful atrocious lacking")


def _subject(reader: _Reader) -> int:
    """Where the verb of the person starts: past ", who", "who", "(the one) who", and "on call"."""
    index = 0
    if reader.at(0) == "," and reader.at(1) == "who":
        index = 2
    elif reader.at(0) == "who":
        index = 1
    elif reader.at(0) == "on" and reader.at(1) in ("call", "duty", "shift", "rotation"):
        index = 2
    return reader.lead(index)


def names_a_person(persons: dict) -> bool:
    """Whether one of the persons is named (not a pronoun): what lets "they" in the next sentence be one."""
    return any(
        person.text.lower() not in _PRONOUNS and not person.negative
        for readings in persons.values()
        for _, person in readings
    )


_GATE_TOKEN = re.compile(r"[a-z][a-z'-]*")
_TRIGGERS = (
    _NEGATORS | _NEGATED_COPULA | _words("too not never business better lapse expire finger slept sat")
)
_TRIGGERS |= _words("glossed brushed waved cost snoozed let allowed failed instead broken buggy")
_TRIGGERS |= _words("refuse refuses refused refusing ages forever eternity mistake mistakes blunder mess")
_TRIGGERS |= _words("fine okay idea smart clever home offline mid-incident middle worse wrong badly poorly")
_TRIGGERS |= _words(
    "careful attentive thorough diligent cautious vigilant focused nothing head heads depth time"
)


@lru_cache(maxsize=8192)
def _trigger(word: str) -> bool:
    if word in _TRIGGERS:
        return True
    classes = (lexicon.DAMAGE, lexicon.NEGLECT, lexicon.JUDGING, lexicon.HUMAN_ONLY, lexicon.SHODDY)
    return lexicon.kind(word, classes) is not None or lexicon.negative(word)


def gate(sentence: str) -> bool:
    """Whether the sentence has a word the rule could flag: most sentences of a COE have none, and
    are spared finding their persons (each word's answer is kept, so a document costs a few lookups)."""
    found = _GATE_TOKEN.findall(sentence.lower())
    if any(map(_trigger, found)):
        return True
    return "'" in sentence and not _BAD.isdisjoint(found)  # "Vera's judgment was poor"


def hits(sentence: str, persons: dict, *, context: Callable[[], bool]) -> list[tuple[int, int, str, str]]:
    """(start, end, family, who) for each person whose conduct the sentence evaluates negatively.
    `context()`: whether a person was named in the sentence before (so "they" can be one); asked
    only when a "they" needs it."""
    found = []
    named: list[bool] = []

    def is_named() -> bool:
        if not named:
            named.append(names_a_person(persons) or context())
        return named[0]

    for start, readings in persons.items():
        for end, person in readings:
            result = _reading(sentence, end, person, is_named)
            if result is not None:
                family, last_end = result
                found.append((start, last_end, family, person.text))
                break
    return found


def _reading(
    sentence: str, end: int, person: people.Person, named: Callable[[], bool]
) -> tuple[str, int] | None:
    """(family, end offset of the flagged words) when the words after one reading of a person
    evaluate that person's conduct negatively, or None."""
    low = person.text.lower()
    if person.negative or low == "you" or (low in _PRONOUNS and not named()):
        return None
    # An unknown capitalised word opening the sentence: a name-like one ("Rahim") takes the curated
    # words only, one that could be a product's name ("Lars", like "Jobs" or "Tests") only the words
    # said of people alone.
    weak: int | bool = False
    if person.weak and low not in _PRONOUNS:
        weak = True if people.looks_like_name(person.text) else _UNKNOWN
    possessive = sentence.startswith(("'s", "'"), end)
    reader = _Reader(sentence, end + (0 if not possessive else 2 if sentence.startswith("'s", end) else 1))
    if not any(map(_trigger, reader.words)) and not (possessive and not _BAD.isdisjoint(reader.words)):
        return None  # nothing after the person that the rule could flag
    result = _possessive(reader, weak) if possessive else _first_verbs(reader, weak)
    if result is None:
        return None
    return result[0], reader.end_of(result[1])


# The first cause named after the omission, or the end of its sentence.
_CAUSE = re.compile(r"[.;!?]|\b(?:because|since|due\s+to|as)\s+([A-Za-z]+)", re.I)
_SYSTEM_STARTS = _words("the a an its no his her their our that this these those it there nothing every each")


def system_cause(sentence: str, end: int) -> bool:
    """Whether the omission that ends at `end` comes with a condition of the system as its cause
    ("Tom missed the page because his phone was on silent", "Lena skipped the canary since the
    pipeline marked it optional"): what a person did not do, explained by the system, is where a
    COE's questions go, not blame."""
    found = _CAUSE.search(sentence, end)
    return found is not None and found.group(1) is not None and found.group(1).lower() in _SYSTEM_STARTS


def _first_verbs(reader: _Reader, weak: bool) -> tuple[str, int] | None:
    """The person's verb, then each verb joined to it by "and" / "then" in the same clause."""
    index = _subject(reader)
    result = _verb(reader, index, weak)
    if result is not None:
        return result
    for position in range(index + 1, len(reader.words)):
        word = reader.words[position]
        if word in _BREAKS:
            return None
        if word == "instead" and reader.at(position + 1) == "of":
            if lexicon.kind(reader.at(position + 2), (lexicon.DILIGENCE,)) is not None:
                return "performance", position + 2  # "playing games instead of watching the alerts"
            return None
        if word == "," and reader.at(position + 1).endswith("ing"):
            # a participle clause shares the subject: "Kenta pushed straight to prod, skipping review"
            found = lexicon.kind(reader.at(position + 1), (lexicon.DAMAGE, lexicon.NEGLECT))
            if found is not None and weak != _UNKNOWN:
                return FAMILY_OF[found], position + 1
        if word in _JOINS or (word == "," and reader.at(position + 1) in _JOINS):
            following = reader.lead(reader.skip(position + 1, _JOINS))
            joined = _verb(reader, following, weak)
            if joined is not None:
                return joined
    return None
