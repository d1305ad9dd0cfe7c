"""core/panels.py: the registry of fragments other apps show on a page's slots, and its template tag."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.html import format_html

from core import panels


def plain(request, obj) -> str:
    return f"<b>{obj}</b>"  # not marked safe: must come out escaped


def safe(request, obj):
    return format_html("<p data-path='{}'>{}</p>", request.path, obj)


def empty(request, obj) -> str:
    return ""


@pytest.fixture
def registry(monkeypatch):
    """A registry of its own, so the apps' real panels stay as they are."""
    monkeypatch.setattr(panels, "_panels", {})
    return panels


def test_slot_panels_render_in_order_then_by_name(registry, rf: RequestFactory):
    registry.register(slot="s", name="z", order=20, render="tests.core.test_panels.safe")
    registry.register(slot="s", name="b", order=10, render="tests.core.test_panels.empty")
    registry.register(slot="s", name="a", order=10, render="tests.core.test_panels.safe")
    registry.register(slot="other", name="x", render="tests.core.test_panels.plain")

    assert [panel.name for panel in registry.slot_panels("s")] == ["a", "b", "z"]
    html = registry.slot_render(slot="s", request=rf.get("/page/"), obj="hi")
    assert html == "<p data-path='/page/'>hi</p><p data-path='/page/'>hi</p>"


def test_a_plain_string_panel_is_escaped(registry, rf):
    registry.register(slot="s", name="p", render="tests.core.test_panels.plain")

    assert registry.slot_render(slot="s", request=rf.get("/"), obj="x") == "&lt;b&gt;x&lt;/b&gt;"


def test_registering_a_name_again_replaces_it_and_an_unknown_slot_renders_nothing(registry, rf):
    registry.register(slot="s", name="p", order=1, render="tests.core.test_panels.plain")
    registry.register(slot="s", name="p", order=1, render="tests.core.test_panels.empty")

    assert [panel.path for panel in registry.slot_panels("s")] == ["tests.core.test_panels.empty"]
    assert registry.slot_render(slot="nope", request=rf.get("/"), obj=None) == ""


def test_the_template_tag_renders_the_slot_with_the_request(registry, rf):
    registry.register(slot="s", name="a", render="tests.core.test_panels.safe")
    request = rf.get("/incidents/1/")
    template = Template('{% load panels %}<div>{% panels "s" thing %}</div>')

    html = template.render(Context({"request": request, "thing": "T"}))

    assert html == "<div><p data-path='/incidents/1/'>T</p></div>"


def test_the_apps_register_the_incident_page_panels():
    assert [panel.path for panel in panels.slot_panels("incident.actions")] == ["coe.panels.incident_coe"]
    assert [panel.path for panel in panels.slot_panels("incident.primary")] == [
        "alerts.panels.incident_alerts"
    ]
