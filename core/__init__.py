"""Shared plumbing used by every app: the base model, the error tree, health checks,
the per-user time zone, the template helpers for dates and durations, and in-app notifications
(any app may notify a person; the notifications page and the top bar's unread count read them).

It owns no incident or COE logic; it stands apart so the domain apps can depend on it and not on
each other.
"""
