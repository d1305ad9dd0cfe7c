"""`{% panels "<slot>" obj %}`: the panels other apps registered for a slot of this page (core/panels.py)."""

from django import template
from django.utils.safestring import SafeString

from core import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot: str, obj) -> SafeString:
    return registry.slot_render(slot=slot, request=context["request"], obj=obj)  # context processor
