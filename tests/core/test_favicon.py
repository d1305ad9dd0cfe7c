"""The favicon: base.html links the SVG, and /favicon.ico (asked for by browsers whatever a page links)
answers with a redirect to it, for anyone, instead of a 404."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_redirects_to_the_svg_without_logging_in(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]


def test_the_svg_it_points_to_exists_and_is_an_svg():
    path = finders.find("favicon.svg")

    assert path is not None
    with open(path, encoding="utf-8") as svg:
        assert svg.read().startswith('<svg xmlns="http://www.w3.org/2000/svg"')


def test_pages_link_the_svg_icon(client):
    content = client.get("/accounts/login/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in content


def test_favicon_refuses_writes(client):
    assert client.post("/favicon.ico").status_code == 405
