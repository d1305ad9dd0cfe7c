"""Incidents: teams, services, incidents, their five-phase lifecycle and their timeline.

The lifecycle rules live in `phases` (pure) and are applied only by `services`, under a row lock,
so the web UI and the API can never disagree about what a transition means.
"""
