"""Recomputing the derived figures. (Being written: see issue #5.)"""


def incident_changed_on_commit(*, incident_id: int) -> None:
    """After the current transaction commits, refresh the incident's figures and its week's aggregates."""
