"""`make bench-blameless`: precision and recall of the blameless-language check on its labeled set.

The set is tests/coe/blameless_cases.py (sentences with the rule ids they must raise; neutral ones raise
none). Per sentence, a sentence is positive when it has any expected rule and flagged when the check
finds anything; per rule, the same with that rule alone. Prints the confusion counts and every
misclassified sentence (those the tests mark as known failures are labeled so). No timing: the check
is pure and fast, and the figures here are about what it flags. Needs no Django settings.

Run from the project root: .venv/bin/python bench/blameless.py
"""

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coe import blameless
from tests.coe.blameless_cases import BLAMEFUL, CASES, NEUTRAL, PEOPLE, Case


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, expected: bool, predicted: bool) -> None:
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif expected:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def line(self, label: str) -> str:
        return (
            f"{label:<36} precision {self.precision:6.1%}  recall {self.recall:6.1%}   "
            f"tp {self.tp:>3}  fp {self.fp:>3}  fn {self.fn:>3}  tn {self.tn:>3}"
        )


def main() -> None:
    sentences = Counts()
    by_rule = {rule.id: Counts() for rule in blameless.RULES}
    wrong: list[tuple[Case, set[str]]] = []
    for case in CASES:
        found = {finding.rule for finding in blameless.lint(case.text, people=PEOPLE)}
        sentences.add(case.blameful, bool(found))
        for rule_id, counts in by_rule.items():
            counts.add(rule_id in case.rules, rule_id in found)
        if found != case.rules:
            wrong.append((case, found))

    kinds = f"{len(BLAMEFUL)} blameful, {len(NEUTRAL)} neutral"
    print(f"Blameless-language check: {len(CASES)} labeled sentences ({kinds})")
    print(f"people = {PEOPLE}\n")
    print("Per sentence (flagged at all vs. has any expected rule)")
    print(sentences.line("  any rule"))
    print("\nPer rule (severity)")
    for rule in blameless.RULES:
        print(by_rule[rule.id].line(f"  {rule.id} ({rule.severity})"))
    print(f"\nMisclassified: {len(wrong)} (sentence or rule set differs)")
    for case, found in wrong:
        known = f"  [known: {case.xfail}]" if case.xfail else ""
        print(f"  expected {sorted(case.rules) or '-'}, got {sorted(found) or '-'}: {case.text}{known}")


if __name__ == "__main__":
    main()
