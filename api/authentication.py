"""Bearer-token authentication of API clients (``Authorization: Bearer masp.…``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api.services import client_for_token


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate as the client's service account; ``request.auth`` is the :class:`ApiClient`."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("The token is unknown, revoked or expired.")) from exc
        client = client_for_token(token)
        if client is None:
            raise AuthenticationFailed(_("The token is unknown, revoked or expired."))
        return client.user, client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
