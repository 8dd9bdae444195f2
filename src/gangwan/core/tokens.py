"""API tokens (SPEC §11): bearer tokens for mobile clients and integrations.

Only the SHA-256 of a token is stored, with its first 8 characters (`prefix`) to tell tokens apart
on the token page. The raw token is returned once, when it is made, and never written anywhere:
not in the database, not in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record
from .models import ApiToken, User

PREFIX_LENGTH = 8
# Writing last_used_at on every call would turn every read into a write; once a minute is enough
# to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _public(token: ApiToken) -> dict:
    return {
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def _may_manage(actor, user) -> bool:
    return getattr(actor, "pk", None) is not None and (actor.pk == user.pk or actor.is_superuser)


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user` and return it with the raw token, which is shown once and not kept.

    Refused: a token for somebody else (only superusers may do that), an empty name.
    """
    if not _may_manage(actor, user):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            {"name": _("Give the token a name, e.g. the device or integration using it.")}
        )
    raw = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, key_hash=_hash(raw), prefix=raw[:PREFIX_LENGTH])
    token.full_clean()
    token.save()
    audit_record(actor=actor, action="api_token.create", obj=token, after=_public(token))
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on it is refused. Revoking a revoked token changes nothing.

    Refused: revoking somebody else's token (only superusers may do that).
    """
    if not _may_manage(actor, token.user):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    before = _public(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="api_token.revoke", obj=token, before=before, after=_public(token)
    )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user holding this unrevoked token, else None. Marks the token used (once a minute)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional UPDATE: concurrent requests with the same token write at most once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """A user's tokens, newest first (revoked ones included, to show when they stopped)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
