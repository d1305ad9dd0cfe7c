"""`make bench-blameless`: precision and recall of the blameless-language check, and its speed.

Three labeled sets, each reported apart with its count of sentences:
- the old set, tests/coe/blameless_cases.py (written alongside the first rules; per sentence and per rule);
- the tuning part of the fresh set, tests/coe/blameless_data/tuning.jsonl (per sentence, per family and
  neutral class, and every misclassified sentence: this is what the rules may be tuned on);
- the test part, tests/coe/blameless_data/test.jsonl: held out, ONLY its totals are printed, never its
  sentences, so tuning cannot look at its failures. It is the figure that counts (targets: precision
  >= 0.90, recall >= 0.85).
- the blind part, tests/coe/blameless_data/blind.jsonl: 441 sentences written by someone who never saw
  the rules nor the other sets. It was scored ONCE held out (precision 98.0%, recall 67.9%); its misses
  were then printed and fixed for by general constructions, so it is tuning data since and its misses
  are printed like the tuning part's.
- the second blind part, tests/coe/blameless_data/blind2.jsonl: 393 sentences written the same way by
  another hand that never saw the rules or any set, after the last tuning; held out (totals only). The
  honest figure for other people's sentences.
- thirteen late probes, tests/coe/blameless_data/probe.jsonl (60) and probe2.jsonl ... probe13.jsonl
  (80 each), each written after the rules of its time and committed before it was scored once (the fresh
  set was written by the same hand as the first rules, before them, which flatters the test part).
  Their first scores are in tests/coe/blameless_data/README.md; all are tuning data since, so their
  misses are printed like the tuning part's.
A sentence is positive when labeled blameful, flagged when the check finds anything. The fresh set is
checked without a user list (people=()), as text written by anyone would be.

Speed: one section of about 2,000 words (paragraphs of labeled sentences, so denser in blame words than
a real COE, whose sentences mostly fail the families' cheap word gates) linted 30 times: the median and
the worst, in CPU time (the figure to compare with the ~20 ms target: on a shared machine wall time
mostly measures the other processes) and in wall time; plus the lexicons' one lazy load and memory
(the first names of `names`, the negative words of `vaderSentiment`).

Run from the project root: .venv/bin/python bench/blameless.py
"""

import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coe import blameless
from coe.blameless import conduct, lexicon, people
from tests.coe import blameless_data
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


def old_set() -> Counts:
    sentences = Counts()
    by_rule = {rule.id: Counts() for rule in blameless.RULES}
    wrong: list[tuple[Case, set[str]]] = []
    for case in CASES:
        found = {finding.rule for finding in blameless.lint(case.text, people=PEOPLE)}
        sentences.add(case.blameful, bool(found))
        for rule_id, counts in by_rule.items():
            counts.add(rule_id in case.rules, rule_id in found)
        if bool(found) != case.blameful:
            wrong.append((case, found))
    kinds = f"{len(BLAMEFUL)} blameful, {len(NEUTRAL)} neutral"
    print(f"== Old set (tests/coe/blameless_cases.py): {len(CASES)} sentences ({kinds}), people = {PEOPLE}")
    print(sentences.line("  per sentence"))
    print("  per rule (the rule expected vs. the rule raised; the families map onto five rules)")
    for rule in blameless.RULES:
        print(by_rule[rule.id].line(f"    {rule.id} ({rule.severity})"))
    print(f"  misclassified sentences: {len(wrong)}")
    for case, found in wrong:
        label = "blameful" if case.blameful else "neutral"
        print(f"    expected {label}, got {sorted(found) or '-'}: {case.text}")
    return sentences


def fresh_part(part: str, *, show: bool) -> Counts:
    samples = blameless_data.load(part)
    total = Counts()
    by_family: dict[str, Counts] = defaultdict(Counts)
    wrong = []
    for sample in samples:
        found = blameless.lint(sample.text)
        total.add(sample.blameful, bool(found))
        by_family[sample.family].add(sample.blameful, bool(found))
        if bool(found) != sample.blameful:
            wrong.append((sample, found))
    blameful = sum(sample.blameful for sample in samples)
    kinds = f"{blameful} blameful, {len(samples) - blameful} neutral"
    print(f"\n== Fresh set, {part} part: {len(samples)} sentences ({kinds})")
    print(total.line("  per sentence"))
    if not show:
        print("  (held out: totals only, no sentences and no breakdown)")
        return total
    print("  blameful families (recall) and neutral classes (false positives)")
    for family, counts in sorted(by_family.items()):
        if counts.tp + counts.fn:
            print(f"    {family:<24} recall {counts.recall:6.1%}  ({counts.tp}/{counts.tp + counts.fn})")
        else:
            print(f"    {family:<24} false positives {counts.fp}/{counts.fp + counts.tn}")
    print(f"  misclassified sentences: {len(wrong)}")
    for sample, found in wrong:
        got = sorted({f"{f.rule}/{f.family}" for f in found}) or "-"
        label = "blameful" if sample.blameful else "neutral"
        print(f"    {sample.family}: expected {label}, got {got}: {sample.text}")
    return total


def section(words: int = 2000) -> str:
    """About `words` words of COE prose: paragraphs of the labeled sentences, in order."""
    texts = [case.text for case in CASES] + [s.text for s in blameless_data.load("tuning")]
    paragraphs, paragraph, count, i = [], [], 0, 0
    while count < words:
        text = texts[i % len(texts)]
        paragraph.append(text if text.rstrip().endswith((".", "!", "?")) else text + ".")
        count += len(text.split())
        i += 1
        if len(paragraph) == 6:
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def _load(function) -> tuple[object, float, float]:
    """(result, ms, KiB kept) of a lexicon's first load."""
    function.cache_clear()
    tracemalloc.start()
    started = time.perf_counter()
    result = function()
    load_ms = (time.perf_counter() - started) * 1000
    kib = tracemalloc.get_traced_memory()[0] / 1024
    tracemalloc.stop()
    return result, load_ms, kib


def speed() -> None:
    names, load_ms, lexicon_kib = _load(people.lexicon)
    negative, vader_ms, vader_kib = _load(lexicon.vader_negative)
    conduct._trigger.cache_clear()
    text = section()
    wall, cpu = [], []
    for _ in range(30):
        started, started_cpu = time.perf_counter(), time.process_time()
        found = blameless.lint(text, people=PEOPLE)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(f"\n== Speed: one section of {len(text.split())} words, {len(found)} findings, 30 runs")
    print(f"  lexicon: {len(names)} first names, read once in {load_ms:.1f} ms, {lexicon_kib:.0f} KiB")
    print(f"  VADER: {len(negative)} negative words, read once in {vader_ms:.1f} ms, {vader_kib:.0f} KiB")
    print(
        f"  lint, CPU time:  median {statistics.median(cpu):.1f} ms, worst {max(cpu):.1f} ms (target ~25 ms)"
    )
    wall_ms = f"median {statistics.median(wall):.1f} ms, worst {max(wall):.1f} ms"
    print(f"  lint, wall time: {wall_ms} (this machine's load)")


def main() -> None:
    parts = {"old set": old_set()}
    for part in blameless_data.PARTS:
        parts[part] = fresh_part(part, show=part not in ("test", "blind2"))
    speed()
    print("\n== Every part")
    for label, counts in parts.items():
        print(counts.line(f"  {label} ({counts.tp + counts.fp + counts.fn + counts.tn})"))
    test, blind2 = parts["test"], parts["blind2"]
    print(
        f"\nTest part: precision {test.precision:.1%} recall {test.recall:.1%}; second blind part (other "
        f"people's sentences, never tuned on): precision {blind2.precision:.1%} recall {blind2.recall:.1%} "
        f"(targets 90% / 85%)"
    )


if __name__ == "__main__":
    main()
