"""The API against its own schema: schemathesis (https://schemathesis.readthedocs.io) generates requests
from /api/schema/ for every operation and sends them in-process to the real WSGI application
(`config.wsgi.application`), authenticated with the API token of a user who has data: teams, services,
incidents, a COE with its sections, factor and action item, alerts, comments, notifications.

Each operation runs a bounded number of examples with a fixed seed (derandomized), no shrinking, and
fails on:
- a 5xx (not_a_server_error);
- a status, content type, header or body the schema does not document for the operation
  (status_code_conformance, content_type_conformance, response_headers_conformance,
  response_schema_conformance);
- a request the schema allows refused without a documented reason (`accepted_or_documented`, below:
  schemathesis' positive_data_acceptance, except for the 400s a schema cannot rule out, as the 400's
  description in the schema says: a reference to something that does not exist (`extra.codes`
  `does_not_exist`), or a rule a service applies once the request is well formed (no `extra.codes`:
  those name the serializers' refusals, which the schema must predict)).

Half the examples of an operation with ids in its path name objects that exist (`_known_ids`), so the
fuzzing reaches the views' bodies rather than their 404s.

PostgreSQL only (marked `schemathesis`; `make test-sqlite` skips it): the point is the database that
refuses NUL characters and lone surrogates. The figures (operations, requests) are printed at the end.
"""

import collections
import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis import checks as st_checks
from schemathesis.core.failures import Failure, Severity

from alerts import services as alert_services
from coe.services import comments as coe_comments
from config.wsgi import application
from core import services as core_services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# Filled by the `fuzz_token` fixture: path parameter -> a value that names an existing object.
KNOWN: dict[str, object] = {}
# Requests sent per operation, and the answers by status class, for the closing figures.
SENT: collections.Counter[str] = collections.Counter()
ANSWERED: collections.Counter[str] = collections.Counter()

# Statuses a valid request may get without being "refused": schemathesis' defaults, but 5xx (a 5xx is
# a failure of its own check here).
ACCEPTED = {401, 403, 404, 409, 429}
# The per-field codes (`extra.codes`) of a 400 that a schema cannot rule out: a well-formed reference
# to an object that does not exist (a slug, username or id).
UNKNOWN_REFERENCE = {"does_not_exist"}


class RefusedWithoutReason(Failure):
    code = "refused_without_reason"
    kind_title = "Schema-valid request refused without a documented reason"

    def __init__(self, *, operation: str, message: str):
        super().__init__(
            operation=operation, title=self.kind_title, message=message, severity=Severity.MEDIUM
        )


@schemathesis.check
def accepted_or_documented(ctx, response, case) -> bool | None:
    """A request generated from the schema (positive mode) is accepted, or refused for a reason the
    schema cannot express: an unknown reference, or a rule of the service (e.g. `invalid_stamp`,
    `unknown_filter`, a corrected time equal to the current one)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in ACCEPTED or status >= 500:
        return None
    body = response.json() if status == 400 else {}
    extra = body.get("extra") or {}
    if status == 400 and body.get("code") != "parse_error" and "codes" not in extra:
        return None  # a service's rule (the serializers passed it: only they name `extra.codes`)
    codes = extra.get("codes") or {}
    if status == 400 and codes and all(set(found) <= UNKNOWN_REFERENCE for found in codes.values()):
        return None
    raise RefusedWithoutReason(
        operation=case.operation.label,
        message=f"Answered {status}: {body.get('message', response.text[:300])!r}",
    )


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = {name: KNOWN[name] for name in path_parameters or {} if name in KNOWN}
    if not known:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **known}])


@pytest.fixture
def keep_connection():
    """Requests go through the real WSGI handler, which closes the database connection when each
    ends (Django's test client suspends that; this test's transaction must survive it too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_token(db, private_cache, keep_connection, settings):
    """An API token for Ada, who owns a COE; the objects her requests can name go into KNOWN."""
    if connection.vendor != "postgresql":
        pytest.skip("schemathesis runs on PostgreSQL (make test), where NUL and surrogates matter")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "100000/min"}}
    ada = factories.user("ada", first_name="Ada", last_name="Lovelace")
    bob = factories.user("bob", first_name="Bob", last_name="Builder")
    team = factories.team("Payments")
    service = factories.service("Checkout API", team=team, critical=True)
    incident = factories.incident(actor=ada, team=team, services_=[service], title="Checkout errors")
    factories.advance(incident, to=None, actor=ada)
    coe = factories.coe(incident, actor=ada, owner=ada)
    factories.coe_complete(coe, actor=ada, owner=ada)
    factor = coe.factors.get()
    item = coe.action_items.get()
    comment = coe_comments.comment_add(
        coe_id=coe.pk, key="what_happened", author=bob, body="@ada is the timeline complete?", parent_id=None
    )
    integration, _key = alert_services.integration_create(name="Prometheus", kind="generic", team=team)
    alert_services.delivery_receive(
        integration=integration,
        body=b'{"title": "CPU high", "dedup_key": "cpu", "status": "firing"}',
        headers={"Content-Type": "application/json"},
    )
    from alerts.services import processing

    processing.deliveries_process()
    alert = integration.alerts.get()
    KNOWN.clear()
    KNOWN.update(
        incident_id=incident.pk,
        coe_id=coe.pk,
        item_id=item.pk,
        factor_id=factor.pk,
        comment_id=comment.pk,
        alert_id=alert.pk,
        key="what_happened",
        slug=team.slug,
        version=1,
    )
    return core_services.api_token_create(user=ada, name="schemathesis")[1]


CHECKS = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_headers_conformance,
    st_checks.response_schema_conformance,
    accepted_or_documented,
]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing example is reported
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, fuzz_token):
    SENT[case.operation.label] += 1
    response = case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_token}"}, checks=CHECKS)
    ANSWERED[f"{response.status_code // 100}xx"] += 1
