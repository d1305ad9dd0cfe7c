"""Reminders, outbound messages and their delivery. (Being written: see issue #5.)"""


def incident_event_fanout(*, event, incident) -> None:
    """Store an outbound message for each of the incident team's webhooks that wants this event."""
