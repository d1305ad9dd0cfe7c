"""Reads of core's own tables."""

from django.db.models import QuerySet

from core import services
from core.models import ApiToken


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """A person's tokens, newest first, revoked ones included (so they can see what they revoked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_find(*, plaintext: str) -> ApiToken | None:
    """The token (revoked or not) whose hash matches `plaintext`, with its user; None if there is none."""
    if not plaintext.startswith(services.TOKEN_PREFIX):
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=services.token_hash(plaintext)).first()
