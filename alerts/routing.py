"""Pure rules that turn an alert's labels into an incident's severity and services."""

from collections.abc import Mapping

# What the tools' own words usually mean, when an integration does not say otherwise.
BUILTIN_SEVERITIES: dict[str, str] = {
    "critical": "SEV1",
    "page": "SEV1",
    "p1": "SEV1",
    "error": "SEV2",
    "high": "SEV2",
    "major": "SEV2",
    "p2": "SEV2",
    "warning": "SEV3",
    "warn": "SEV3",
    "medium": "SEV3",
    "p3": "SEV3",
    "info": "SEV4",
    "low": "SEV4",
    "p4": "SEV4",
    "p5": "SEV4",
}


def severity_for(
    *,
    labels: Mapping[str, str],
    tool_severity: str,
    label: str,
    mapping: Mapping[str, str],
    default: str,
) -> str:
    """The integration's map first, then the built-in meanings, then the integration's default."""
    value = str(labels.get(label) or tool_severity or "").strip()
    if not value:
        return default
    if value in mapping:
        return mapping[value]
    return BUILTIN_SEVERITIES.get(value.lower(), default)


def service_slug_for(*, labels: Mapping[str, str], label: str, mapping: Mapping[str, str]) -> str | None:
    """The slug of the affected service: the mapped label value, or the value itself."""
    value = str(labels.get(label) or "").strip()
    if not value:
        return None
    return mapping.get(value, value)
