"""Scope checks: an endpoint names the scope it needs for each method."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from api.choices import IMPLIED_BY
from api.models import ApiClient


def client_has_scope(client: ApiClient, scope: str) -> bool:
    return bool(set(client.scopes) & IMPLIED_BY.get(scope, {scope}))


class HasScope(BasePermission):
    """The client's token carries the scope ``view.required_scopes[method]``."""

    message = _("The token lacks the scope this endpoint needs.")

    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        scope = view.required_scopes.get(request.method) or view.required_scopes.get("GET")
        return scope is not None and client_has_scope(client, scope)
