"""Reading polls, results and flags."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum

from gangwan.core.permissions import administers_region
from gangwan.core.scopes import Scope

from .models import Ballot, Candidate, Flag, FlagStatus, Invalidation, Poll, Tally


def poll_visible_q(scope: Scope) -> Q:
    """Polls a back-office user administers: those of regions in the scope; polls with no region
    belong to district administrators."""
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    from gangwan.core.tree import subtree_q

    if scope.region_paths:
        q |= subtree_q(scope.region_paths, "region__path")
    if scope.is_district_admin:
        q |= Q(region__isnull=True)
    return q


def administers_polls(scope: Scope) -> bool:
    """Who has the back office of polls: district administrators and region administrators."""
    return scope.everything or scope.is_district_admin or bool(scope.region_paths)


def may_administer_poll(scope: Scope, poll: Poll) -> bool:
    if scope.everything:
        return True
    if poll.region_id is None:
        return scope.is_district_admin
    return administers_region(scope, poll.region)


def poll_list(*, scope: Scope) -> QuerySet:
    return (
        Poll.objects.filter(poll_visible_q(scope))
        .select_related("region")
        .annotate(
            n_candidates=Count("candidates", distinct=True),
            n_open_flags=Count("flags", filter=Q(flags__status=FlagStatus.OPEN), distinct=True),
        )
        .order_by("-opens_at", "-id")
    )


def public_polls() -> QuerySet:
    return Poll.objects.annotate(n_candidates=Count("candidates")).filter(n_candidates__gt=0)


def poll_results(*, poll: Poll) -> list[dict]:
    """[{candidate, votes}] from the live counters, most votes first (then the ballot's order)."""
    totals = dict(
        Tally.objects.filter(poll=poll, candidate__isnull=False)
        .values("candidate_id")
        .annotate(n=Sum("votes"))
        .values_list("candidate_id", "n")
    )
    rows = [{"candidate": c, "votes": totals.get(c.pk, 0) or 0} for c in poll.candidates.all()]
    rows.sort(key=lambda r: (-r["votes"], r["candidate"].position, r["candidate"].pk))
    return rows


def poll_summary(*, poll: Poll) -> dict:
    """Valid and invalidated ballots (the public results show both)."""
    valid = (
        Tally.objects.filter(poll=poll, candidate__isnull=True).aggregate(n=Sum("votes"))["n"] or 0
    )
    invalidated = Invalidation.objects.filter(ballot__poll=poll).count()
    return {"valid": valid, "invalidated": invalidated, "cast": valid + invalidated}


def turnout_by_day(*, poll: Poll) -> list[tuple]:
    from django.db.models.functions import TruncDate

    return list(
        Ballot.objects.filter(poll=poll)
        .annotate(d=TruncDate("cast_at"))
        .values("d")
        .annotate(n=Count("id"))
        .order_by("d")
        .values_list("d", "n")
    )


def flag_list(*, poll: Poll, status: str | None = None) -> QuerySet:
    qs = Flag.objects.filter(poll=poll)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-start")


def candidates_of(poll: Poll) -> QuerySet:
    return Candidate.objects.filter(poll=poll).order_by("position", "id")


def valid_ballots(polls) -> dict[int, int]:
    """{poll id: valid ballots} from the live counters, for several polls in one query."""
    return dict(
        Tally.objects.filter(poll__in=polls, candidate__isnull=True)
        .values("poll_id")
        .annotate(n=Sum("votes"))
        .values_list("poll_id", "n")
    )
