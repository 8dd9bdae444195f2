"""Authentication for the JSON API: bearer tokens for clients, the session for the back office's JS.

Both bind the user and its Scope to the request, so endpoints cut every queryset exactly as the
back-office views do (`request.scope`).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from ninja.errors import AuthorizationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from .scopes import Scope, scope_for
from .tokens import api_token_authenticate


def _bind(request: HttpRequest, user):
    request.user = user
    request.scope = SimpleLazyObject(lambda: scope_for(user))
    return user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; revoked tokens and inactive users are refused (401)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        return _bind(request, user) if user is not None else None


class SessionAuth(APIKeyCookie):
    """The logged-in back-office session. Unsafe methods need the CSRF token (403 without it).

    Unlike ninja's `django_auth`, CSRF is checked only once the session has identified a user:
    a request with no credentials at all gets 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed")
        return _bind(request, user)


token_auth = TokenAuth()
session_auth = SessionAuth()
API_AUTH = [token_auth, session_auth]


def structure_scope(request: HttpRequest) -> Scope:
    """The caller's scope, or 403 for users without structure access (reviewers, members)."""
    scope = request.scope
    if not scope.has_structure_access:
        raise AuthorizationError(message="Your roles give no access to the organization structure.")
    return scope
