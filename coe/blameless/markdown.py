"""Markdown for the blameless check: blank what is not prose (code, emphasis marks, link targets) keeping
every offset, and split the rest into sentences (at . ! ? and at block boundaries: blank lines, list
items, headings, quotes, table rows; a soft line break inside a paragraph does not end one)."""

import re

_FENCE_OPEN = re.compile(r"[ \t]*(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)[^\n]{1,2000}?(?<!`)\1(?!`)")
_LINK = re.compile(r"!?\[(?=[^\]\n]*\]\([^)\n]*\))|\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"\*{1,3}|~~|(?<!\w)_{1,3}(?=\w)|(?<=\w)_{1,3}(?!\w)|<!--.{0,10000}?-->", re.S)


_TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": ";", "\u2014": ";"}
)


def mask(text: str) -> str:
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


def sentences(masked: str) -> list[tuple[int, int]]:
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
