"""Public votes (SPEC §5, app `voting`, reusable: it knows nothing of who uses it).

A `Poll` has `Candidate`s; a verified voter casts one `Ballot` per poll (or per day) choosing 1..K
candidates (`BallotChoice`). The voter is a keyed hash of the verified phone (`voter_key`): no phone
is stored here. Ballots are append-only; one may be set aside by an `Invalidation` with a reason.
Live counts sit in `Tally` rows spread over a few shards (so concurrent ballots do not queue on one
row) and are kept in the same transaction as the ballot; `services.poll_recount` rebuilds them from
the ballots. `Flag`s point reviewers at suspicious bursts.

`owner_ref` / `ref` are free strings a using app fills to link polls and candidates to its own
objects (e.g. "pioneers.selection:3")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Live counters are spread over this many rows per candidate (and per poll for the ballot count):
# concurrent ballots rarely wait on one another's row lock. 64 measured best on the vote bench.
TALLY_SHARDS = 64


class ResultsVisibility(models.TextChoices):
    AFTER_CLOSE = "after_close", _("after the poll closes")
    LIVE = "live", _("live, while the poll is open")


class Poll(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("region"),
        help_text=_("Who administers the poll; empty: district administrators."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    max_choices = models.PositiveSmallIntegerField(_("choices per ballot"), default=1)
    per_day = models.BooleanField(_("one ballot per day"), default=False)
    results_visibility = models.CharField(
        _("results visible"),
        max_length=20,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_CLOSE,
    )
    captcha = models.BooleanField(_("CAPTCHA before the code is sent"), default=False)
    owner_ref = models.CharField(_("owner reference"), max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="voting_poll_closes_after_opens",
            ),
            models.CheckConstraint(
                condition=Q(max_choices__gte=1), name="voting_poll_choices_min1"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def results_visible(self, now=None) -> bool:
        return self.results_visibility == ResultsVisibility.LIVE or self.is_closed(now)

    @property
    def status(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return "upcoming"
        return "open" if now < self.closes_at else "closed"


class Candidate(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("poll")
    )
    name = models.CharField(_("name"), max_length=100)
    text = models.TextField(_("text"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="voting/%Y/", blank=True)
    ref = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    """One voter's ballot. Never changed after it is written (invalidations are separate rows)."""

    # No index of its own: voting_ballot_poll_cast and the unique keys lead with the poll.
    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="ballots", db_index=False)
    voter_key = models.CharField(max_length=64)  # keyed hash of the verified identity
    day = models.DateField(null=True, blank=True)  # set on once-per-day polls only
    cast_at = models.DateTimeField(default=timezone.now)
    network = models.CharField(max_length=45, blank=True)  # the client's /24 (IPv4) or /48 (IPv6)
    choices_key = models.CharField(max_length=200, blank=True)  # sorted candidate ids, "3,7,9"

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "voter_key"],
                condition=Q(day__isnull=True),
                name="voting_ballot_once_per_poll",
            ),
            models.UniqueConstraint(
                fields=["poll", "voter_key", "day"],
                condition=Q(day__isnull=False),
                name="voting_ballot_once_per_day",
            ),
        ]
        indexes = [models.Index(fields=["poll", "cast_at"], name="voting_ballot_poll_cast")]

    def __str__(self) -> str:
        return f"#{self.pk}"


class BallotChoice(models.Model):
    # No index of its own: voting_choice_once leads with the ballot.
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, related_name="choices", db_index=False
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "candidate"], name="voting_choice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}:{self.candidate_id}"


class Tally(models.Model):
    """Live counters: per (poll, candidate, shard) the valid votes; the row with no candidate counts
    the poll's valid ballots. The sum over shards is the count."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="tallies")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="tallies"
    )
    shard = models.PositiveSmallIntegerField()
    votes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Poll and shard first: a ballot's counter update reads one shard's rows of one poll.
            models.UniqueConstraint(
                fields=["poll", "shard", "candidate"], name="voting_tally_unique"
            ),
            models.UniqueConstraint(
                fields=["poll", "shard"],
                condition=Q(candidate__isnull=True),
                name="voting_tally_ballots_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}/{self.candidate_id}/{self.shard}: {self.votes}"


class Invalidation(models.Model):
    ballot = models.OneToOneField(Ballot, on_delete=models.PROTECT, related_name="invalidation")
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    flag = models.ForeignKey(
        "Flag", on_delete=models.SET_NULL, null=True, blank=True, related_name="invalidations"
    )

    class Meta:
        verbose_name = _("invalidation")
        verbose_name_plural = _("invalidations")

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.reason}"


class FlagKind(models.TextChoices):
    NETWORK = "network", _("many ballots from one network")
    SAME_CHOICES = "same_choices", _("many ballots with the same choices in a short window")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("to review")
    DISMISSED = "dismissed", _("dismissed")
    INVALIDATED = "invalidated", _("ballots invalidated")


class Flag(models.Model):
    """A suspicious burst for a reviewer: `count` ballots sharing `key` between `start` and `end`."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    key = models.CharField(_("key"), max_length=200)
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("to"))
    count = models.PositiveIntegerField(_("ballots"))
    status = models.CharField(
        pgettext_lazy("flag", "status"),
        max_length=20,
        choices=FlagStatus.choices,
        default=FlagStatus.OPEN,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "kind", "key", "start"], name="voting_flag_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    def ballots(self):
        qs = self.poll.ballots.filter(cast_at__gte=self.start, cast_at__lte=self.end)
        if self.kind == FlagKind.NETWORK:
            return qs.filter(network=self.key)
        return qs.filter(choices_key=self.key)
