"""JSON from strangers: one reader for the API's bodies and the alert intake.

Python's `json` module alone fails two ways on hostile input. Nesting a thousand levels deep raises
RecursionError (not a ValueError, so callers answered 500 or 503 to a body that can never parse), and
an escaped lone surrogate (`"\\ud800"`) decodes into a str that UTF-8, and so PostgreSQL, cannot hold.
`loads` bounds the nesting explicitly (MAX_DEPTH) before parsing and replaces every lone surrogate with
U+FFFD, so what it returns can always be stored.

The standard library is kept rather than orjson: orjson refuses lone surrogates outright (we want to keep
the rest of an alert) and its depth limit (1,024) is fixed, not ours to choose.
"""

import itertools
import json
import re
from typing import Any

MAX_DEPTH = 64  # arrays and objects inside each other; real payloads nest fewer than ten

# Strings (their brackets do not nest), then the brackets themselves. Possessive, so a long string is
# one linear scan.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# An escaped surrogate: the only way a lone one can reach the decoder (UTF-8 cannot encode them).
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


class JsonError(ValueError):
    """The text is not JSON we accept. `message` says why, for people; `extra` where (line, column)."""

    code = "invalid_json"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class TooDeep(JsonError):
    code = "too_deep"


def depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (0 for a scalar). Brackets inside strings do not
    count. Cheap when there are few brackets: each is counted once, after the strings are skipped."""
    if text.count("[") + text.count("{") == 0:
        return 0
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(0, max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0))


def _no_constant(name: str) -> None:
    raise JsonError(f"{name} is not valid JSON.")


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of `text`, with every lone surrogate replaced by U+FFFD.

    Raises TooDeep past `max_depth` levels (checked before parsing), JsonError for anything that is
    not JSON (NaN and Infinity included, as RFC 8259 says)."""
    if not isinstance(text, str):
        raise TypeError("loads() takes a str; decode the bytes first.")
    # The brackets, strings' included, bound the depth from above: most bodies need no closer look.
    if text.count("[") + text.count("{") > max_depth and depth(text) > max_depth:
        raise TooDeep(f"The JSON nests deeper than {max_depth} levels.", extra={"max_depth": max_depth})
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise JsonError(
            f"{exc.msg} at line {exc.lineno}, column {exc.colno}.",
            extra={"line": exc.lineno, "column": exc.colno},
        ) from None
    except RecursionError:  # pragma: no cover - the depth check comes first; kept as a last guard
        raise TooDeep(f"The JSON nests deeper than {max_depth} levels.") from None
    if _ESCAPED_SURROGATE.search(text):
        value = replace_surrogates(value)
    return value


def replace_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {replace_surrogates(key): replace_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [replace_surrogates(item) for item in value]
    return value


def has_surrogates(text: str) -> bool:
    """Whether `text` (JSON) may decode to a lone surrogate: it escapes one (a valid pair also counts)."""
    return _ESCAPED_SURROGATE.search(text) is not None
