"""Find the `@username` mentions in a comment's Markdown. Pure: no queries; the caller decides which
names are people (`coe.services.comments` notifies only existing active users).

A mention is `@` followed by a Django username (letters, digits and `.@+-_`, up to 150 characters,
as `django.contrib.auth.validators.UnicodeUsernameValidator` allows), where the `@` does not follow
one of those characters, a `/` or a backslash. So:

- `a@b.com` is an email address, not a mention of `b.com`;
- `https://example.com/@bob` is a link, not a mention;
- `\\@bob` is the escape for writing the name without notifying anyone.

A trailing `.` ends the sentence, not the name (`Thanks @bob.` mentions `bob`). Text in code (inline
code spans, CommonMark's backtick rule, and ``` or ~~~ fenced blocks) is quoted, not addressed to
anyone, so it mentions no one; indented code blocks are not told apart from text. Names are matched
as written (Django usernames are case-sensitive).
"""

import bisect
import re

USERNAME_MAX_LENGTH = 150  # django.contrib.auth.models.AbstractUser.username
MENTION = re.compile(r"(?<![\w.@+\-/\\])@([\w.@+-]+)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BACKTICKS = re.compile(r"`+")


def _without_fenced_blocks(text: str) -> str:
    """The text with every line of a fenced code block (fences included) blanked. An unclosed fence
    runs to the end, as in CommonMark."""
    kept: list[str] = []
    fence = ""
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if not fence and opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence = opening.group(1)
            kept.append("")
        elif fence:
            closing = FENCE.match(line)
            if (
                closing
                and closing.group(1)[0] == fence[0]
                and len(closing.group(1)) >= len(fence)
                and not line[closing.end() :].strip()
            ):
                fence = ""
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)


def _without_code_spans(text: str) -> str:
    """The text with every inline code span blanked: a run of n backticks opens one, the next run of
    exactly n closes it; a run with no closer, or escaped by a backslash, is literal backticks."""
    runs = [(match.start(), match.end()) for match in BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}  # run length -> the indexes of the runs that long, ascending
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    pieces: list[str] = []
    position = index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_length[end - start]
        later = bisect.bisect_right(same, index)
        if (start and text[start - 1] == "\\") or later == len(same):
            index += 1
            continue
        closer = same[later]
        pieces += [text[position:start], " "]
        position = runs[closer][1]
        index = closer + 1
    pieces.append(text[position:])
    return "".join(pieces)


def usernames(text: str) -> list[str]:
    """The usernames mentioned in `text`, each once, in the order of their first mention."""
    prose = _without_code_spans(_without_fenced_blocks(text or ""))
    found: dict[str, None] = {}
    for match in MENTION.finditer(prose):
        name = match.group(1).rstrip(".")
        if name and len(name) <= USERNAME_MAX_LENGTH:
            found.setdefault(name, None)
    return list(found)
