"""The pages through Django's test client: preferences, channels (webhooks, digest addresses), the
outbox with its filter and retry. Every page needs a signed-in person."""

import pytest
from django.urls import reverse

from core.models import Profile  # noqa: F401 (the preferences page creates one)
from notifications.models import DigestSubscription, MessageState, OutboundMessage, Preference, TeamWebhook
from notifications.services import outbox
from tests import factories

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def hook(team):
    from notifications import services

    webhook, _ = services.webhook_create(
        team=team,
        name="#payments",
        url="https://hooks.example/p",
        format="slack",
        events=["incident.declared"],
    )
    return webhook


def failed_message(hook) -> OutboundMessage:
    message = outbox.webhook_message(
        webhook=hook, topic="test", event="test", payload={"text": "t"}, subject="Hi"
    )
    message.state, message.attempts, message.last_error = (
        MessageState.FAILED,
        3,
        "BadStatus: POST answered 500",
    )
    message.save()
    return message


@pytest.mark.parametrize(
    "url",
    [
        "/preferences/notifications/",
        "/channels/",
        "/channels/webhooks/new/",
        "/outbox/",
    ],
)
def test_pages_need_a_signed_in_person(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_mutations_need_a_signed_in_person(client, hook):
    message = failed_message(hook)
    for url in (
        reverse("notifications:webhook_test", args=[hook.pk]),
        reverse("notifications:webhook_toggle", args=[hook.pk]),
        reverse("notifications:outbox_retry", args=[message.pk]),
    ):
        assert client.post(url).status_code == 302
    assert OutboundMessage.objects.count() == 1 and TeamWebhook.objects.get().enabled


def test_preferences_show_defaults_and_save_choices_and_digests(client_logged_in, user, team):
    page = client_logged_in.get("/preferences/notifications/")
    assert page.status_code == 200
    assert page.content.decode().count("checked") >= 12  # 6 topics x 2 channels, all on by default

    data = {
        f"{topic}__{channel}": "on" for topic in ("mention", "coe_overdue") for channel in ("email", "in_app")
    }
    data["action_item_due__in_app"] = "on"
    data["digest_teams"] = [team.pk]
    response = client_logged_in.post("/preferences/notifications/", data)

    assert response.status_code == 302
    chosen = {p.topic: (p.email, p.in_app) for p in Preference.objects.filter(user=user)}
    assert chosen["action_item_due"] == (False, True)
    assert chosen["incident_stale"] == (False, False)
    assert chosen["mention"] == (True, True)
    assert list(DigestSubscription.objects.values_list("team_id", "user_id")) == [(team.pk, user.pk)]

    client_logged_in.post("/preferences/notifications/", {"digest_teams": []})
    assert not DigestSubscription.objects.exists()


def test_core_preferences_page_links_to_notification_preferences(client_logged_in):
    page = client_logged_in.get("/preferences/")
    assert reverse("notifications:preferences") in page.content.decode()


def test_channels_page_lists_webhooks_and_failed_count(client_logged_in, hook):
    failed_message(hook)

    page = client_logged_in.get("/channels/").content.decode()
    assert "#payments" in page and "1 failed" in page and "https://hooks.example/p" in page
    assert "Team channels" in client_logged_in.get("/incidents/").content.decode()  # the account menu


def test_create_webhook_with_a_generated_secret_shows_it_once(client_logged_in, team):
    response = client_logged_in.post(
        "/channels/webhooks/new/",
        {
            "team": team.pk,
            "name": "receiver",
            "url": "https://hooks.example/r",
            "format": "generic",
            "events": ["incident.declared", "digest.weekly"],
            "generate_secret": "on",
        },
    )

    webhook = TeamWebhook.objects.get()
    assert response.status_code == 200 and webhook.secret in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert webhook.events == ["incident.declared", "digest.weekly"]
    edit = client_logged_in.get(f"/channels/webhooks/{webhook.pk}/").content.decode()
    assert webhook.secret not in edit


def test_create_webhook_invalid_is_a_400_with_errors(client_logged_in, team):
    response = client_logged_in.post(
        "/channels/webhooks/new/", {"team": team.pk, "name": "", "url": "not a url", "format": "slack"}
    )
    assert response.status_code == 400 and not TeamWebhook.objects.exists()


def test_edit_webhook_keeps_the_secret_unless_told(client_logged_in, hook):
    hook.secret = "keep-me"
    hook.save()
    data = {
        "name": "#pay",
        "url": "https://hooks.example/new",
        "format": "generic",
        "events": ["incident.resolved"],
    }

    response = client_logged_in.post(f"/channels/webhooks/{hook.pk}/", data)

    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.name, hook.url, hook.format, hook.events, hook.secret) == (
        "#pay",
        "https://hooks.example/new",
        "generic",
        ["incident.resolved"],
        "keep-me",
    )


def test_toggle_disables_and_enables(client_logged_in, hook):
    client_logged_in.post(reverse("notifications:webhook_toggle", args=[hook.pk]))
    hook.refresh_from_db()
    assert not hook.enabled
    client_logged_in.post(reverse("notifications:webhook_toggle", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.enabled


def test_send_test_enqueues_a_test_message(client_logged_in, hook):
    response = client_logged_in.post(reverse("notifications:webhook_test", args=[hook.pk]), **HTMX)

    message = OutboundMessage.objects.get()
    assert (message.topic, message.webhook) == ("test", hook)
    assert f"Test #{message.pk} queued" in response.content.decode()
    assert client_logged_in.post(reverse("notifications:webhook_test", args=[999])).status_code == 404


def test_digest_addresses_are_added_and_removed(client_logged_in, team):
    response = client_logged_in.post(
        "/channels/digest-addresses/", {"team": team.pk, "email": "ops@example.com"}
    )
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get()
    assert subscription.email == "ops@example.com"
    assert (
        client_logged_in.post("/channels/digest-addresses/", {"team": team.pk, "email": "x"}).status_code
        == 400
    )

    client_logged_in.post(f"/channels/digest-addresses/{subscription.pk}/remove/")
    assert not DigestSubscription.objects.exists()


def test_outbox_lists_and_filters_failed_messages(client_logged_in, hook, django_assert_max_num_queries):
    failed = failed_message(hook)
    sent = outbox.webhook_message(webhook=hook, topic="test", event="test", payload={}, subject="Fine")
    sent.save()

    page = client_logged_in.get("/outbox/").content.decode()
    assert f'id="message-{failed.pk}"' in page and f'id="message-{sent.pk}"' in page
    assert "BadStatus: POST answered 500" in page

    with django_assert_max_num_queries(6):
        fragment = client_logged_in.get("/outbox/?state=failed", **HTMX).content.decode()
    assert f'id="message-{failed.pk}"' in fragment and f'id="message-{sent.pk}"' not in fragment
    assert "<html" not in fragment and "Retry" in fragment


def test_outbox_query_count_does_not_grow_with_rows(client_logged_in, hook, django_assert_num_queries):
    failed_message(hook)
    client_logged_in.get("/outbox/", **HTMX)  # warm the session
    with django_assert_num_queries(4):  # session, user, count, page
        client_logged_in.get("/outbox/", **HTMX)
    for _ in range(5):
        failed_message(hook)
    with django_assert_num_queries(4):
        client_logged_in.get("/outbox/", **HTMX)


def test_retry_button_puts_a_failed_message_back(client_logged_in, hook, monkeypatch):
    queued = []
    monkeypatch.setattr(outbox, "enqueue", queued.extend)
    message = failed_message(hook)

    response = client_logged_in.post(reverse("notifications:outbox_retry", args=[message.pk]), **HTMX)

    assert response.status_code == 200 and 'data-testid="state-' in response.content.decode()
    message.refresh_from_db()
    assert (message.state, message.attempts, queued) == ("pending", 0, [message.pk])
    again = client_logged_in.post(reverse("notifications:outbox_retry", args=[message.pk]), **HTMX)
    assert again.status_code == 409 and "Only a failed message" in again.content.decode()
    assert client_logged_in.post(reverse("notifications:outbox_retry", args=[999])).status_code == 404


def test_admin_shows_the_error(client, hook):
    admin = factories.user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    failed_message(hook)

    page = client.get("/admin/notifications/outboundmessage/").content.decode()
    assert "BadStatus: POST answered 500" in page
