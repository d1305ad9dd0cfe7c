"""The machinery of the family patterns: a pattern with a person slot is split into the regex before the
slot and the regex after it, and matched only at the persons `people.spans` found, never by trying every
character of a sentence as the start of a person; and cheap word gates say which families a sentence
can match at all."""

import re
from dataclasses import dataclass

from coe.blameless import people


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (split at each | outside groups and classes)."""
    parts, depth, escaped, in_class, last = [], 0, False, False, 0
    for index, char in enumerate(pattern):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[last:index])
            last = index + 1
    return [*parts, pattern[last:]]


_ZERO_WIDTH = re.compile(r"\\b|\(\?<[!=](?:[^()\\]|\\.)*\)|\^|\(\?-i:")
_LITERAL = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _group(source: str) -> tuple[str, str] | None:
    """(inside, after) of the group `source` opens with "(?:", or None."""
    if not source.startswith("(?:"):
        return None
    depth, escaped = 0, False
    for index, char in enumerate(source):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return source[3:index], source[index + 1 :]
    return None


def needles(source: str) -> tuple[str, ...] | None:
    """Words, one of which every match of the regex `source` contains (its leading literals, lower-
    cased), or None when it does not start with one: a substring test that can skip the regex."""
    while (zero := _ZERO_WIDTH.match(source)) is not None and zero.end():
        source = source[zero.end() :]
    grouped = _group(source)
    alternatives = (
        _alternatives(grouped[0]) if grouped and not grouped[1].startswith(("?", "*", "{")) else [source]
    )
    found = []
    for alternative in alternatives:
        while (zero := _ZERO_WIDTH.match(alternative)) is not None and zero.end():
            alternative = alternative[zero.end() :]
        literal = _LITERAL.match(alternative)
        if literal is None:
            return None
        word = literal.group()
        if alternative[literal.end() : literal.end() + 1] in ("?", "*", "{"):
            word = word[:-1]
        if len(word) < 2:
            return None
        found.append(word.lower())
    return tuple(found)


@dataclass(frozen=True)
class Scan:
    """A regex tried over the whole sentence, with the words that let it be skipped."""

    regex: re.Pattern[str]
    needles: tuple[str, ...] | None

    def finditer(self, sentence: str, lowered: str):
        if self.needles is not None and not any(map(lowered.__contains__, self.needles)):
            return iter(())
        return self.regex.finditer(sentence)


@dataclass(frozen=True)
class Pattern:
    """One predicate of a family. Each alternative is plain (no person), or a person slot with the
    regex before it (`prefix`, None when the slot opens the match) and the regex after it (`rest`).
    The persons of the sentence are found once (`people.spans`); a slot only ever matches one, so no
    regex tries every character of the sentence as the start of a person."""

    family: str
    rule: str
    strong: bool
    plain: tuple[Scan, ...]
    slots: tuple[tuple[Scan | None, re.Pattern[str]], ...]
    gate: tuple[str, ...] = ()  # words one of which every match contains: skips the pattern cheaply

    def finditer(self, sentence: str, lowered: str, persons: dict[int, list[tuple[int, people.Person]]]):
        """Yield (start, end, person or None) for each match; `lowered` is `sentence` lower-cased."""
        if self.gate and not any(map(lowered.__contains__, self.gate)):
            return  # (the caller may test the gate first, to skip making this generator)
        for scan in self.plain:
            for match in scan.finditer(sentence, lowered):
                yield match.start(), match.end(), None
        if not persons:
            return
        for prefix, rest in self.slots:
            starts = (
                ((start, start) for start in persons)
                if prefix is None
                else ((m.start(), m.end()) for m in prefix.finditer(sentence, lowered))
            )
            for begin, start in starts:
                for end, person in persons.get(start, ()):
                    match = rest.match(sentence, end)
                    if match is not None:
                        yield begin, match.end(), person
                        break


def _scan(source: str) -> Scan:
    return Scan(re.compile(source, re.I), needles(source))


def compile_pattern(family: str, rule: str, pattern: str, strong: bool, gate: str = "") -> Pattern:
    """`gate`: words separated by |, one of which (lower-cased) every match contains, for a pattern
    whose words come after a person and a stretch of free text, which the regex would scan for."""
    plain, slots = [], []
    for alternative in _alternatives(pattern):
        if "{P}" not in alternative:
            plain.append(_scan(alternative))
            continue
        before, after = alternative.split("{P}", 1)
        slots.append((_scan(before) if before else None, re.compile(after, re.I)))
    return Pattern(family, rule, strong, tuple(plain), tuple(slots), tuple(gate.split("|")) if gate else ())


# A sentence is tried against a family's patterns only if it has one of the family's words: each gate
# is a superset of the words every pattern of its family needs, so it changes no result, only the time
# (most sentences of a COE have none of them). Plain substrings of the lower-cased sentence, with its
# spaces made single and padded: a substring test is far cheaper than a regex over the sentence.
GATES: dict[str, tuple[str, ...]] = {
    family: tuple(words.split("|"))
    for family, words in {
        "fault": "fault|mistak|error|typo|screw|blunder|doing|bad|failure|oversight|lapse| on |'s on|down|"
        "nuked|responsib|"
        "broke|took|wiped|caused|killed|corrupt|deleted|ruin|wreck|crash|"
        "'s outage|' outage|'s mess|' mess|'s disaster|' disaster",
        "blame": "blam|finger|fall|scapegoat|ashamed|courtesy|thanks to|compliments|pointing|always|"
        "constantly|"
        "keeps|forever|clown|idiot|moron|muppet|donkey|buffoon|numpty|fool|amateur|cowboy|genius|spark|"
        "hotshot|wise guy|know-it-all|"
        "rocket scientist|einstein",
        "responsibility": "responsib|accountab|answer|liable|cause|reason|culprit|rca|guilty|own|explanation|"
        "problem is|problem was|problem here|"
        "apolog|trace|come|came|boil|went|goes|point|culpable|bear|bore|carr|shoulder",
        "punishment": "fire|sack|train|disciplin|reprimand|punish|demot|suspend|writ|let |coach|dismiss|"
        "terminat|warn|ban|bench|replac|supervis|remov|taken|kicked|onboarding|held|pip|improvement|"
        "penalty|talking|access|rights|privilege|revoke|head|contract|more|sure|out|consequence|dismissal|"
        "permission| face |recommend|suggest|propose|ask|insist|demand|request|issue|give|hand|strip|bar |"
        "kick|boot|move|take|yank|pull|lock|dock|cut|withhold|freeze|remedial|attend|hr |review|record|"
        "file|appraisal|buy|pay for|wear|apologi|"
        "talk|conversation|word|plan|probation|notice|chat",
        "idiom": "ball|screw|mess|botch|bungl|fumbl|goof|blew|blown|finger|nuked|made|broke|f*|fu|ruin|"
        "down|out|over|mixed|"
        "buggy|untested|bad |shot |"
        "wreck|bus|dropped|took|deleted|wrong|classic|typo|careless|negligen|sloppi|incompeten|break|wipe|"
        "rogue|tank|clanger|bollock|brick|number on|bork|foot in|yolo|rm -rf|speedran|cowboy|butcher|trash|"
        "torch|leave it|no excuse|time bomb|disaster|liability|nightmare|wreck|garbage|junk|joke|minefield|"
        "all over|own goal",
        "performance": "slow|sleep|asleep|afk|distract|clue|depth|attention|focus|careful|watch|look|listen|"
        "lazy|unrespons|nowhere|bother|care|ignor|overlook|disregard|miss|brush|sat |rush|forever|feet|"
        "forget|skip|drop|mess|"
        "barely|idea|know|late|slept|serious|ack|answer|respond|repl|took|nobody|no one|no-one|without|"
        "lack of|absence of|against|despite|defiance|contrary|violation|lack|treat|sees|saw|regard|"
        "forever|ages|eternity|long|awake|alive|there|online|around|effort|work|attitude|support|clue|idea|"
        "clicked|hit|smash|slap|mash|rubber|vanish|disappear|walked away|ghost|flail|fumbl|guess|panick|"
        "thrash",
        "omission": "forg|fail|neglect|omit|skip|bypass|supposed|n't|not|never|should|could|ought|if |had|"
        "done",
        "passive": " by |hands of",
        "judgement": "thinking|think|believe|figure|thought|decide|sense|right mind|sane| call|decision|judg|"
        "choice|reasoning|approach|garbage|trash|junk|crap|abomination|monstrosity|dumpster",
    }.items()
}


def _trie(words: set[str]) -> str:
    """A regex that finds any of `words` (none of which is a prefix of another), as a trie ("ab|ac" ->
    "a(?:b|c)"): the regex engine then tests one first character per position, not every word."""
    heads: dict[str, set[str]] = {}
    for word in words:
        heads.setdefault(word[0], set()).add(word[1:])
    branches = [
        re.escape(head) + (_trie(tails) if tails != {""} else "") for head, tails in sorted(heads.items())
    ]
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def _gate_re(needles: tuple[str, ...]) -> re.Pattern[str]:
    """Whether a text holds one of `needles`: a needle that starts with another needle adds nothing."""
    kept = {n for n in needles if not any(o != n and n.startswith(o) for o in needles)}
    return re.compile(_trie(kept))


# Each gate as one regex of its literal words: one C-level scan instead of a test per word.
_GATE_RES = {family: _gate_re(needles) for family, needles in GATES.items()}


def active_families(sentence: str) -> set[str]:
    """The families whose gate the sentence passes."""
    text = f" {' '.join(sentence.lower().replace(chr(0x2019), chr(39)).split())} "
    return {family for family, gate in _GATE_RES.items() if gate.search(text)}
