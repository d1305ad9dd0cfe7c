"""Shared plumbing used by every app: the base model, the error tree, health checks,
the per-user time zone, personal API tokens, and the template helpers for dates and durations.

It owns no incident or COE logic; it stands apart so the domain apps can depend on it and not on
each other.
"""
