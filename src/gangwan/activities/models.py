from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    GENERAL_MEETING = "general_meeting", _("General meeting")
    COMMITTEE_MEETING = "committee_meeting", _("Committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    LECTURE = "lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme Party day")
    LIFE_MEETING = "life_meeting", _("Organizational-life meeting")
    APPRAISAL = "appraisal", _("Democratic appraisal")
    JOINT_ACTIVITY = "joint_activity", _("Joint activity (1+N)")
    EXEMPLAR_LEARNING = (
        "exemplar_learning",
        _("Learning from exemplars (listen, see, evaluate, speak)"),
    )
    VOLUNTEER_SERVICE = "volunteer_service", _("Volunteer service")
    EVENT = "event", _("Event for employees")


class PartyGroup(models.Model):
    """A Party group (党小组) inside a branch, with its leader."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="party_groups"
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("group leader"),
    )
    members = models.ManyToManyField("members.Member", blank=True, related_name="party_groups")
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("Party group")
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """One occasion of organizational life, recorded once by the secretary (SPEC §3)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("organization"),
    )
    party_group = models.ForeignKey(
        PartyGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("Party group"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200)
    host = models.CharField(_("host"), max_length=60, blank=True)
    recorder = models.CharField(_("recorder"), max_length=60, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    # Other organizations of the same 1+N area taking part in a joint activity.
    partners = models.ManyToManyField(
        "organizations.Organization",
        blank=True,
        related_name="joint_activities",
        verbose_name=_("partner organizations"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "kind", "held_on"]),
            models.Index(fields=["held_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ON_LEAVE = "on_leave", _("On leave")
    ABSENT = "absent", _("Absent")
    EXEMPT = "exempt", _("Exempt")


class Attendance(models.Model):
    """An expected member's attendance (R19): the expected base of quorum and pass thresholds."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(
        _("attendance"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    has_vote = models.BooleanField(_("has a vote"), default=True)

    class Meta:
        verbose_name = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="attendance_once_per_member"
            )
        ]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status}"


class Decision(models.Model):
    """A motion put to the vote at a meeting, with its counts (R10, R11)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="decisions")
    motion = models.CharField(_("motion"), max_length=300)
    yes = models.PositiveIntegerField(_("yes"), default=0)
    no = models.PositiveIntegerField(_("no"), default=0)
    abstain = models.PositiveIntegerField(_("abstain"), default=0)
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        verbose_name = _("decision")

    def __str__(self) -> str:
        return self.motion


class ActivityAttachment(models.Model):
    """A photo or PDF of an activity, stored under MEDIA_ROOT with a random name."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="activities/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
