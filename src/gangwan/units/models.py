from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    FOREIGN_ENTERPRISE = "foreign_enterprise", _("Foreign-invested enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    AGENCY = "agency", _("Government agency")
    INSTITUTION = "institution", _("Public institution")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")


# Non-public enterprises: the base of the coverage rates (R47).
NON_PUBLIC_KINDS = (UnitKind.PRIVATE_ENTERPRISE, UnitKind.FOREIGN_ENTERPRISE)
ENTERPRISE_KINDS = (
    UnitKind.PRIVATE_ENTERPRISE,
    UnitKind.STATE_ENTERPRISE,
    UnitKind.FOREIGN_ENTERPRISE,
)


class Unit(models.Model):
    """An employer or body in a region: enterprise, social organization, agency, village…"""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="units", verbose_name=_("region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    has_union = models.BooleanField(_("has a trade union"), default=False)
    union_founded_on = models.DateField(_("union founded on"), null=True, blank=True)
    instructor_name = models.CharField(_("Party-building instructor"), max_length=60, blank=True)
    is_operating = models.BooleanField(_("operating"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name
