"""Regional co-building (SPEC §6, R48): the three lists — needs, resources, projects — the matches
between them, and the community harmony councils that deliberate and create projects.

Posters' phones are personal data: encrypted, found by keyed hash, shown masked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gangwan.core.fields import BlindIndexField, EncryptedCharField


class Category(models.TextChoices):
    CHILDCARE = "childcare", _("Childcare and education")
    ENVIRONMENT = "environment", _("Environment and sites")
    VENUES = "venues", _("Venues and sports")
    ELDERLY = "elderly", _("Elderly care")
    EMPLOYMENT = "employment", _("Employment")
    ENTERPRISE = "enterprise", _("Enterprise service")
    CULTURE = "culture", _("Culture")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class PosterKind(models.TextChoices):
    COMMUNITY = "community", _("Community")
    ORGANIZATION = "organization", _("Party organization")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESIDENT = "resident", _("Resident")


class Urgency(models.TextChoices):
    LOW = "low", _("Can wait")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("Urgent")
    CRITICAL = "critical", _("Very urgent")


class NeedState(models.TextChoices):
    OPEN = "open", pgettext_lazy("need state", "Open")
    MATCHED = "matched", _("Matched")
    IN_PROJECT = "in_project", _("In a project")
    DONE = "done", _("Done")
    CLOSED = "closed", _("Closed")


class Moderation(models.TextChoices):
    UNVERIFIED = "unverified", _("Phone not verified")
    PENDING = "pending", _("Awaiting moderation")
    HELD = "held", _("Held: wording to check")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", pgettext_lazy("moderation", "Rejected")


class Need(models.Model):
    """An item of a community's needs list (需求清单)."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    poster_kind = models.CharField(_("posted by"), max_length=20, choices=PosterKind.choices)
    poster_name = models.CharField(_("poster's name"), max_length=120)
    poster_unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    poster_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    poster_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = EncryptedCharField(_("phone"), mask="phone", blank=True)
    phone_hash = BlindIndexField(source="phone")
    state = models.CharField(
        _("state"), max_length=12, choices=NeedState.choices, default=NeedState.OPEN
    )
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=12, choices=Moderation.choices, default=Moderation.APPROVED
    )
    moderation_note = models.CharField(_("moderation note"), max_length=300, blank=True)
    posted_at = models.DateTimeField(_("posted at"), db_index=True)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("need")
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["state", "category"])]

    def __str__(self) -> str:
        return self.title

    @property
    def phone_masked(self) -> str:
        return self._meta.get_field("phone").masked(self.phone)

    @property
    def is_public(self) -> bool:
        return self.moderation == Moderation.APPROVED


class NeedPhoto(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="cobuild/needs/%Y/%m/")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.need} · {self.pk}"


class ResourceKind(models.TextChoices):
    FUNDING = "funding", _("Funding")
    SITE = "site", _("Site")
    VENUE = "venue", _("Venue")
    EXPERTISE = "expertise", _("Expertise")
    PEOPLE = "people", _("People")
    EQUIPMENT = "equipment", _("Equipment")


class HolderKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    ORGANIZATION = "organization", _("Party organization")
    MEMBER = "member", _("Party member")


class Resource(models.Model):
    """An item of a resource list (资源清单) offered by an enterprise, an organization or a member."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    capacity = models.CharField(_("capacity"), max_length=120, blank=True)
    skills = models.CharField(_("skills and keywords"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    holder_kind = models.CharField(_("offered by"), max_length=20, choices=HolderKind.choices)
    holder_unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    available_until = models.DateField(_("available until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("resource")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def holder_name(self) -> str:
        holder = self.holder_unit or self.holder_organization or self.holder_member
        return str(holder) if holder else ""


class Exchange(models.Model):
    """A two-way exchange: several matches that belong together (the silt site ↔ the visit)."""

    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exchange")

    def __str__(self) -> str:
        return self.title


class MatchHow(models.TextChoices):
    CLAIM = "claim", _("Claimed by the holder")
    DISPATCH = "dispatch", _("Dispatched by the branch")
    EXCHANGE = "exchange", _("Part of an exchange")


class Match(models.Model):
    """A need taken by a resource or an on-call member (认领 / 匹配)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="matches")
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="matches"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    how = models.CharField(_("how"), max_length=12, choices=MatchHow.choices)
    score = models.FloatField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.SET_NULL, related_name="matches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("match")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resource__isnull=False) | models.Q(member__isnull=False),
                name="cobuild_match_has_taker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.need} ← {self.resource or self.member}"


class Constituency(models.TextChoices):
    RESIDENTS = "residents", _("Residents' representative")
    ENTERPRISES = "enterprises", _("Enterprises' representative")
    ORGANIZATIONS = "organizations", _("Organizations' representative")


class Council(models.Model):
    """A community harmony council (社区和谐理事会): one per community."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    established_on = models.DateField(_("established on"))

    class Meta:
        verbose_name = _("harmony council")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CouncilSeat(models.Model):
    """A council member, representing residents, an enterprise or an organization, for a term."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="seats")
    name = models.CharField(_("name"), max_length=60)
    constituency = models.CharField(_("represents"), max_length=20, choices=Constituency.choices)
    affiliation = models.CharField(_("unit or organization"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    term_starts = models.DateField(_("term starts"))
    term_ends = models.DateField(_("term ends"))

    class Meta:
        verbose_name = _("council member")
        ordering = ["constituency", "name"]

    def __str__(self) -> str:
        return self.name

    def serves_on(self, day) -> bool:
        return self.term_starts <= day <= self.term_ends


class CouncilMeeting(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    present = models.ManyToManyField(CouncilSeat, verbose_name=_("present"), related_name="+")

    class Meta:
        verbose_name = _("council meeting")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.council} {self.held_on}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", pgettext_lazy("council decision", "Rejected")
    DEFERRED = "deferred", _("Deferred")


class Deliberation(models.Model):
    """An agenda item of a council meeting: a need or a member's proposal, its record and decision."""

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="items")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliberations"
    )
    title = models.CharField(_("agenda item"), max_length=200)
    proposal = models.TextField(_("proposal"), blank=True)
    proposed_by = models.ForeignKey(
        CouncilSeat,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    record = models.TextField(_("deliberation record"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)

    class Meta:
        verbose_name = _("deliberation")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDERWAY = "underway", _("Underway")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Project(models.Model):
    """An item of the projects list (项目清单)."""

    title = models.CharField(_("title"), max_length=150)
    summary = models.TextField(_("summary"), blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("owner organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    funder = models.ForeignKey(
        "units.Unit",
        verbose_name=_("funder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = models.DecimalField(
        _("budget (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    served_text = models.CharField(_("beneficiaries"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("volunteer hours"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(
        pgettext_lazy("project", "status"),
        max_length=10,
        choices=ProjectStatus.choices,
        default=ProjectStatus.PLANNED,
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    needs = models.ManyToManyField(
        Need, verbose_name=_("needs"), blank=True, related_name="projects"
    )
    resources = models.ManyToManyField(
        Resource, verbose_name=_("resources"), blank=True, related_name="projects"
    )
    deliberation = models.OneToOneField(
        Deliberation, null=True, blank=True, on_delete=models.SET_NULL, related_name="project"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("project")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=150)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("milestone")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class Feedback(models.Model):
    """A beneficiary's public feedback on a done project: one per phone (keyed hash)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="feedback")
    phone_hash = models.CharField(max_length=64)
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "phone_hash"], name="cobuild_feedback_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.rating}"
