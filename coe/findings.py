"""Blameless-language findings of a COE: what `coe.blameless` says about each section, minus the
findings a reviewer dismissed (with a reason, recorded as an event). A dismissal is keyed by the
section, the rule and the flagged words, so it survives edits elsewhere in the text."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from coe import blameless
from coe.models import Coe, CoeEventKind


@dataclass(frozen=True)
class SectionFinding:
    section: str
    finding: blameless.Finding
    words: str

    @property
    def key(self) -> str:
        return dismissal_key(self.section, self.finding.rule, self.words)


def dismissal_key(section: str, rule: str, words: str) -> str:
    return f"{section}|{rule}|{' '.join(words.lower().split())}"


def people() -> list[str]:
    """Names that count as persons: active users' usernames and first names."""
    names = set()
    for username, first_name in (
        get_user_model().objects.filter(is_active=True).values_list("username", "first_name")
    ):
        names.add(username)
        if first_name:
            names.add(first_name)
    return sorted(names)


def dismissed_keys(coe: Coe) -> set[str]:
    return {
        event.data.get("key", "")
        for event in coe.events.all()
        if event.kind == CoeEventKind.FINDING_DISMISSED
    }


def section_findings(section, *, names: Iterable[str], dismissed: set[str]) -> list[SectionFinding]:
    """One section's findings, less the dismissed ones."""
    items = (
        SectionFinding(section=section.key, finding=finding, words=section.body[finding.start : finding.end])
        for finding in blameless.lint(section.body, people=names)
    )
    return [item for item in items if item.key not in dismissed]


def open_findings(coe: Coe, *, names: Iterable[str] | None = None) -> list[SectionFinding]:
    """Every finding not dismissed, section by section in document order."""
    names = list(names) if names is not None else people()
    dismissed = dismissed_keys(coe)
    return [
        item
        for section in coe.sections.all()
        for item in section_findings(section, names=names, dismissed=dismissed)
    ]


def blocking_count(findings: Iterable[SectionFinding]) -> int:
    return sum(1 for item in findings if item.finding.severity == blameless.Severity.BLOCKING)
