"""Webhook bodies (both formats), the signature, and the fan-out of incident events."""

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from core import errors
from core import tasks as core_tasks
from incidents import services as incident_services
from incidents.models import IncidentEvent
from notifications import payloads, services
from notifications.models import OutboundMessage, TeamWebhook
from tests import events, factories

AT = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_slack_body_is_text_with_a_link():
    body = payloads.body(
        format="slack", event="incident.declared", text="INC-1 declared", url="https://c.example/i/1",
        occurred_at=AT, team="Payments", obj={"id": 1},
    )  # fmt: skip
    assert body == {"text": "INC-1 declared\n<https://c.example/i/1|Open in Cornerstone>"}


def test_generic_body_has_the_documented_fields():
    body = payloads.body(
        format="generic", event="incident.resolved", text="INC-1 resolved", url="https://c.example/i/1",
        occurred_at=AT, team="Payments", obj={"id": 1, "reference": "INC-1"},
    )  # fmt: skip
    assert body == {
        "event": "incident.resolved",
        "object": {"id": 1, "reference": "INC-1"},
        "text": "INC-1 resolved",
        "url": "https://c.example/i/1",
        "occurred_at": "2026-03-04T09:00:00+00:00",
        "team": "Payments",
    }


def test_signature_is_hmac_sha256_over_timestamp_dot_raw_body():
    raw = payloads.encode({"text": "héllo"})
    expected = hmac.new(b"k3y", b"1767225600." + raw, hashlib.sha256).hexdigest()

    assert payloads.signature(secret="k3y", timestamp=1767225600, raw_body=raw) == f"sha256={expected}"
    header = payloads.signature(secret="k3y", timestamp=1767225600, raw_body=raw)
    assert payloads.verify(secret="k3y", timestamp="1767225600", raw_body=raw, header=header)
    assert not payloads.verify(secret="k3y", timestamp="1767225601", raw_body=raw, header=header)
    assert not payloads.verify(secret="k3y", timestamp="1767225600", raw_body=raw + b" ", header=header)
    assert not payloads.verify(secret="other", timestamp="1767225600", raw_body=raw, header=header)
    assert not payloads.verify(secret="k3y", timestamp="soon", raw_body=raw, header=header)


@pytest.mark.parametrize(
    ("kind", "phase", "status", "data", "expected"),
    [
        ("declared", "evaluate", "active", {}, "incident.declared"),
        ("phase_advanced", "respond", "active", {}, "incident.phase_changed"),
        ("phase_advanced", "confirm", "resolved", {}, "incident.resolved"),
        ("false_alarm", "", "false_alarm", {}, "incident.closed"),
        ("auto_resolved", "", "auto_resolved", {}, "incident.closed"),
        ("reopened", "recover", "active", {}, "incident.reopened"),
        ("field_changed", "", "active", {"field": "severity"}, "incident.severity_changed"),
        ("field_changed", "", "active", {"field": "title"}, None),
        ("note", "", "active", {}, None),
        ("stamp_corrected", "", "active", {}, None),
        ("phase_skipped", "", "active", {}, None),
        ("alerts_resolved", "", "active", {}, None),
    ],
)
def test_incident_event_names(kind, phase, status, data, expected):
    assert payloads.incident_event_name(kind=kind, phase=phase, status=status, data=data) == expected


@pytest.mark.django_db
def test_fanout_costs_one_query_for_a_team_without_webhooks(team, user, django_assert_num_queries):
    incident = factories.incident(actor=user, team=team)
    event = incident.events.get()

    with django_assert_num_queries(1):
        services.incident_event_messages_store(event=event, incident=incident)


@pytest.mark.django_db
def test_fanout_costs_no_query_for_events_webhooks_never_hear_of(team, user, django_assert_num_queries):
    incident = factories.incident(actor=user, team=team)
    note = incident_services.incident_note_add(incident_id=incident.pk, actor=user, body="Looking")

    with django_assert_num_queries(0):
        services.incident_event_messages_store(event=note, incident=incident)


@pytest.mark.django_db
def test_declaring_stores_one_message_per_subscribed_enabled_webhook(team, user, webhook_for):
    slack = webhook_for(team, "https://hooks.example/slack", format="slack")
    generic = webhook_for(team, "https://hooks.example/generic", format="generic", secret="s")
    webhook_for(team, "https://hooks.example/resolved-only", events=["incident.resolved"])
    disabled = webhook_for(team, "https://hooks.example/disabled")
    services.webhook_set_enabled(webhook_id=disabled.pk, enabled=False)
    webhook_for(factories.team("Elsewhere"), "https://hooks.example/other-team")

    incident = factories.incident(actor=user, team=team, title="Checkout down", severity="SEV1")
    assert not OutboundMessage.objects.exists()  # the webhooks consumer stores them, not the change
    events.drain()

    messages = {m.webhook_id: m for m in OutboundMessage.objects.all()}
    assert set(messages) == {slack.pk, generic.pk}
    assert (
        messages[slack.pk].payload["text"].startswith(f"[SEV1] {incident.reference} declared: Checkout down")
    )
    body = messages[generic.pk].payload
    assert (body["event"], body["team"], body["object"]["reference"]) == (
        "incident.declared",
        "Payments",
        incident.reference,
    )
    assert body["url"].endswith(f"/incidents/{incident.pk}/")
    assert all(m.state == "pending" and m.event == "incident.declared" for m in messages.values())


@pytest.mark.django_db
def test_resolving_and_reopening_reach_subscribed_webhooks(team, user, webhook_for):
    hook = webhook_for(team, "https://hooks.example/all", events=["incident.resolved", "incident.reopened"])
    incident = factories.incident(actor=user, team=team)
    incident = factories.advance(incident, to=None, actor=user)
    incident_services.incident_reopen(incident_id=incident.pk, actor=user, reason="It came back")
    events.drain()

    sent = list(OutboundMessage.objects.filter(webhook=hook).order_by("id").values_list("event", flat=True))
    assert sent == ["incident.resolved", "incident.reopened"]
    assert "It came back" in OutboundMessage.objects.get(event="incident.reopened").payload["text"]


@pytest.mark.django_db
def test_fanout_never_breaks_the_incident_change(team, user, webhook_for, monkeypatch):
    webhook_for(team, "https://hooks.example/generic")

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(payloads, "body", broken)
    incident = factories.incident(actor=user, team=team)

    assert IncidentEvent.objects.filter(incident=incident).count() == 1
    assert not OutboundMessage.objects.exists()


@pytest.mark.django_db
def test_webhook_create_validates(team):
    with pytest.raises(errors.ValidationFailed):
        services.webhook_create(team=team, name="x", url="ftp://x", format="slack", events=[])
    with pytest.raises(errors.ValidationFailed):
        services.webhook_create(team=team, name="x", url="https://x.example", format="xml", events=[])
    with pytest.raises(errors.ValidationFailed):
        services.webhook_create(team=team, name="x", url="https://x.example", format="slack", events=["nope"])
    with pytest.raises(errors.ValidationFailed):
        services.webhook_create(team=team, name="", url="https://x.example", format="slack", events=[])


@pytest.mark.django_db
def test_webhook_secret_generated_kept_replaced_and_cleared(team):
    webhook, generated = services.webhook_create(
        team=team, name="x", url="https://x.example", format="generic", events=[], generate_secret=True
    )
    assert len(generated) >= 40 and webhook.secret == generated

    fields = {"name": "x", "url": "https://x.example", "format": "generic", "events": []}
    webhook, shown = services.webhook_update(webhook_id=webhook.pk, **fields)
    assert (webhook.secret, shown) == (generated, "")
    webhook, _ = services.webhook_update(webhook_id=webhook.pk, secret="mine", **fields)
    assert webhook.secret == "mine"
    webhook, _ = services.webhook_update(webhook_id=webhook.pk, clear_secret=True, **fields)
    assert TeamWebhook.objects.get().secret == ""


@pytest.mark.django_db
def test_webhook_test_queues_a_message_even_when_disabled(team, user, webhook_for):
    hook = webhook_for(team, "https://hooks.example/x", format="slack")
    services.webhook_set_enabled(webhook_id=hook.pk, enabled=False)

    message = services.webhook_test(webhook_id=hook.pk, actor=user)

    assert (message.topic, message.event, message.state) == ("test", "test", "pending")
    assert "Test message from Cornerstone" in message.payload["text"]


@pytest.mark.django_db
def test_a_broker_outage_keeps_the_message_and_the_incident_change(
    team, user, webhook_for, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from notifications import tasks

    webhook_for(team, "https://hooks.example/generic")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.message_send, "delay", down)
    monkeypatch.setattr(core_tasks.consumer_run, "apply_async", down)  # the doorbell cannot ring either
    with django_capture_on_commit_callbacks(execute=True):
        incident = factories.incident(actor=user, team=team)
        events.drain()  # the periodic pass, once the broker is back

    assert incident.pk  # the declaration stands; the robust callback only logged
    message = OutboundMessage.objects.get()
    assert message.state == "pending"  # stored, for outbox_sweep to queue once the broker is back


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://localhost/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hook",
        "https://[::1]/hook",
        "https://[::ffff:192.168.0.1]/hook",
        "https://[fd00::1]/hook",
    ],
)
def test_webhook_to_a_private_address_is_refused_at_save_time(team, settings, url):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(errors.ValidationFailed) as caught:
        services.webhook_create(team=team, name="x", url=url, format="slack", events=[])
    assert caught.value.extra["field"] == "url"
    assert "private, loopback or link-local" in caught.value.message

    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    webhook, _ = services.webhook_create(team=team, name="x", url=url, format="slack", events=[])
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    fields = {"name": "x", "format": "slack", "events": []}
    with pytest.raises(errors.ValidationFailed):
        services.webhook_update(webhook_id=webhook.pk, url=url, **fields)
    services.webhook_update(webhook_id=webhook.pk, url="https://93.184.216.34/hook", **fields)
    assert TeamWebhook.objects.get().url == "https://93.184.216.34/hook"


@pytest.mark.django_db
def test_webhook_form_shows_the_refused_address_beside_the_url(client_logged_in, team, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    response = client_logged_in.post(
        "/channels/webhooks/new/",
        {
            "team": team.pk,
            "name": "intranet",
            "url": "http://127.0.0.1:9/hook",
            "format": "slack",
            "events": ["incident.declared"],
        },
    )

    assert response.status_code == 400
    assert "private, loopback or link-local address (127.0.0.1)" in response.content.decode()
    assert response.context["form"].errors["url"]
    assert not TeamWebhook.objects.exists()


@pytest.mark.django_db
def test_a_send_to_a_webhook_now_resolving_inward_fails_for_good_and_never_connects(
    team, settings, monkeypatch
):
    """Saved while its name was public; at send time the name resolves to 127.0.0.1 (DNS rebinding)."""
    import socket

    from notifications.models import MessageState
    from notifications.services import outbox

    webhook, _ = services.webhook_create(
        team=team, name="x", url="https://hooks.rebind.example/h", format="generic", events=[]
    )
    message = services.webhook_test(webhook_id=webhook.pk)
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *args, **kwargs: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))
        ],
    )
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: pytest.fail("connected"))

    assert outbox.message_send(message_id=message.pk) == "failed"

    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert "127.0.0.1" in message.last_error
