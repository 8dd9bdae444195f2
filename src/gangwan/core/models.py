from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. What it may see and change comes from its RoleAssignments, never from flags."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STREET_ADMIN = "street_admin", _("Street administrator")
    SECRETARY = "secretary", _("Secretary")
    REVIEWER = "reviewer", _("Reviewer")
    MEMBER = "member", _("Party member")
    STATION_STAFF = "station_staff", _("Service station staff")


class RoleAssignment(models.Model):
    """A role held on a scope: a region node or an organization node (SPEC §0)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        constraints = [
            models.CheckConstraint(
                condition=~(Q(region__isnull=False) & Q(organization__isnull=False)),
                name="role_on_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} {self.region or self.organization or ''}"


class AuditEntry(models.Model):
    """Who changed what, when, from what to what. Written by services; never edited."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    warnings = models.JSONField(_("rule warnings"), default=list, blank=True)
    # Region path of the changed object, so an administrator sees the trail of its own scope only.
    region_path = models.CharField(max_length=255, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ApiToken(models.Model):
    """Bearer token for the API. Only a hash is kept; the token is shown once when made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RuleSetting(models.Model):
    """A district's own value for a CONFIG rule (RULES.md); absent means the default in settings."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="rule_settings"
    )
    key = models.CharField(_("rule"), max_length=60)
    value = models.JSONField(_("value"))

    class Meta:
        verbose_name = _("rule setting")
        constraints = [
            models.UniqueConstraint(fields=["region", "key"], name="one_rule_value_per_region")
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class Notification(models.Model):
    """An in-app message to a user (also sent by e-mail/SMS where the user has them and wants them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class PhoneChallenge(models.Model):
    """A one-time code sent to a phone to prove a person holds it (public actions that must count once).

    Only a keyed hash of the phone and of the code are stored."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=40)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
