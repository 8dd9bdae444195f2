from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gangwan.core.tree import TreeNode


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    JOINT_BRANCH = "joint_branch", _("Joint branch")
    REGIONAL_BRANCH = "regional_branch", _("Regional comprehensive branch")
    FLOATING_BRANCH = "floating_branch", _("Floating members' branch")
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary branch")


# Kinds that may have organizations under them.
PARENT_KINDS = {
    OrganizationKind.COMMITTEE,
    OrganizationKind.WORKING_COMMITTEE,
    OrganizationKind.GENERAL_BRANCH,
}
# Kinds whose members are all in one organization (the "branch level").
BRANCH_KINDS = {
    OrganizationKind.BRANCH,
    OrganizationKind.JOINT_BRANCH,
    OrganizationKind.REGIONAL_BRANCH,
    OrganizationKind.FLOATING_BRANCH,
    OrganizationKind.TEMPORARY_BRANCH,
}


class Organization(TreeNode):
    """A Party organization. The tree (committee → … → branch) is a materialized path."""

    name = models.CharField(_("name"), max_length=150, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("area"),
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    document_no = models.CharField(_("approval document no."), max_length=60, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolution_reason = models.TextField(_("reason for dissolution"), blank=True)
    units = models.ManyToManyField(
        "units.Unit", through="OrganizationUnit", related_name="organizations"
    )

    class Meta:
        verbose_name = _("Party organization")
        verbose_name_plural = _("Party organizations")
        ordering = ["path"]
        constraints = [
            # 1+N: an area has at most one regional comprehensive branch ("the 1").
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(kind="regional_branch", dissolved_on__isnull=True),
                name="one_regional_branch_per_area",
            ),
        ]
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None


class OrganizationUnit(models.Model):
    """A unit covered by an organization; one unit is the organization's primary unit."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="unit_links"
    )
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="organization_links"
    )
    is_primary = models.BooleanField(_("primary unit"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "unit"], name="unit_once_per_organization"
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_primary=True), name="one_primary_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}→{self.unit_id}"


class OfficeRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


class Office(models.Model):
    """A member holding an office in an organization's committee, from one date to another."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="offices")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="offices", verbose_name=_("member")
    )
    role = models.CharField(_("office"), max_length=20, choices=OfficeRole.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("office")
        ordering = ["role", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role="secretary", ended_on__isnull=True),
                name="one_sitting_secretary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member}"


class Term(models.Model):
    """A term of office between two elections (R8)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="terms")
    started_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"), db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.organization} {self.started_on}–{self.ends_on}"
