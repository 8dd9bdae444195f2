"""Service brands (SPEC §4): a regional Party organization's named service, its service records,
the problems enterprises bring to an advisory group, and events for employees with registration."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gangwan.core.fields import BlindIndexField, EncryptedCharField


class BrandCategory(models.TextChoices):
    SERVE_ENTERPRISES = "serve_enterprises", _("Serve enterprises")
    SERVE_PUBLIC = "serve_public", _("Serve the public")
    SOCIALIZE = "socialize_party_building", _("Socialize Party building")
    TWO_POSTS = "two_posts", _("One member, two posts")


class ServiceBrand(models.Model):
    """区域性党组织服务品牌: owned by a lead organization, optionally with partner organizations."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=30, choices=BrandCategory.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="service_brands",
        verbose_name=_("owning organization"),
    )
    partners = models.ManyToManyField(
        "organizations.Organization",
        blank=True,
        related_name="partner_brands",
        verbose_name=_("partner organizations"),
    )
    description = models.TextField(_("description"), blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    is_public = models.BooleanField(_("shown on the portal"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service brand")
        verbose_name_plural = _("service brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class ServiceRecord(models.Model):
    """One service done under a brand: who served, whom (a unit or residents), what, hours, outcome."""

    brand = models.ForeignKey(
        ServiceBrand, on_delete=models.CASCADE, related_name="records", verbose_name=_("brand")
    )
    served_on = models.DateField(_("date"))
    title = models.CharField(_("what was done"), max_length=200)
    summary = models.TextField(_("details"), blank=True)
    members = models.ManyToManyField(
        "members.Member", blank=True, related_name="service_records", verbose_name=_("members")
    )
    served_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("served unit"),
    )
    served_text = models.CharField(_("served residents or others"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1, default=0)
    outcome = models.TextField(_("outcome"), blank=True)
    feedback = models.TextField(_("feedback of those served"), blank=True)
    # Where the record came from when another app made it ("cobuild.project:12",
    # "brands.problem:5"): one record per source, however often the source is reported.
    source_ref = models.CharField(max_length=80, null=True, blank=True, unique=True)
    url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["brand", "served_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def organization(self):
        return self.brand.organization


class ProblemCategory(models.TextChoices):
    FINANCING = "financing", _("Financing")
    LABOUR = "labour", _("Hiring and labour")
    PERMITS = "permits", _("Permits and approvals")
    INFRASTRUCTURE = "infrastructure", _("Land, roads and utilities")
    POLICY = "policy", _("Policies")
    OTHER = "other", _("Other")


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem status", "Open")
    IN_HAND = "in_hand", _("In hand")
    SOLVED = "solved", _("Solved")
    REFERRED = "referred", _("Referred")


CLOSED_STATUSES = (ProblemStatus.SOLVED, ProblemStatus.REFERRED)


class EnterpriseProblem(models.Model):
    """A problem an enterprise reports to an advisory group, tracked to closure."""

    brand = models.ForeignKey(
        ServiceBrand,
        on_delete=models.PROTECT,
        related_name="problems",
        verbose_name=_("advisory group"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="enterprise_problems",
        verbose_name=_("enterprise"),
    )
    category = models.CharField(_("category"), max_length=20, choices=ProblemCategory.choices)
    text = models.TextField(_("problem"))
    status = models.CharField(
        pgettext_lazy("problem", "status"),
        max_length=10,
        choices=ProblemStatus.choices,
        default=ProblemStatus.OPEN,
    )
    reported_on = models.DateField(_("reported on"))
    handler = models.CharField(_("handled by"), max_length=100, blank=True)
    taken_on = models.DateField(_("taken in hand on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    referred_to = models.CharField(_("referred to"), max_length=150, blank=True)
    record = models.OneToOneField(
        ServiceRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem",
        verbose_name=_("service record"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise problem")
        verbose_name_plural = _("enterprise problems")
        ordering = ["-reported_on", "-pk"]
        indexes = [models.Index(fields=["brand", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.text[:40]}"

    @property
    def organization(self):
        return self.brand.organization

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.reported_on).days if self.closed_on else None


class EmployeeEvent(models.Model):
    """An event for employees (e.g. a union's matchmaking event) with capacity and a waiting list."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="employee_events",
        verbose_name=_("organizing Party organization"),
    )
    brand = models.ForeignKey(
        ServiceBrand,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("brand"),
    )
    host_unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee_events",
        verbose_name=_("host unit (its union)"),
    )
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=150)
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_open = models.BooleanField(_("registration open"), default=True)
    is_public = models.BooleanField(_("public registration on the portal"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event for employees")
        verbose_name_plural = _("events for employees")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A person registered for an event. The phone is encrypted; one live registration per phone."""

    event = models.ForeignKey(EmployeeEvent, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("name"), max_length=60)
    phone = EncryptedCharField(_("phone"), mask="phone")
    phone_hash = BlindIndexField(source="phone")
    employer = models.CharField(_("employer"), max_length=150, blank=True)
    status = models.CharField(
        pgettext_lazy("registration", "status"), max_length=10, choices=RegistrationStatus.choices
    )
    attended = models.BooleanField(_("attended"), default=False)
    promoted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "phone_hash"],
                condition=~Q(status="cancelled"),
                name="brands_one_live_registration_per_phone",
            )
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def organization(self):
        return self.event.organization

    @property
    def phone_masked(self) -> str:
        return self._meta.get_field("phone").masked(self.phone)
