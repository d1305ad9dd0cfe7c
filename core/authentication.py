"""Personal API tokens over `Authorization: Bearer <token>` (RFC 6750).

A request without a Bearer header is left to the next authentication class (the session). A Bearer
header with an unknown or revoked token is refused with 401 and a `WWW-Authenticate` challenge; it is
never treated as anonymous, so a client with a dead token learns so at once.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from core import selectors, services

KEYWORD = "Bearer"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: expected 'Bearer <token>'.", code="malformed_token"
            )
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token") from None
        token = selectors.api_token_find(plaintext=plaintext)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.", code="invalid_token")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.", code="revoked_token")
        services.api_token_touch(token=token)
        # An inactive user's token still identifies them; the permission check then answers 403.
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{KEYWORD} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema (and gives swagger-ui its "Authorize" box)."""

    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix=KEYWORD)
        return {
            **scheme,
            "description": "A personal API token (Preferences → API tokens, or "
            "`manage.py create_api_token USERNAME`), sent as `Authorization: Bearer cs_…`.",
        }
