"""The words of negative evaluation: the VADER lexicon's negative words, plus curated words of conduct,
reached through their inflections by a few suffix rules.

Why VADER: `vaderSentiment` (MIT) ships `vader_lexicon.txt`, about 7,500 words and emoticons rated by
ten people each, a well-kept opinion lexicon that needs no download (NLTK's opinion lexicon and
WordNet do, and cannot be fetched here). Only its file is read, never its module (which imports
`requests`): once, lazily, on the first sentence that needs it, keeping the alphabetic words rated -1.0
or lower, about 3,000 strings in a frozenset (about 300 KiB, read in ~30 ms: far inside the web
worker's 80 MiB budget).

VADER rates words as a reader feels them, so it holds emotions and states ("tired", "worried",
"confused": the conditions a COE should describe, not blame) and routine operations that sound harsh
("killed the process", "dumped the heap", "drained the node", "blocked the deploy"). Those are taken out
(`_NOT_EVALUATIVE`). VADER lacks much of the slang of blame ("botched", "yolo'd", "half-assed"), so the
curated lists below add the verbs, adjectives and nouns of bad conduct, by family.
"""

import importlib.util
import sys
from functools import lru_cache
from pathlib import Path


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs of damage done by a person: idioms of blame (blocking).
DAMAGE = _words(
    "botch bungle mangle butcher trash nuke wreck ruin screw mess blunder fumble goof flub fudge sabotage "
    "break broke broken bork hose clobber torch brick bodge muck fuck frack derail yolo cowboy trample"
)
# Verbs said of people only (never of a system): they count even after an unknown capitalised word
# opening the sentence ("Lars half-assed the review", where "Lars" could be a product's name).
HUMAN_ONLY = _words(
    "botch bungle mangle butcher blunder fumble goof flub bodge yolo cowboy half-ass half-arse "
    "rubber-stamp rubberstamp mishandle dawdle procrastinate slack shirk sabotage screw mess"
)
# Adjectives of a person's work product ("pushed a half-baked config", "an untested hotfix").
SHODDY = _words(
    "half-baked half-assed half-tested untested unreviewed unvetted sloppy shoddy slapdash careless rushed "
    "barely-tested poorly-tested"
)
# Verbs that hand a work product over: its adjective judges the person who made it.
PRODUCING = _words(
    "push pushed ship shipped deploy deployed merge merged commit committed write wrote written submit "
    "submitted release released approve approved make made land landed apply applied send sent put "
    "roll rolled hand handed slap slapped throw threw"
)
# Verbs of poor performance or neglect (warnings): the person did it badly, late or not at all.
NEGLECT = _words(
    "forget forgot forgotten neglect ignore skip overlook miss omit disregard stall dawdle procrastinate "
    "slack shirk ghost rush half-ass half-arse rubber-stamp rubberstamp mishandle misjudge misread mistype "
    "misconfigure misconfigured mismanage overreact panic wing eyeball ignore sideline snooze dither "
    "neglect bypass circumvent waste override overrode overridden blank nap doze"
)
# Adjectives, adverbs and nouns that judge a person or their work (blocking).
JUDGING = _words(
    "careless sloppy lazy clueless reckless negligent incompetent inept hasty rash thoughtless heedless "
    "inattentive irresponsible unprofessional sloppy slapdash slipshod shoddy lax cavalier casual "
    "cowboy amateurish amateur rookie useless hopeless worthless clumsy stupid dumb idiotic foolish "
    "unqualified unfit incapable unreliable half-baked half-assed lackadaisical complacent overconfident "
    "arrogant ignorant weakest weak liability idiot moron fool buffoon clown numpty muppet cowboy "
    "bonehead boneheaded dimwit halfwit slacker incompetence negligence carelessness embarrassed ashamed "
    "misguided ill-advised ill-considered blind mindless haphazard hasty sloppy half-hearted menace"
)
# Positive words of conduct: "not careful", "wasn't paying attention" judge a person.
DILIGENT = _words(
    "careful attentive thorough diligent focused prepared competent qualified cautious alert awake "
    "paying vigilant responsible professional serious fit capable suited trustworthy reliable good"
)
# Verbs of diligence: "didn't even glance at", "never tested", "did not bother".
DILIGENCE = _words(
    "check test read look glance bother verify review confirm validate proofread double-check think "
    "care consider heed listen watch follow ask tell inform notify monitor escalate ack acknowledge "
    "respond reply answer try react follow renew rotate update patch document communicate announce "
    "coordinate prepare sanity-check help assist act"
)
# Negative to a reader but not an evaluation of conduct: states and feelings (the conditions a COE
# should describe), routine operations that sound harsh, and words about systems.
_NOT_EVALUATIVE = _words(
    "tired exhausted fatigued stressed worried confused frustrated annoyed scared afraid frightened sad "
    "upset sorry overwhelmed unaware busy sick ill lost alone anxious nervous tense puzzled perplexed "
    "disappointed surprised shocked alarmed concerned troubled distressed drained strained pressured "
    "struggled struggle struggling suffered suffer hesitated doubted doubt feared fear questioned "
    "complained complain warned warn argued disagreed criticized criticised apologized regretted "
    "killed kill killing dumped dump drained drain isolated isolate blocked block blocking cancelled "
    "canceled cancel rejected reject refused refuse aborted abort discarded discard suspended suspend "
    "banned ban terminated terminate restricted restrict excluded exclude forced force evicted evict "
    "failed fail failing attacked attack hacked hack fired fire alerted alert flagged flag escalated "
    "lagged lag crashed crash damaged damage infected interrupted interrupt severed trapped locked "
    "avoided avoid denied deny removed resigned victim victims problem problems issue issues error "
    "errors bug bugs pain risk risky hard difficult urgent emergency critical severe serious fatal "
    "no not never without down outage incident failure bad wrong broken late slow blamed blame blames "
    "drop dropped dropping asleep sleeping poor missing hated hate disliked dislike despised loathed "
    "dreaded resented regretted mourned cried sobbed screamed grieved lamented abandoned abandon "
    "destroyed destroy suspected suspect stopped stop purged deleted delete wiped cut severed "
    "interrogated investigated challenged disputed contradicted reverted revert rolled"
)


def _stems(word: str) -> list[str]:
    """The word and the bases its suffixes may come from: "botched" -> botch, "mangled" -> mangle,
    "skipped" -> skip, "lazily" -> lazy, "carelessness" -> careless, "negligence" -> negligent."""
    found = [word]
    for suffix, replacements in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            for replacement in replacements:
                found.append(base + replacement)
            if suffix in ("ed", "ing") and len(base) > 3 and base[-1] == base[-2]:
                found.append(base[:-1])  # skipped -> skip
    return found


_SUFFIXES = (
    ("'d", ("",)),
    ("ied", ("y",)),
    ("ed", ("", "e")),
    ("ing", ("", "e")),
    ("ies", ("y",)),
    ("es", ("", "e")),
    ("s", ("",)),
    ("ily", ("y",)),
    ("ly", ("",)),
    ("iness", ("y",)),
    ("ness", ("",)),
    ("ence", ("ent",)),
    ("ance", ("ant",)),
    ("ity", ("",)),
)


@lru_cache(maxsize=1)
def vader_negative() -> frozenset[str]:
    """VADER's alphabetic words rated -1.0 or lower, minus the ones that evaluate no conduct; read from
    the package's file on first use (the module itself is never imported), then kept."""
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the vaderSentiment package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "vader_lexicon.txt"
    found = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            token, _, rest = line.partition("\t")
            if not token[:1].isalpha() or not token.replace("-", "").isalpha():
                continue
            if float(rest.split("\t", 1)[0]) <= -1.0 and token not in _NOT_EVALUATIVE:
                found.add(token)
    return frozenset(sys.intern(word) for word in found)


@lru_cache(maxsize=8192)
def kind(word: str, classes: tuple[frozenset[str], ...]) -> int | None:
    """The index of the first class one of the word's stems is in, or None."""
    for stem in _stems(word):
        if stem in _NOT_EVALUATIVE:
            return None
        for index, words in enumerate(classes):
            if stem in words:
                return index
    return None


@lru_cache(maxsize=8192)
def negative(word: str) -> bool:
    """A word VADER rates negative (itself or one of its stems), that evaluates conduct."""
    if word in _NOT_EVALUATIVE:
        return False
    lexicon = vader_negative()
    return any(stem in lexicon for stem in _stems(word))
