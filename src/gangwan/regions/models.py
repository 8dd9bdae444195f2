from django.db import models
from django.utils.translation import gettext_lazy as _

from gangwan.core.tree import TreeNode


class RegionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")


class RegionKind(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential community")
    VILLAGE = "village", _("Village")
    INDUSTRIAL_COMMUNITY = "industrial_community", _("Industrial community (no residents)")


# Which level may sit under which: district → street/town → community/village.
CHILD_LEVELS = {
    RegionLevel.DISTRICT: {RegionLevel.STREET, RegionLevel.TOWN},
    RegionLevel.STREET: {RegionLevel.COMMUNITY, RegionLevel.VILLAGE},
    RegionLevel.TOWN: {RegionLevel.COMMUNITY, RegionLevel.VILLAGE},
    RegionLevel.COMMUNITY: set(),
    RegionLevel.VILLAGE: set(),
}
AREA_LEVELS = {RegionLevel.COMMUNITY, RegionLevel.VILLAGE}


class Region(TreeNode):
    """An administrative area: district → street/town → community/village (an "area" of 1+N)."""

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=RegionKind.choices, blank=True)
    code = models.CharField(_("code (GB/T 2260)"), max_length=12, blank=True)
    residents = models.PositiveIntegerField(_("registered residents"), default=0)
    newcomers = models.PositiveIntegerField(_("floating residents"), default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_area(self) -> bool:
        return self.level in AREA_LEVELS
