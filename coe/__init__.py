"""COE (Correction of Errors) documents: the six-section blameless review written after an incident.

It stands apart from `incidents` because a COE has its own lifecycle (draft, review, approved),
its own collaborators and its own action items; it reads incidents, never writes them.
Empty until the COE issue (#4) lands.
"""
