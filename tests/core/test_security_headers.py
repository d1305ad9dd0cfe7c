"""Every response carries the security headers: pages, fragments, the API, its docs, errors, and the
alert intake, which config/wsgi.py serves without the middleware stack.

The policy itself: no inline script anywhere (script-src 'self' only), so templates must hold no
<script> body and no on*= handler attribute, checked over every template file.
"""

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from alerts import services as alert_services
from tests import factories

CSP = "Content-Security-Policy"


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_secured(headers) -> None:
    """`headers`: any mapping with case-insensitive names (a response, or a dict of lower-case names)."""
    get = headers.get
    policy = directives(get(CSP) or get(CSP.lower()) or "")
    assert policy.get("default-src") == ["'self'"], policy
    assert policy.get("script-src") == ["'self'"], policy
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("base-uri") == ["'self'"]
    assert policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("form-action") == ["'self'"]
    assert policy.get("img-src") == ["'self'", "data:"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    permissions = get("Permissions-Policy") or get("permissions-policy") or ""
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in permissions.split(", "), permissions
    assert (get("X-Content-Type-Options") or get("x-content-type-options")) == "nosniff"
    assert (get("Referrer-Policy") or get("referrer-policy")) == "same-origin"
    assert (get("X-Frame-Options") or get("x-frame-options")) == "DENY"


@pytest.fixture
def world(db, user):
    team = factories.team("Orders")
    incident = factories.incident(actor=user, team=team)
    coe = factories.coe(factories.incident(actor=user, team=team, title="Checkout slow"), actor=user)
    factories.service("Orders API", team=team)
    integration, _key = alert_services.integration_create(name="gen", kind="generic", team=team)
    return {"incident": incident, "coe": coe, "team": team, "integration": integration}


PAGES = [
    "/incidents/",
    "/incidents/declare/",
    "/incidents/{incident}/",
    "/incidents/{incident}/edit/",
    "/teams/",
    "/teams/orders/",
    "/services/",
    "/services/orders-api/",
    "/coe/{coe}/",
    "/coe/{coe}/print/",
    "/action-items/",
    "/dashboard/weekly/",
    "/integrations/",
    "/integrations/new/",
    "/integrations/{integration}/",
    "/notifications/",
    "/preferences/",
    "/preferences/notifications/",
    "/channels/",
    "/channels/webhooks/new/",
    "/outbox/",
    "/api/v1/incidents/",
    "/api/schema/",
    "/api/docs/",
    "/incidents/999999/",  # a 404
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(client_logged_in, world, path):
    url = path.format(incident=world["incident"].pk, coe=world["coe"].pk, integration=world["integration"].pk)
    response = client_logged_in.get(url)

    assert response.status_code in (200, 404) and (response.status_code == 404) == ("999999" in url)
    assert_secured(response)


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/incidents/"])
def test_anonymous_answers_carry_the_security_headers(client, db, path):
    response = client.get(path)

    assert response.status_code in {"/accounts/login/": [200], "/healthz": [200], "/incidents/": [302]}[path]
    assert_secured(response)


def test_a_fragment_carries_the_security_headers(client_logged_in, world):
    response = client_logged_in.get("/incidents/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert_secured(response)


def test_api_docs_load_their_script_from_a_url_not_inline(client, db):
    page = client.get("/api/docs/").content.decode()
    inline = [body for body in re.findall(r"<script[^>]*>(.*?)</script>", page, re.S) if body.strip()]
    script = re.search(r'<script src="(/api/docs/\?[^"]+)"', page)

    assert inline == []
    assert script is not None
    started = client.get(script.group(1).replace("&amp;", "&"))
    assert started.status_code == 200
    assert "SwaggerUIBundle" in started.content.decode()
    assert "/static/vendor/swagger-ui-dist/" in page  # offline: our vendored copy, no CDN


def _wsgi(method: str, path: str, body: bytes = b"") -> tuple[str, dict[str, str], bytes]:
    """Call config.wsgi.application as gunicorn does, so the intake goes through IngestHandler."""
    from config.wsgi import application

    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status
        seen["headers"] = {name.lower(): value for name, value in headers}

    chunks = application(environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return seen["status"], seen["headers"], content


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the intake stores on the shared database")
def test_the_intake_answers_carry_the_security_headers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    team = factories.team("Orders")
    _integration, key = alert_services.integration_create(name="gen", kind="generic", team=team)
    body = json.dumps({"title": "Orders API down", "dedup_key": "orders-down"}).encode()

    accepted = _wsgi("POST", f"/hooks/{key}/", body)
    refused = _wsgi("POST", f"/hooks/{key}/", b"{not json")
    unknown = _wsgi("POST", "/hooks/no-such-key/", body)

    assert [accepted[0][:3], refused[0][:3], unknown[0][:3]] == ["202", "400", "401"]
    for _status, headers, _body in (accepted, refused, unknown):
        assert_secured(headers)


TEMPLATES = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_templates_have_no_inline_script_or_event_handler(template):
    text = template.read_text()
    inline_scripts = [
        tag for tag in re.findall(r"<script\b[^>]*>\s*[^<\s]", text) if "src=" not in tag.split(">")[0]
    ]
    handlers = re.findall(r"<[^>]*\s(on[a-z]+)\s*=", text)
    urls = re.findall(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", text, re.I)

    assert inline_scripts == []
    assert handlers == []
    assert urls == []
