"""Writes to core's own tables: personal API tokens.

A token is "cs_" followed by 32 random bytes (URL-safe base64). Only its SHA-256 is stored, so a leaked
database does not leak usable tokens; the plaintext is returned once, by `api_token_create`.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import errors
from core.models import ApiToken

TOKEN_PREFIX = "cs_"
PREFIX_LENGTH = 8  # "cs_" and five random characters: enough to tell a person's tokens apart
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length

# last_used_at is a hint for people ("is this token still in use?"), not an audit log: writing it at
# most once a minute per token spares the database one UPDATE per API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its plaintext, which is never stored nor shown again."""
    name = (name or "").strip()
    if not name:
        raise errors.ValidationFailed(
            "A token needs a name, to tell it apart later.", extra={"fields": {"name": ["Required."]}}
        )
    if len(name) > NAME_MAX_LENGTH:
        raise errors.ValidationFailed(
            f"A token's name can be at most {NAME_MAX_LENGTH} characters.",
            extra={"fields": {"name": ["Too long."]}},
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=token_hash(plaintext), prefix=plaintext[:PREFIX_LENGTH]
    )
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, token_id: int, user) -> ApiToken:
    """Revoke one of `user`'s tokens; it stops working at once. Revoking a revoked token changes
    nothing. Someone else's token is reported as not found, so ids reveal nothing."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise errors.NotFound(f"Token {token_id} does not exist.", extra={"token_id": token_id})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that `token` was just used, unless that was recorded less than a minute ago.

    Decided on the row already loaded, so a busy token costs one conditional UPDATE a minute; the
    condition in the UPDATE keeps concurrent requests from writing it twice.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now
