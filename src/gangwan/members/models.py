import datetime as dt

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


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor's degree")
    COLLEGE = "college", _("Junior college")
    SECONDARY = "secondary", _("Senior or vocational secondary school")
    JUNIOR = "junior", _("Junior secondary school or below")


class ArchiveReason(models.TextChoices):
    """Why a member's record became a former member's record. Records are never deleted."""

    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    DECEASED = "deceased", _("Deceased")
    REMOVED = "removed", _("Removed from the Party")
    QUIT = "quit", _("Quit the Party")
    OTHER = "other", _("Other")


class SuffixField(models.CharField):
    """The last characters of another (encrypted) field, for suffix search ("…123X", "…5678").

    Recomputed on every save and bulk insert, like BlindIndexField. The masks show these same
    characters (3302**********123X, 138****5678), so keeping them in the clear reveals nothing more."""

    def __init__(self, *args, source: str = "", length: int = 4, **kwargs):
        self.source, self.length = source, length
        kwargs.setdefault("max_length", length)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.length != 4:
            kwargs["length"] = self.length
        for key in ("max_length", "editable", "db_index", "blank", "default", "db_default"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        raw = getattr(model_instance, self.source) or ""
        value = raw[-self.length :] if len(raw) >= self.length else ""
        setattr(model_instance, self.attname, value)
        return value


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# Probation lasts one year from the branch assembly's vote (R41; 党章 第七条).
PROBATION_YEARS = 1


class Member(models.Model):
    """A Party member. ID number and phone are encrypted; found by keyed hash; shown masked.

    Former members (transferred out, deceased, …) keep their record with `archived_on` and a reason.
    New columns carry database defaults too, so bulk SQL loads (bench/datasets.py) may omit them."""

    name = models.CharField(_("full name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(
        _("ethnicity"), max_length=20, blank=True, default="", db_default=""
    )
    education = models.CharField(
        _("education"),
        max_length=20,
        choices=Education.choices,
        blank=True,
        default="",
        db_default="",
    )
    id_number = EncryptedCharField(_("ID number"), mask="id_number")
    id_number_hash = BlindIndexField(source="id_number", unique=True)
    id_suffix = SuffixField(source="id_number")
    phone = EncryptedCharField(_("phone"), mask="phone", blank=True)
    phone_hash = BlindIndexField(source="phone")
    phone_suffix = SuffixField(source="phone")
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
    post = models.CharField(
        _("post in the unit"), max_length=60, blank=True, default="", db_default=""
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    full_on = models.DateField(_("full member since"), null=True, blank=True)
    is_floating = models.BooleanField(_("floating member"), default=False)
    skills = models.CharField(_("skills"), max_length=200, blank=True, default="", db_default="")
    on_call = models.BooleanField(_("on call"), default=False, db_default=False)
    on_call_hours = models.CharField(
        _("on-call hours"), max_length=60, blank=True, default="", db_default=""
    )
    community_post = models.CharField(
        _("post in the community (one member, two posts)"),
        max_length=60,
        blank=True,
        default="",
        db_default="",
    )
    # Written by organizational life (attendance) and by dues; read by the inactivity list (R27)
    # and the transfer letter (paid-up month).
    last_life_on = models.DateField(_("last organizational life"), null=True, blank=True)
    dues_paid_until = models.DateField(
        _("dues paid up to (month)"),
        null=True,
        blank=True,
        help_text=_("The first day of the last month paid for."),
    )
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    archive_reason = models.CharField(
        _("reason"), max_length=20, choices=ArchiveReason.choices, blank=True
    )
    archive_note = models.CharField(
        _("details"), max_length=200, blank=True, default="", db_default=""
    )
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

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None

    @property
    def full_due_on(self) -> dt.date | None:
        """When a probationary member's probation ends (one year after joining, R41)."""
        if self.status != MemberStatus.PROBATIONARY or self.joined_on is None:
            return None
        return add_years(self.joined_on, PROBATION_YEARS)

    @property
    def skill_list(self) -> list[str]:
        return [s for s in self.skills.split(SKILL_SEPARATOR) if s]


SKILL_SEPARATOR = "、"
