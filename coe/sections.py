"""The six sections of a COE, in order, with the guidance shown beside each editor. Pure data.

From the seed article's COE mechanism (Amazon's Correction of Errors): what happened, the data that
supports the analysis, the impact on customers, the contributing factors, what was learned, and how
it will be prevented. Blameless by construction: never stop the analysis at human error.
"""

from dataclasses import dataclass

from django.db import models


class SectionKey(models.TextChoices):
    """Declaration order is the document order."""

    WHAT_HAPPENED = "what_happened", "What happened?"
    DATA = "data", "What data do you have to support your analysis?"
    IMPACT = "impact", "What was the impact on customers?"
    CONTRIBUTING_FACTORS = "contributing_factors", "What are the contributing factors?"
    LESSONS = "lessons", "What did you learn?"
    PREVENTION = "prevention", "How will you prevent it from happening again?"


@dataclass(frozen=True)
class Guidance:
    good: str
    questions: tuple[str, ...]


GUIDANCE: dict[SectionKey, Guidance] = {
    SectionKey.WHAT_HAPPENED: Guidance(
        "A short, factual narrative a newcomer can follow: what customers saw, what the team saw, and what "
        "was done, in time order.",
        (
            "When did impact begin, and when did we know?",
            "What did we see first, and where?",
            "What did we try, in what order, and what changed the outcome?",
        ),
    ),
    SectionKey.DATA: Guidance(
        "Evidence, not impressions: graphs, logs, timestamps and numbers that back every claim in the "
        "document.",
        (
            "Which metrics show the start, the peak and the end of the impact?",
            "How long did each phase take: detection, evaluation, response, recovery, confirmation?",
            "Which alerts fired, and which should have but did not?",
        ),
    ),
    SectionKey.IMPACT: Guidance(
        "The customer's view: who was affected, how, for how long, and what it cost them and us.",
        (
            "How many customers, in which regions or cells?",
            "What could they not do, and for how long?",
            "What was the downtime, and its estimated cost?",
        ),
    ),
    SectionKey.CONTRIBUTING_FACTORS: Guidance(
        "The conditions that made the outcome possible: technical, process, tooling, monitoring, "
        "organisational. Ask why until you reach something the system can change. People are never the "
        "last why: ask why their action made sense at the time.",
        (
            "Why did it happen? And why was that possible?",
            "Why did detection take as long as it did?",
            "What made recovery slower or faster than it could have been?",
        ),
    ),
    SectionKey.LESSONS: Guidance(
        "What the team learned about the system and the way it works, worth sharing with other teams.",
        (
            "What surprised us?",
            "What went well and should be kept?",
            "Which assumption turned out to be wrong?",
        ),
    ),
    SectionKey.PREVENTION: Guidance(
        "The actions that make this class of failure less likely, detected sooner or less harmful, each with "
        "an owner and a due date (see the action items).",
        (
            "What stops it from happening again, not only this instance?",
            "How would we detect it sooner next time?",
            "How do we limit the blast radius if it happens anyway?",
        ),
    ),
}


def section_written(section) -> bool:
    """Written means not empty, and neither the prefilled text nor the guidance (a Section)."""
    text = section.body.strip()
    return bool(text) and text != section.prefill.strip() and text != GUIDANCE[SectionKey(section.key)].good
