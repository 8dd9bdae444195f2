from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gangwan.core.fields import BlindIndexField, EncryptedCharField


class MemberStatus(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Member(models.Model):
    """A Party member. ID number and phone are encrypted; found by keyed hash; shown masked."""

    name = models.CharField(_("full name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedCharField(_("ID number"), mask="id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True)
    phone = EncryptedCharField(_("phone"), mask="phone", blank=True)
    phone_hash = BlindIndexField(source="phone")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organization (relationship)"),
    )
    home_organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="home_members",
        verbose_name=_("home organization (organizational life)"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("unit"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    is_floating = models.BooleanField(_("floating member"), default=False)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    archive_reason = models.CharField(_("reason"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        ordering = ["name", "id"]
        indexes = [
            # Partial indexes: most queries ask about current (not archived) members only.
            models.Index(
                fields=["organization", "status"],
                condition=Q(archived_on__isnull=True),
                name="member_active_org",
            ),
            models.Index(
                fields=["home_organization", "status"],
                condition=Q(archived_on__isnull=True),
                name="member_active_home",
            ),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return self._meta.get_field("id_number").masked(self.id_number)

    @property
    def phone_masked(self) -> str:
        return self._meta.get_field("phone").masked(self.phone)
