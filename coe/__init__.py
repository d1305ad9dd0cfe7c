"""COE (Correction of Errors) documents: the six-section blameless review written after an incident,
its contributing factors, action items, review workflow and comment threads.

It stands apart from `incidents` because a COE has its own lifecycle (draft, in review, approved,
reopened), its own collaborators and its own history (revisions); it reads incidents, never writes
them. `blameless.py` (the language check), `mentions.py`, `policy.py`, `prefill.py` and `sections.py`
are pure. Comment threads on sections live in `comments.py` (their @mentions notify through core).
"""
