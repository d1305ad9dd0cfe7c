"""The intake's own WSGI handler (config/wsgi.py): no middleware, no per-request health check. A
database connection that died between requests fails one delivery with a 503 (the sender retries);
the next request reconnects."""

import io
import json

import psycopg
import pytest
from django.db import connection

from alerts import services
from alerts.models import Delivery
from config.wsgi import application
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend"),
]


def _post(path: str, body: bytes) -> tuple[str, dict]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
    }
    status = []
    chunks = application(environ, lambda line, headers: status.append(line))
    return status[0], json.loads(b"".join(chunks))


def _body(dedup_key: str) -> bytes:
    return json.dumps({"title": "Orders API down", "dedup_key": dedup_key}).encode()


def test_a_connection_that_died_between_requests_costs_one_503_and_nothing_else(settings):
    settings.CONN_MAX_AGE = 600
    _integration, key = services.integration_create(name="gen", kind="generic", team=factories.team("Orders"))
    assert _post(f"/hooks/{key}/", _body("first"))[0].startswith("202")
    pid = connection.connection.info.backend_pid  # the connection the handler keeps between requests
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])

    status, body = _post(f"/hooks/{key}/", _body("second"))

    assert status.startswith("503") and body["code"] == "unavailable"  # the sender retries it
    assert _post(f"/hooks/{key}/", _body("second"))[0].startswith("202")  # a fresh connection
    bodies = sorted(json.loads(body)["dedup_key"] for body in Delivery.objects.values_list("body", flat=True))
    assert bodies == ["first", "second"]  # each stored once: the failed attempt stored nothing
