"""Panels: fragments that one app shows on another app's page, so the page's app never knows them.

A page names a slot (`{% panels "incident.primary" incident %}`, from `core/templatetags/panels.py`);
each app that has something to show there registers a panel from its `AppConfig.ready()`:

    panels.register(slot="incident.primary", name="alerts", order=20,
                    render="alerts.panels.incident_alerts")

`render` is the dotted path of a callable `(request, obj) -> str` (HTML, usually from
`render_to_string(..., request=request)`; "" shows nothing). A dotted path, imported when first
rendered, lets `apps.py` register without importing the app's models before the registry is ready.
Panels render in `order`, then by name. A panel reads what it needs itself, so its queries count
against the page: keep each one to a fixed number whatever the data (the page tests assert it).

An explicit registry, as for the alert adapters: no plugin discovery, and nothing but `ready()`
writes to it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

Render = Callable[[HttpRequest, Any], str]


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    order: int
    path: str

    @cached_property
    def render(self) -> Render:
        return import_string(self.path)


_panels: dict[str, dict[str, Panel]] = {}


def register(*, slot: str, name: str, render: str, order: int = 100) -> None:
    """Add (or replace: `ready()` may run more than once) the panel `name` in `slot`."""
    _panels.setdefault(slot, {})[name] = Panel(slot=slot, name=name, order=order, path=render)


def slot_panels(slot: str) -> list[Panel]:
    """The panels registered in `slot`, in the order they render."""
    return sorted(_panels.get(slot, {}).values(), key=lambda panel: (panel.order, panel.name))


def slot_render(*, slot: str, request: HttpRequest, obj: Any) -> SafeString:
    """Every panel of `slot` rendered for `obj`, concatenated. What a panel returns is escaped unless
    it is already safe (a rendered template is), so a plain string can never inject markup."""
    return mark_safe("".join(conditional_escape(panel.render(request, obj)) for panel in slot_panels(slot)))
