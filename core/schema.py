"""What the OpenAPI schema (/api/schema/) says beyond what drf-spectacular reads from the serializers,
so that a request the schema allows is one the API accepts (schemathesis checks it:
tests/api/test_schemathesis.py).

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) over the finished
schema:
- request bodies refuse properties they do not declare (`additionalProperties: false`), as `StrictIn`
  does;
- text, in bodies and query parameters, holds no NUL character (`core.api.refuse_nul`), and text that
  must not be blank must hold something other than whitespace (DRF trims it first);
- an operation with a body may answer 415 (the API reads JSON only: `core.parsers`).
"""

from typing import Any

# Exactly what DRF's CharField trims (str.strip: the characters of str.isspace, none above U+3000),
# spelled out: `\s` differs between ECMA 262 (the schema's dialect), Python and Rust (U+001C-U+001F).
_TRIMMED = "".join(f"\\u{ord(c):04x}" for c in map(chr, range(0x3001)) if c.isspace())
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^\x00{_TRIMMED}][^\x00]*$"

UNSUPPORTED_MEDIA_TYPE = (
    "The body is not JSON (`Content-Type: application/json`): the API reads nothing else."
)


def _text(schema: dict[str, Any]) -> None:
    """Add the text patterns to a string schema (free text: no enum, no format, no pattern yet)."""
    if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & set(schema)):
        schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _text(schema["items"])


def _request_body(schema: dict[str, Any]) -> None:
    if schema.get("type") != "object":
        return
    schema.setdefault("additionalProperties", False)
    for prop in schema.get("properties", {}).values():
        _text(prop)


def postprocess(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    components = result.get("components", {}).get("schemas", {})
    request_refs = set()
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and isinstance(parameter.get("schema"), dict):
                    _text(parameter["schema"])
            body = operation.get("requestBody")
            if not body:
                continue
            for media in body.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref", "")
                if ref:
                    request_refs.add(ref.rsplit("/", 1)[-1])
                else:
                    _request_body(media.get("schema", {}))
            operation.setdefault("responses", {}).setdefault(
                "415",
                {
                    "description": UNSUPPORTED_MEDIA_TYPE,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                },
            )
    for name in request_refs:
        if name in components:
            _request_body(components[name])
    return result
