"""Who is editing which section of a COE right now. Kept only in Django's cache (Redis in production,
in-process otherwise) and never in the database: a mark lasts `COE_PRESENCE_TTL_SECONDS` unless it is
renewed, then expires by itself, so a closed tab or a dropped connection needs no cleanup.

Layout: one entry per (coe, section, user) holding the display name and the moment it stops counting,
stored with the same cache timeout; and one roster per COE naming the (section, user) pairs that may be
present, so a page's poll reads the whole COE in two cache round trips (the roster, then its entries
with `get_many`). Adding a pair to the roster is a read-modify-write, so it holds a short lock made of
the cache's atomic `add`: two people starting to type at the same moment must both be listed.

Expiry is decided by the stamp in each entry against `clock` (default `time.time`, injectable so
that tests need not sleep); the cache timeout, set to the same TTL, is what frees the memory.
"""

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

Clock = Callable[[], float]
LOCK_WAIT_SECONDS = 0.25


def _ttl(ttl: float | None) -> float:
    return settings.COE_PRESENCE_TTL_SECONDS if ttl is None else ttl


def _roster_key(coe_id: int) -> str:
    return f"coe:presence:{coe_id}"


def _entry_key(coe_id: int, key: str, user_id: int) -> str:
    return f"coe:presence:{coe_id}:{key}:{user_id}"


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def mark(coe_id: int, key: str, user, *, ttl: float | None = None, clock: Clock | None = None) -> None:
    """Record that `user` is editing section `key` of the COE, for the next `ttl` seconds."""
    ttl = _ttl(ttl)
    timeout = max(1, math.ceil(ttl))
    cache.set(
        _entry_key(coe_id, key, user.pk),
        {"name": display_name(user), "until": (clock or time.time)() + ttl},
        timeout,
    )
    pair = (key, user.pk)
    if pair in (cache.get(_roster_key(coe_id)) or set()):
        cache.touch(_roster_key(coe_id), timeout)
        return
    with _roster_lock(coe_id):
        roster: set[tuple[str, int]] = cache.get(_roster_key(coe_id)) or set()
        # Drop the pairs whose entries the cache has already let go, so the roster stays small.
        alive = cache.get_many([_entry_key(coe_id, k, uid) for k, uid in roster])
        roster = {(k, uid) for k, uid in roster if _entry_key(coe_id, k, uid) in alive}
        roster.add(pair)
        cache.set(_roster_key(coe_id), roster, timeout)


@contextmanager
def _roster_lock(coe_id: int) -> Iterator[None]:
    """Best effort: after LOCK_WAIT_SECONDS without the lock, go ahead (a lost pair comes back with
    that person's next mark). The lock's own timeout frees it if its holder dies."""
    lock = f"{_roster_key(coe_id)}:lock"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    held = cache.add(lock, 1, timeout=2)
    while not held and time.monotonic() < deadline:
        time.sleep(0.005)
        held = cache.add(lock, 1, timeout=2)
    try:
        yield
    finally:
        if held:
            cache.delete(lock)


def editors_by_section(coe_id: int, *, exclude_user=None, clock: Clock | None = None) -> dict[str, list[str]]:
    """Section key -> the names of the people editing it now (sorted), without `exclude_user`."""
    roster: set[tuple[str, int]] = cache.get(_roster_key(coe_id)) or set()
    excluded = getattr(exclude_user, "pk", None)
    sections = {_entry_key(coe_id, key, uid): key for key, uid in roster if uid != excluded}
    if not sections:
        return {}
    now = (clock or time.time)()
    found: dict[str, list[str]] = {}
    for cache_key, entry in cache.get_many(list(sections)).items():
        if entry["until"] > now:
            found.setdefault(sections[cache_key], []).append(entry["name"])
    return {key: sorted(names) for key, names in found.items()}


def editors(coe_id: int, key: str, *, exclude_user=None, clock: Clock | None = None) -> list[str]:
    """The names of the people editing section `key` now (sorted), without `exclude_user`."""
    return editors_by_section(coe_id, exclude_user=exclude_user, clock=clock).get(key, [])
