"""Pure rules that turn an alert's labels into an incident's severity and services.

A value is looked up as a person reads it: surrounding whitespace is ignored and case does not
matter, both in the integration's own maps and in the built-in meanings below. The integration's
map always wins; then the words alerting tools use (Alertmanager/Prometheus conventions, PagerDuty's
critical/error/warning/info, Opsgenie's P1..P5, Zabbix's Disaster..Information, syslog levels,
Datadog's alert types and priorities); then the integration's default.

Numbered forms are read whatever the spelling: "SEV1", "sev-1", "Sev 2", "severity_3", "P1",
"p-2", "Priority 3", also with a trailing word ("P1 - Critical"). SEV0 (the top level where teams
use one) is SEV1; P1 is SEV1, P2 SEV2, P3 SEV3, P4 and P5 SEV4.
"""

import re
from collections.abc import Mapping

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")

# What the tools' own words usually mean, when an integration does not say otherwise.
BUILTIN_SEVERITIES: dict[str, str] = {
    **dict.fromkeys(
        (
            "critical",
            "crit",
            "fatal",
            "emergency",
            "emerg",
            "disaster",
            "page",
            "blocker",
            "urgent",
            "highest",
        ),
        "SEV1",
    ),
    **dict.fromkeys(("error", "err", "high", "major", "severe", "serious"), "SEV2"),
    **dict.fromkeys(("warning", "warn", "medium", "average", "moderate", "minor"), "SEV3"),
    **dict.fromkeys(
        (
            "info",
            "information",
            "informational",
            "low",
            "lowest",
            "notice",
            "debug",
            "trivial",
            "not classified",
        ),
        "SEV4",
    ),
}

_NUMBERED = re.compile(r"^(?:sev(?:erity)?|p(?:riority)?)[\s_:-]*(?P<n>[0-9])(?:$|[^0-9a-z.])", re.IGNORECASE)
# SEVn and Pn read alike: 0 and 1 are the top, 5 the lowest a tool sends (Opsgenie's P5).
_BY_NUMBER = {0: "SEV1", 1: "SEV1", 2: "SEV2", 3: "SEV3", 4: "SEV4", 5: "SEV4"}


def fold(value: object) -> str:
    """The form two label values are compared in: trimmed, inner whitespace single, case-folded."""
    return " ".join(str(value or "").split()).casefold()


def severity_word(value: str) -> str | None:
    """The severity a tool's own word or number means, or None when it is not one we know."""
    key = fold(value)
    if not key:
        return None
    if key in BUILTIN_SEVERITIES:
        return BUILTIN_SEVERITIES[key]
    match = _NUMBERED.match(key)
    if match is None:
        return None
    return _BY_NUMBER.get(int(match.group("n")))


def _canonical(severity: str) -> str | None:
    value = str(severity or "").strip().upper()
    return value if value in SEVERITIES else severity_word(value)


def _folded(mapping: Mapping[str, str]) -> dict[str, str]:
    """The map keyed by folded values; where two keys fold alike, the first one written wins."""
    folded: dict[str, str] = {}
    for key, value in (mapping or {}).items():
        folded.setdefault(fold(key), value)
    return folded


def _label_value(labels: Mapping[str, str], label: str) -> str:
    """The label's value; a label spelled in another case (`Severity`) is found too."""
    if not label:
        return ""
    if labels.get(label):
        return str(labels[label])
    wanted = label.casefold()
    for name, value in labels.items():
        if str(name).casefold() == wanted and value:
            return str(value)
    return ""


def severity_for(
    *,
    labels: Mapping[str, str],
    tool_severity: str,
    label: str,
    mapping: Mapping[str, str],
    default: str,
) -> str:
    """The incident's severity: the label's value, else the tool's own severity word, each read
    through the integration's map first and the built-in meanings second; else the default."""
    table = _folded(mapping)
    for value in (_label_value(labels, label), str(tool_severity or "")):
        key = fold(value)
        if not key:
            continue
        mapped = _canonical(table[key]) if key in table else None
        found = mapped or severity_word(key)
        if found:
            return found
    return default


def service_slug_for(*, labels: Mapping[str, str], label: str, mapping: Mapping[str, str]) -> str | None:
    """The slug of the affected service: the mapped label value, or the value itself."""
    value = _label_value(labels, label).strip()
    if not value:
        return None
    return _folded(mapping).get(fold(value), value)
