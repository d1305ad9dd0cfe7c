"""Personal API tokens: created by the command or the preferences page, stored hashed, shown once, used as
`Authorization: Bearer`, their last use recorded at most once a minute, and revocable."""

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core import errors, services
from core.models import ApiToken
from incidents.models import IncidentEvent
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_cache")]

TOKEN = re.compile(r"^cs_[A-Za-z0-9_-]{43}$")


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def create_via_command(username: str, *args: str) -> list[str]:
    out = StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().splitlines()


# --- The command -------------------------------------------------------------------------------------


def test_command_prints_the_token_on_its_last_line_and_stores_only_its_hash(user):
    lines = create_via_command("alice", "--name", "deploy pipeline")

    plaintext = lines[-1]
    assert TOKEN.match(plaintext)
    assert len(lines) >= 2 and "not shown again" in lines[0]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.prefix) == (user, "deploy pipeline", plaintext[:8])
    assert token.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert plaintext not in {str(value) for value in stored.values()}


def test_command_token_works_against_the_api(user, team):
    plaintext = create_via_command("alice")[-1]

    response = bearer(plaintext).get("/api/v1/teams/")

    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == "payments"


def test_command_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="No user 'nobody'"):
        call_command("create_api_token", "nobody", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_command_blank_name_is_an_error(user):
    with pytest.raises(CommandError, match="needs a name"):
        call_command("create_api_token", "alice", "--name", "  ", stdout=StringIO())


# --- The services ------------------------------------------------------------------------------------


def test_create_gives_distinct_tokens(user):
    _, first = services.api_token_create(user=user, name="a")
    _, second = services.api_token_create(user=user, name="a")

    assert first != second
    assert ApiToken.objects.count() == 2


def test_create_name_too_long_is_refused(user):
    with pytest.raises(errors.ValidationFailed):
        services.api_token_create(user=user, name="x" * 101)


def test_revoke_someone_elses_token_is_not_found(user):
    token, _ = services.api_token_create(user=factories.user("bob"), name="bob's")

    with pytest.raises(errors.NotFound):
        services.api_token_revoke(token_id=token.pk, user=user)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_twice_keeps_the_first_time(user):
    token, _ = services.api_token_create(user=user, name="a")
    first = services.api_token_revoke(token_id=token.pk, user=user).revoked_at

    assert services.api_token_revoke(token_id=token.pk, user=user).revoked_at == first


# --- Authentication ----------------------------------------------------------------------------------


def test_token_request_acts_as_its_user(user, team):
    _, plaintext = services.api_token_create(user=user, name="bot")

    response = bearer(plaintext).post(
        "/api/v1/incidents/", {"title": "From a bot", "team": "payments"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["source"] == "api"
    assert IncidentEvent.objects.get().actor == user


def test_first_use_sets_last_used_at(user):
    token, plaintext = services.api_token_create(user=user, name="bot")
    assert token.last_used_at is None

    bearer(plaintext).get("/api/v1/teams/")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_last_used_at_is_written_at_most_once_a_minute(user):
    token, plaintext = services.api_token_create(user=user, name="bot")
    client = bearer(plaintext)
    client.get("/api/v1/teams/")
    token.refresh_from_db()
    first = token.last_used_at

    with CaptureQueriesContext(connection) as context:
        client.get("/api/v1/teams/")
    token.refresh_from_db()

    assert token.last_used_at == first
    assert not [q for q in context.captured_queries if q["sql"].startswith("UPDATE")]


def test_last_used_at_is_written_again_after_a_minute(user):
    token, plaintext = services.api_token_create(user=user, name="bot")
    old = timezone.now() - timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)

    bearer(plaintext).get("/api/v1/teams/")

    token.refresh_from_db()
    assert token.last_used_at > old + timedelta(minutes=1)


def test_revoked_token_returns_401(user):
    token, plaintext = services.api_token_create(user=user, name="bot")
    client = bearer(plaintext)
    assert client.get("/api/v1/teams/").status_code == 200

    services.api_token_revoke(token_id=token.pk, user=user)
    response = client.get("/api/v1/teams/")

    assert response.status_code == 401
    assert response.json() == {
        "message": "This token has been revoked.",
        "code": "revoked_token",
        "extra": {},
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_token_does_not_open_the_web_pages(user):
    _, plaintext = services.api_token_create(user=user, name="bot")

    response = bearer(plaintext).get("/incidents/")

    assert response.status_code == 302  # to the login page: tokens are for the API only
    assert "/accounts/login/" in response["Location"]


def test_the_bearer_keyword_is_case_insensitive(user):
    _, plaintext = services.api_token_create(user=user, name="bot")
    client = APIClient()

    response = client.get("/api/v1/teams/", HTTP_AUTHORIZATION=f"bearer {plaintext}")

    assert response.status_code == 200


# --- The preferences page ----------------------------------------------------------------------------


def new_token_on(page: str) -> str | None:
    match = re.search(r'id="new-token-value"[^>]*value="([^"]+)"', page)
    return match.group(1) if match else None


def test_page_lists_no_tokens_at_first(client_logged_in):
    page = client_logged_in.get("/preferences/").content.decode()

    assert "API tokens" in page
    assert "You have no API tokens yet." in page


def test_page_creates_a_token_and_shows_it_once(client_logged_in, user):
    response = client_logged_in.post("/preferences/tokens/", {"name": "laptop script"})

    assert response.status_code == 200
    page = response.content.decode()
    plaintext = new_token_on(page)
    assert plaintext and TOKEN.match(plaintext)
    assert "Copy it now: it will not be shown again." in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (user, "laptop script")
    assert token.key_hash == services.token_hash(plaintext)
    # Shown once: the page never shows it again, only its prefix.
    later = client_logged_in.get("/preferences/").content.decode()
    assert plaintext not in later
    assert new_token_on(later) is None
    assert f"<code>{plaintext[:8]}…</code>" in later
    assert "laptop script" in later
    # And it works.
    assert bearer(plaintext).get("/api/v1/teams/").status_code == 200


def test_page_lists_last_use_and_revoked_tokens(client_logged_in, user):
    used, plaintext = services.api_token_create(user=user, name="used one")
    bearer(plaintext).get("/api/v1/teams/")
    revoked, _ = services.api_token_create(user=user, name="old one")
    services.api_token_revoke(token_id=revoked.pk, user=user)

    page = client_logged_in.get("/preferences/").content.decode()

    assert page.count('<span class="muted">never</span>') == 1  # the revoked one, never used
    assert "revoked" in page
    assert page.count('aria-label="Revoke token') == 1  # only the active one can be revoked
    assert f"/preferences/tokens/{used.pk}/revoke/" in page


def test_page_does_not_list_other_peoples_tokens(client_logged_in):
    services.api_token_create(user=factories.user("bob"), name="bob's secret bot")

    page = client_logged_in.get("/preferences/").content.decode()

    assert "bob's secret bot" not in page


def test_page_create_without_a_name_returns_400(client_logged_in):
    response = client_logged_in.post("/preferences/tokens/", {"name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_page_create_with_a_blank_name_returns_400(client_logged_in):
    response = client_logged_in.post("/preferences/tokens/", {"name": "   "})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_page_revoke_stops_the_token(client_logged_in, user):
    token, plaintext = services.api_token_create(user=user, name="bot")

    response = client_logged_in.post(f"/preferences/tokens/{token.pk}/revoke/")

    assert response.status_code == 302 and response["Location"] == "/preferences/"
    page = client_logged_in.get("/preferences/").content.decode()
    assert "Token “bot”" in page and "is revoked" in page
    assert bearer(plaintext).get("/api/v1/teams/").status_code == 401


def test_page_cannot_revoke_someone_elses_token(client_logged_in):
    token, plaintext = services.api_token_create(user=factories.user("bob"), name="bob's")

    response = client_logged_in.post(f"/preferences/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    assert bearer(plaintext).get("/api/v1/teams/").status_code == 200


def test_page_token_actions_need_post_and_login(client_logged_in, user):
    token, _ = services.api_token_create(user=user, name="bot")

    assert client_logged_in.get("/preferences/tokens/").status_code == 405
    assert client_logged_in.get(f"/preferences/tokens/{token.pk}/revoke/").status_code == 405
    client_logged_in.logout()
    assert client_logged_in.post("/preferences/tokens/", {"name": "x"}).status_code == 302
    assert ApiToken.objects.count() == 1


def test_admin_revoke_action_stops_the_token(client, user):
    admin_user = factories.user("root", is_staff=True, is_superuser=True)
    token, plaintext = services.api_token_create(user=user, name="bot")
    client.force_login(admin_user)

    response = client.post(
        "/admin/core/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(plaintext).get("/api/v1/teams/").status_code == 401
    assert client.get("/admin/core/apitoken/add/").status_code == 403
