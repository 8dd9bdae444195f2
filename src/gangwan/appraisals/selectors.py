"""Reading appraisals, always cut to a Scope (the organization's scope)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from gangwan.core.scopes import Scope
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import Organization

from .models import Appraisal, AppraisalGrade, AppraisalRound
from .rules import excellent_over_share

GRADE_KEYS = [g.value for g in AppraisalGrade]


def with_grade_counts(qs: QuerySet[AppraisalRound]) -> QuerySet[AppraisalRound]:
    """Annotate the number of appraisals per grade, graded and ungraded (one query)."""
    counts = {f"n_{g}": Count("appraisals", filter=Q(appraisals__grade=g)) for g in GRADE_KEYS}
    return qs.annotate(
        n_taking_part=Count("appraisals"),
        n_graded=Count("appraisals", filter=Q(appraisals__grade__isnull=False)),
        **counts,
    )


def appraisal_round_list(
    *, scope: Scope, organization: Organization | None = None, year: int | None = None
) -> QuerySet[AppraisalRound]:
    qs = scope.organizations(
        AppraisalRound.objects.select_related("organization__region"), prefix="organization__"
    )
    if organization is not None:
        qs = qs.filter(organization=organization)
    if year:
        qs = qs.filter(year=year)
    return with_grade_counts(qs).order_by("-year", "organization__path")


def appraisal_round_get(*, scope: Scope, pk: int) -> AppraisalRound:
    return get_object_or_404(
        scope.organizations(
            AppraisalRound.objects.select_related("organization__region", "activity", "closed_by"),
            prefix="organization__",
        ),
        pk=pk,
    )


def appraisal_rows(*, round: AppraisalRound) -> QuerySet[Appraisal]:  # noqa: A002
    return round.appraisals.select_related("member").order_by(
        "member__status", "member__name", "member_id"
    )


def members_taking_part(*, organization: Organization) -> QuerySet[Member]:
    """Current members taking part in the organization's life: full ones first."""
    return Member.objects.filter(home_organization=organization, archived_on__isnull=True).order_by(
        "status", "name", "pk"
    )


@dataclass
class Results:
    counts: list[tuple[str, str, int]]  # (grade, label, count)
    graded: int
    ungraded_full: int
    probationary: int
    excellent: int

    @property
    def over_third(self) -> bool:
        return excellent_over_share(excellent=self.excellent, graded=self.graded)

    @property
    def excellent_percent(self) -> int:
        return round(100 * self.excellent / self.graded) if self.graded else 0


def appraisal_results(*, round: AppraisalRound) -> Results:  # noqa: A002
    """Counts per grade, the 1/3 check, and who is still to be graded (two queries)."""
    rows = dict(
        round.appraisals.filter(grade__isnull=False)
        .values_list("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    graded_ids = round.appraisals.filter(grade__isnull=False).values("member_id")
    people = members_taking_part(organization=round.organization).aggregate(
        ungraded_full=Count("pk", filter=Q(status=MemberStatus.FULL) & ~Q(pk__in=graded_ids)),
        probationary=Count("pk", filter=Q(status=MemberStatus.PROBATIONARY)),
    )
    return Results(
        counts=[(g.value, g.label, rows.get(g.value, 0)) for g in AppraisalGrade],
        graded=sum(rows.values()),
        ungraded_full=people["ungraded_full"],
        probationary=people["probationary"],
        excellent=rows.get(AppraisalGrade.EXCELLENT, 0),
    )
