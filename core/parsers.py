"""The API's one request parser: JSON through `core.json`, so a body nested past its depth limit or
carrying a lone surrogate is a 400 (or a U+FFFD), never a RecursionError answered 500.

Its own module, like `core.throttling`: DRF imports the classes named in REST_FRAMEWORK while it defines
APIView, so this must not import rest_framework.views (core.api does). JSON is the only body the API
reads (forms and multipart are a 415), which is what its schema says.
"""

import codecs

from django.conf import settings
from rest_framework import exceptions, parsers

from core import json as core_json


class JsonParseError(exceptions.ParseError):
    """A body that is not JSON we accept: code `parse_error` (as DRF's), the reason in `extra`."""

    def __init__(self, message: str, *, extra: dict):
        super().__init__(message)
        self.extra = extra


class JsonParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(stream.read(), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise JsonParseError(
                f"The body is not valid {encoding}: {exc}", extra={"reason": "invalid_encoding"}
            ) from None
        try:
            return core_json.loads(text)
        except core_json.JsonError as exc:
            raise JsonParseError(
                f"JSON parse error - {exc.message}", extra={"reason": exc.code, **exc.extra}
            ) from None
