"""The fresh labeled set of the blameless check, in two parts split once before tuning (see README.md):
`tuning.jsonl` (what the rules may be tuned on) and `test.jsonl` (held out: only its totals are printed,
by `make bench-blameless`). `probe.jsonl`: 60 more sentences written after the rules and
scored once before being fixed for (tuning data since); `probe2.jsonl`: 80 more, written after that
score, committed before being scored, then fixed for too; `probe3.jsonl` and `probe4.jsonl`: 80 more
each, scored once (probe4 before the generic rule), then tuned on too. `blind.jsonl`: 441 sentences
written by someone who never saw the rules or the other sets, scored once (98.0% / 67.9%), then tuned
on: tuning data since. `probe14.jsonl`: 40 sentences of the kinds blind.jsonl's misses showed, in new
words, committed before the fixes and scored once after them (see README.md)."""

import json
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).resolve().parent
PARTS = (
    "tuning",
    "test",
    "blind",
    "blind2",
    "probe",
    "probe2",
    "probe3",
    "probe4",
    "probe5",
    "probe6",
    "probe7",
    "probe8",
    "probe9",
    "probe10",
    "probe11",
    "probe12",
    "probe13",
    "probe14",
)


@dataclass(frozen=True)
class Sample:
    text: str
    blameful: bool
    family: str  # the family of blame, or the class of neutral look-alike


def load(part: str) -> list[Sample]:
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; expected one of {PARTS}")
    with (FOLDER / f"{part}.jsonl").open(encoding="utf-8") as lines:
        return [Sample(**json.loads(line)) for line in lines if line.strip()]
