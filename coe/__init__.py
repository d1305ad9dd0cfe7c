"""COE (Correction of Errors) documents: the six-section blameless review written after an incident,
its contributing factors, action items and review workflow.

It stands apart from `incidents` because a COE has its own lifecycle (draft, in review, approved,
reopened), its own collaborators and its own history (revisions); it reads incidents, never writes
them. `blameless.py` (the language check), `policy.py`, `prefill.py` and `sections.py` are pure.
"""
