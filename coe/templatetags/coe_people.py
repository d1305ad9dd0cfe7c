"""How the COE pages name a person: the full name ("Alice Martin"), else the username, and a dash for
nobody. A filter rather than `get_full_name|default:username` in each template: Django raises on a
filter argument looked up on None (an action item without an owner, a revision whose author was
deleted), so that spelling turned every optional person into a page that could not render."""

from django import template

from coe import presence

register = template.Library()


@register.filter
def person(user, nobody: str = "—") -> str:
    """`{{ item.owner|person }}`, or `{{ section.updated_by|person:"someone" }}`."""
    return presence.display_name(user) if user is not None else nobody
