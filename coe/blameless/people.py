"""Who counts as a person in a sentence, without a user list.

A blame predicate needs a target, and in a COE the target is rarely a registered user: "Dave", "the
DBA", "the storage team", "whoever merged that". The rules write `{P}` where a person stands; `spans()`
finds the candidate readings of a sentence once (tokens, no regex per position) and `judge()` decides
whether a reading is one:

- a first name from the lexicon (any case, so chat handles like "raj" count), unless the name is also a
  common English word ("Will", "Page", "Rose": those count only when capitalised mid-sentence);
- a capitalised word in the subject or possessive slot of a blame predicate ("Tomasz botched it"),
  unless it is a word that starts sentences or names a product ("Kafka", "Terraform"); such a word at
  the start of a sentence is `weak`: rules whose predicate a system can also be the subject of
  ("failed to", "forgot", "skipped") ignore weak persons;
- a role noun with its determiner and modifiers ("the on-call engineer", "a junior developer"); the
  roles that are also systems (operator, manager, admin, lead, owner) only after a determiner and with
  no modifier or a human one, so "the Kubernetes operator" is a system;
- a team ("the storage team", "ops", "the backend guys", "team of Wojciech");
- an indefinite person ("someone", "whoever merged that"), "who" opening a chat question ("who borked
  the helm chart"), and the pronouns he, she, they, him, them, and "her" where it ends a clause ("that's
  on her", not "her change");
- a username or first name passed in `people` (the registered users).

Not persons: "we", "I", "our team" (a COE asks its authors to be self-critical in the first person).
"nobody" and "no one" are persons with `negative` set: "nobody was watching" blames everyone, "nobody
is to blame" blames no one, and the rules decide which.

The lexicon is the `names` package (MIT; its data, the 1990 US Census first-name lists, public domain):
about 5,200 names in two small text files inside the package, read once, lazily, on the first check,
into a frozenset (a few hundred KiB). Larger lexicons (names-dataset, nomquamgender) hold hundreds of
thousands of names but take tens to hundreds of MiB loaded, past the web worker's 80 MiB budget, and
gender-guesser is GPL. Names the census list lacks are still found by their capital letter in the slot
of a blame predicate.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_LEXICON_FILES = ("dist.male.first", "dist.female.first")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lexicon names that are also common English words: persons only when capitalised mid-sentence.
_WORD_NAMES = _words(
    "will mark may june april august grant chase dean rich ray joy art bill rob sue pat lane hope "
    "faith summer autumn dawn eve major king case frank miles max jack carol holly ivy lily violet "
    "daisy penny sunny rocky cliff buck son chance christian hunter forest river sky star winter "
    "crystal amber ruby pearl page else long see so in an ok min miss spring guy don junior buddy "
    "rose young gay glad sharon an in ok asia china india kenya will jean ava lou tommie many sung le "
    "la ma mo ha do no ok"
)
# Capitalised words that are not persons: sentence openers, section labels, products and services.
_NOT_NAMES = _words(
    "you the this that these those it its there then when where while if but and or so because after "
    "before although though as at in on of for to from by with without our we i us my me you your "
    "everything nothing everyone anyone nobody somebody someone all some any each every no yes not "
    "one two three production prod staging checkout root cause fault blame why who what whose which "
    "how honestly ultimately unfortunately frankly basically clearly obviously looking bottom line "
    "classic action owner impact detection summary timeline resolution note update status "
    "contributing factor rca deploy deploys deployment deployments release releases rollout rollback "
    "migration migrations replication backup backups monitoring alerting logging traffic latency "
    "everything management kafka terraform kubernetes postgres postgresql mysql redis nginx envoy "
    "istio helm docker ansible jenkins github gitlab bitbucket dependabot renovate prometheus grafana "
    "datadog pagerduty opsgenie sentry slack jira confluence linux windows aws gcp azure s3 ec2 rds "
    "celery django chaos monkey vault consul cloudflare akamai fastly elasticsearch kibana splunk "
    "cassandra mongodb spark airflow sns sqs lambda route cert manager argo flux monday tuesday "
    "wednesday thursday friday saturday sunday january february march october november december utc"
)
_FIRST_PERSON = re.compile(r"^(?:we|i|us|our|ours|my|me|myself|ourselves)\b", re.I)

_ROLES = (
    r"engineers?|developers?|devs?|programmers?|coders?|sysadmins?|administrators?|dbas?|sres?|interns?|"
    r"new\s+hires?|hires?|contractors?|consultants?|reviewers?|approvers?|on-?call(?:ers?)?|"
    r"on-?call\s+(?:engineer|person|responder|dev|developer|sre)s?|responders?|incident\s+commanders?|"
    r"team\s+leads?|tech\s+leads?|leads|bosses|boss|committers?|persons?|people|humans?|guys?|folks|"
    r"colleagues?|co-?workers?|teammates?|juniors?|seniors?|newbies?|testers?|architects?|analysts?|"
    r"employees?|staff|scribes?|dudes?|idiots?|individuals?|captains?|drivers?|coordinators?|technicians?|"
    r"specialists?|supervisors?|newcomers?|trainees?|freelancers?|contacts?|liaisons?|reps?"
)
_AMBIGUOUS_ROLES = r"operators?|managers?|admins?|lead|owners?|authors?|vendors?|ic|qa"
_HUMAN_MODIFIERS = _words(
    "new junior senior same responsible primary secondary on-call oncall release product project "
    "engineering incident database db dba network networking platform storage sre ops devops infra "
    "security tech team human night weekend backup shift duty system qa it former previous current "
    "other whole lead main single night-shift day-shift overnight on-duty noc support dev devops"
)
_TEAM_WORDS = (
    r"ops|infra|support|engineering|product|qa|security|management|devops|networking|sre|backend|"
    r"frontend|marketing|sales|hr|leadership|dbas|sres|legal|finance"
)

_TEAM_RE = re.compile(_TEAM_WORDS, re.I)
_ROLE_RE = re.compile(rf"(?:{_ROLES})", re.I)
_AMBIGUOUS_RE = re.compile(_AMBIGUOUS_ROLES, re.I)
_TITLE = re.compile(r"^(?:mr|mrs|ms|dr)\.?$")
_PUNCTUATION = re.compile(r"[^\w\s'\u2019.-]")
_PREFIX = re.compile(r"<[^>]*>|\[[^\]]*\]|(?:(?![<[])[\W\d_])+|\b(?:IC|UTC)\b")


@dataclass(frozen=True)
class Person:
    text: str
    negative: bool = False  # "nobody", "no one"
    weak: bool = False  # an unknown capitalised word at the start of a sentence


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    """The first names, lower-cased; read from the package's files on first use, then kept."""
    folder = resources.files("names")
    found = set()
    for filename in _LEXICON_FILES:
        for line in (folder / filename).read_text(encoding="ascii").splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    return frozenset(found)


@lru_cache(maxsize=256)
def _known(people: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name.lower() for person in people for name in person.split() if len(name) > 1)


def judge(text: str, *, at_start: bool, people: tuple[str, ...] = (), after: str = "") -> Person | None:
    """The person `text` (a reading found by `spans`) names, or None for a system or nothing."""
    words = text.replace("\u2019", "'").split()
    if not words:
        return None
    if _FIRST_PERSON.match(text) and not _our_role(words):
        return None
    if text.startswith("@") and len(words) == 1:
        return Person(text)  # a chat mention
    low = [w.lower() for w in words]
    head = low[-1]
    if head in ("nobody", "no-one", "one") and low[0] in ("nobody", "no", "no-one"):
        return Person(text, negative=True)
    if low == ["who"]:
        return Person(text)
    if low[0] in (
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "everyone",
        "everybody",
        "whoever",
        "he",
        "she",
        "him",
    ):
        return Person(text)
    if low == ["her"]:
        return Person(text)  # "that's on her": spans add "her" only where no noun follows
    if low[0] in ("they", "you", "them"):
        return Person(text, weak=True)  # as often the alerts (they) or anyone (you): strong rules only
    if low[0] == "team" and len(low) == 3:
        return Person(text)
    if _TEAM_RE.fullmatch(head) and len(low) <= 2:
        return Person(text) if len(low) == 1 or low[0] == "the" else None
    if _ROLE_RE.fullmatch(" ".join(low[-2:])) or _ROLE_RE.fullmatch(head):
        return _role(text, low)
    if head in ("team", "teams", "squad", "crew", "department", "dept", "group"):
        return Person(text) if len(low) >= 2 and low[-2] not in ("the", "a", "this", "our", "my") else None
    if _AMBIGUOUS_RE.fullmatch(head):
        mods = low[1:-1]
        if len(low) == 1:
            return None
        return Person(text) if all(m in _HUMAN_MODIFIERS for m in mods) else None
    return _name(words, low, at_start=at_start, people=people, after=after)


_NOT_OPENING_NAMES = _words("will mark may june april august march see so in an ok do no ma la le mo ha")
_VERB_LIKE = _words(
    "was is has had should must needs need will would could can did didn't wasn't isn't hasn't never just"
)


def _verb_like(word: str) -> bool:
    low = word.lower()
    return low in _VERB_LIKE or (len(low) > 4 and low.endswith("ed"))


def _our_role(words: list[str]) -> bool:
    """ "our DBA", "my intern": one person of our own, not the first person ("our team", "our people")."""
    low = [w.lower() for w in words]
    return (
        len(low) >= 2
        and low[0] in ("our", "my")
        and not low[-1].endswith("s")
        and low[-1] in _ROLE_WORDS
        and low[-1] not in ("people", "staff", "team", "folk")
    )


def _role(text: str, low: list[str]) -> Person | None:
    if low[0] in ("our", "my") and low[-1] in ("people", "folks", "team"):
        return None
    return Person(text)


def _name(
    words: list[str], low: list[str], *, at_start: bool, people: tuple[str, ...], after: str = ""
) -> Person | None:
    first = _TITLE.sub("", low[0]) or (low[1] if len(low) > 1 else "")
    first = first.removesuffix("'s")
    word = words[0] if first == low[0].removesuffix("'s") else words[-1]
    capitalised = word[:1].isupper()
    if first in _known(people) and (first not in _WORD_NAMES or capitalised):
        return Person(" ".join(words))
    if first in _NOT_NAMES or len(first) < 2:
        return None
    if first in lexicon() and first not in _WORD_NAMES:
        return Person(" ".join(words))
    if first in _WORD_NAMES:
        if capitalised and not at_start:
            return Person(" ".join(words))
        # Opening a sentence, "Frank" or "Max" is a name when a verb follows ("Max caused the outage",
        # "Frank needs to ..."), not when a noun does ("Max connections"); never a month or a verb.
        if capitalised and len(words) == 1 and first not in _NOT_OPENING_NAMES and _verb_like(after):
            return Person(words[0], weak=True)
        return None
    if capitalised and not word.isupper():
        return Person(" ".join(words), weak=at_start)
    return None


_TOKEN = re.compile(r"[A-Za-z@][\w'\u2019-]*(?:[.+][\w'\u2019-]+)*")
_DETS = _words("the a an our their his her your that this one some any every each whichever same")
_INDEFINITE = _words(
    "someone somebody anyone anybody everyone everybody nobody no-one he she they you him them"
)
_ROLE_WORDS = _words(
    "engineer developer dev programmer coder sysadmin administrator dba sre intern contractor "
    "consultant reviewer approver on-call oncall on-caller responder commander boss bosse committer "
    "person people human guy folk folks colleague coworker co-worker teammate junior senior newbie "
    "tester architect analyst employee staff scribe dude idiot individual hire captain driver "
    "coordinator technician specialist supervisor newcomer trainee freelancer contact liaison rep"
)
_AMBIGUOUS = frozenset(["operator", "manager", "admin", "lead", "owner", "author", "vendor", "ic", "qa"])
_TEAM_HEADS = frozenset(["team", "squad", "crew", "department", "dept", "group"])
_TEAMS = frozenset(_TEAM_WORDS.split("|"))


_HEADS = _ROLE_WORDS | _AMBIGUOUS | _TEAM_HEADS
# Words after which "who" opens a question about a person, not a relative clause.
_WHO_LEADS = _words(
    "ok okay so srsly seriously lol lmao ngl like and but honestly um uh know guess wonder asks ask"
)
_CLAUSE_MARK = re.compile(r"[,;:.!?]")
_ERROR_NOUNS = frozenset(["error", "errors", "mistake", "mistakes", "failure", "failures"])


def _singular(word: str) -> str:
    if word == "bosses":
        return "boss"
    return word[:-1] if word.endswith("s") and word[:-1] in _HEADS else word


def _head(word: str) -> bool:
    return word in _HEADS or _singular(word) in _HEADS


def spans(sentence: str, people: Collection[str] = ()) -> dict[int, list[tuple[int, Person]]]:
    """Every person in `sentence`: start offset -> the readings that start there, longest first, as
    (end offset, person). A possessive "'s" is left outside the reading, for the patterns to match."""
    known = tuple(people)
    lexicon_names, known_names = lexicon(), _known(known)
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(sentence)]
    found: dict[int, list[tuple[int, Person]]] = {}
    lows = [t[2].lower().replace("\u2019", "'").removesuffix("'s").rstrip("'") for t in tokens]
    opening = 0  # where the sentence's words start, past timestamps, chat nicks and list marks
    while (mark := _PREFIX.match(sentence, opening)) is not None and mark.end() > opening:
        opening = mark.end()

    def add(first: int, last: int) -> None:
        possessive = tokens[last][2].endswith(("'s", "\u2019s", "'", "\u2019"))
        if not possessive and last + 1 < len(lows) and lows[last + 1] in _ERROR_NOUNS and _head(lows[last]):
            return  # "human error", "operator mistake": the human-error rule's
        if last > first and _PUNCTUATION.search(sentence, tokens[first][1], tokens[last][0]):
            return  # a reading never crosses punctuation
        start, end = tokens[first][0], tokens[last][1]
        word = tokens[last][2]
        if word.lower().endswith(("'s", "\u2019s")):
            end -= 2
        elif word.endswith(("'", "\u2019")):
            end -= 1
        text = sentence[start:end]
        at_start = start <= opening
        after = tokens[last + 1][2] if last + 1 < len(tokens) else ""
        person = judge(text, at_start=at_start, people=known, after=after)
        if person is not None and all(end != other for other, _ in found.get(start, ())):
            found.setdefault(start, []).append((end, person))

    singular = [_singular(low) for low in lows]
    heads = [word in _HEADS for word in singular]
    for i, low in enumerate(lows):
        nxt = lows[i + 1] if i + 1 < len(lows) else ""
        if low == "whoever":
            for k in range(min(5, len(tokens) - i - 1), -1, -1):
                if not _CLAUSE_MARK.search(sentence, tokens[i][1], tokens[i + k][0]):
                    add(i, i + k)
        elif low in _DETS:
            if low == "her" and (i + 1 == len(tokens) or _CLAUSE_MARK.match(sentence, tokens[i][1])):
                add(i, i)  # the object "her" ends a clause; the determiner "her" has its noun after it
                continue
            if nxt in _DETS:
                continue
            for k in range(min(3, len(tokens) - i - 1), 0, -1):
                if heads[i + k] and not any(w in _DETS for w in lows[i + 1 : i + k]):
                    add(i, i + k)
            continue
        elif low == "who" and (tokens[i][0] <= opening or (i and lows[i - 1] in _WHO_LEADS)):
            add(i, i)  # a question's subject: "who borked the helm chart", "we all know who broke staging"
        elif low == "no" and nxt == "one":
            add(i, i + 1)
        elif low in _INDEFINITE or low in _TEAMS:
            add(i, i)
        elif low == "team" and nxt == "of" and i + 2 < len(tokens):
            add(i, i + 2)
        elif low in ("mr", "mrs", "ms", "dr") and nxt:
            add(i, i + 1)
        for k in range(min(2, len(tokens) - i - 1), 0, -1):
            if singular[i + k] in _TEAM_HEADS or (
                heads[i + k] and all(w in _HUMAN_MODIFIERS for w in lows[i : i + k])
            ):
                add(i, i + k)
        if heads[i] and singular[i] not in _AMBIGUOUS:
            add(i, i)
        if tokens[i][2][:1].isupper() or low[:1] == "@" or low in lexicon_names or low in known_names:
            add(i, i)
    for readings in found.values():
        readings.sort(key=lambda reading: -reading[0])
    return found


_COMMON_ENDINGS = re.compile(
    r"(?:ing|ion|ment|ness|ity|ers|or|al|ed|ly|age|ure|ance|ence|ics|ism|ist|ise|ize|ate|ive|ous|able|ible|"
    r"ship|ster|ware|work|s)$",
    re.I,
)


def looks_like_name(text: str) -> bool:
    """An unknown capitalised word that does not look like an English noun or verb ("Deploy" and
    "Replication" do not pass; "Tomasz" and "Kenji" do): a weak person good enough for the rules whose
    verbs a system can take too."""
    word = text.split()[0].removesuffix("'s")
    return word.lower() not in _NOT_NAMES and not _COMMON_ENDINGS.search(word)
