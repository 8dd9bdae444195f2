"""Reads of the exemplars app, each cut to the caller's scope. Reviewers see the assessments
assigned to them; structure roles see the bases of their organizations and areas."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gangwan.core.permissions import administers_organization, administers_region
from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q

from . import rules
from .models import (
    AssessmentState,
    BaseStatus,
    Batch,
    DemonstrationBase,
    Objection,
    Review,
    Scheme,
    StarAssessment,
)


def can_manage(scope: Scope, region) -> bool:
    """District administrators manage schemes, batches, reviewers, notices and awards."""
    return scope.is_district_admin and administers_region(scope, region)


def can_self_assess(scope: Scope, organization) -> bool:
    """The organization's own secretary (or a secretary above it in the tree)."""
    return scope.everything or any(
        organization.path.startswith(p) for p in scope.organization_paths
    )


def managed_districts(scope: Scope):
    """Districts (root regions) the user administers through a region role: never the area an
    organization of the user merely stands in."""
    from gangwan.regions.models import Region

    if not scope.is_district_admin:
        return Region.objects.none()
    roots = Region.objects.filter(parent__isnull=True).order_by("path")
    return roots if scope.everything else roots.filter(subtree_q(scope.region_paths))


def batch_list(*, scope: Scope) -> QuerySet:
    qs = Batch.objects.select_related("region").annotate(
        n_bases=Count("bases"),
        n_named=Count("bases", filter=Q(bases__status=BaseStatus.NAMED)),
    )
    if scope.everything:
        return qs
    if not scope.has_structure_access:
        return qs.none()
    # A batch is visible when the district contains the user's scope.
    paths = [*scope.region_paths, *scope.organization_region_paths]
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(region__path__in=[p[:n] for n in range(1, len(p) + 1)])
    return qs.filter(q)


def batch_get(*, scope: Scope, pk: int) -> Batch:
    b = batch_list(scope=scope).filter(pk=pk).first()
    if b is None:
        raise Http404
    return b


def base_list(*, scope: Scope, batch=None, stars=None, status="") -> QuerySet:
    qs = DemonstrationBase.objects.select_related("batch", "organization__region")
    qs = (
        scope.organizations(qs, prefix="organization__")
        if scope.has_structure_access
        else qs.none()
    )
    if batch is not None:
        qs = qs.filter(batch=batch)
    if stars not in (None, ""):
        qs = qs.filter(stars=int(stars))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-stars", "organization__path")


def base_get(*, scope: Scope, pk: int) -> DemonstrationBase:
    b = base_list(scope=scope).filter(pk=pk).first()
    if b is None:
        raise Http404
    return b


def bases_by_stars(*, scope: Scope) -> dict[int, int]:
    rows = (
        base_list(scope=scope)
        .filter(status=BaseStatus.NAMED)
        .order_by()  # the list's ordering would split the groups
        .values("stars")
        .annotate(n=Count("id"))
    )
    return {r["stars"]: r["n"] for r in rows}


def _assessments() -> QuerySet:
    return StarAssessment.objects.select_related(
        "base__organization__region", "base__batch", "scheme"
    ).annotate(
        n_reviews=Count("reviews", distinct=True),
        n_submitted=Count("reviews", filter=Q(reviews__submitted_at__isnull=False), distinct=True),
        n_open_objections=Count(
            "objections", filter=Q(objections__answered_at__isnull=True), distinct=True
        ),
    )


def assessment_list(*, scope: Scope, user=None, state="", year=None) -> QuerySet:
    """Structure roles: assessments of the bases in scope. Reviewers: those assigned to them."""
    qs = _assessments()
    if not scope.everything:
        q = Q(pk__in=[])
        if scope.has_structure_access:
            q |= scope.organization_q("base__organization__")
        if user is not None and user.is_authenticated:
            q |= Q(pk__in=Review.objects.filter(reviewer=user).values("assessment_id"))
        qs = qs.filter(q)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "base__organization__path")


def assessment_get(*, scope: Scope, user, pk: int) -> StarAssessment:
    a = assessment_list(scope=scope, user=user).filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


def own_review(*, assessment: StarAssessment, user) -> Review | None:
    return assessment.reviews.filter(reviewer=user).first() if user.is_authenticated else None


def self_assessment_visible(*, scope: Scope, assessment: StarAssessment) -> bool:
    """Reviewers read the self-assessment and its evidence once it is submitted; the
    organization's side (structure roles over it) reads the draft too."""
    return assessment.state != AssessmentState.SELF_ASSESSMENT or administers_organization(
        scope, assessment.base.organization
    )


def reviews_to_score(*, user) -> QuerySet:
    return Review.objects.filter(
        reviewer=user, submitted_at__isnull=True, assessment__state=AssessmentState.REVIEWING
    )


def scores_visible(*, scope: Scope, assessment: StarAssessment, user) -> bool:
    """A reviewer never sees the others' sheets before submitting its own; managers see them;
    the organization's side sees them once the result is on notice."""
    mine = own_review(assessment=assessment, user=user)
    if mine is not None:
        return mine.submitted_at is not None
    if can_manage(scope, assessment.base.batch.region):
        return True
    return assessment.state in (AssessmentState.ON_NOTICE, AssessmentState.AWARDED)


def review_sheets(*, assessment: StarAssessment) -> list[Review]:
    return list(assessment.reviews.select_related("reviewer").order_by("id"))


def spread(*, assessment: StarAssessment, sheets: list[Review]) -> dict | None:
    """Min, max, mean and the sheets far from the mean (outliers), from submitted sheets."""
    done = [r for r in sheets if r.submitted_at]
    if not done:
        return None
    totals = [r.total for r in done]
    mean = sum(totals, Decimal(0)) / len(totals)
    limit = assessment.scheme.outlier_points
    return {
        "min": min(totals),
        "max": max(totals),
        "mean": mean.quantize(rules.TWO),
        "range": max(totals) - min(totals),
        "outliers": [r.pk for r in done if abs(r.total - mean) > limit],
    }


def self_entries(*, assessment: StarAssessment):
    return assessment.self_entries.select_related("criterion").prefetch_related("evidence")


def scheme_current(*, region) -> Scheme | None:
    return (
        Scheme.objects.filter(region=region)
        .prefetch_related("criteria")
        .order_by("-version")
        .first()
    )


def open_objections(*, assessment: StarAssessment) -> int:
    return assessment.objections.filter(answered_at__isnull=True).count()


# --- public -------------------------------------------------------------------------------------
def public_bases() -> QuerySet:
    """Named bases holding stars: a base marked down to 0 stars leaves the public list."""
    return (
        DemonstrationBase.objects.filter(status=BaseStatus.NAMED, stars__gte=1)
        .select_related("organization__region", "batch")
        .order_by("-stars", "organization__path")
    )


def public_base(pk: int) -> DemonstrationBase:
    b = (
        public_bases()
        .prefetch_related(
            "photos",
            Prefetch(
                "assessments",
                queryset=StarAssessment.objects.filter(state=AssessmentState.AWARDED).order_by(
                    "-year"
                ),
                to_attr="awarded",
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if b is None:
        raise Http404
    return b


def public_notices() -> QuerySet:
    return (
        StarAssessment.objects.filter(state=AssessmentState.ON_NOTICE)
        .select_related("base__organization__region", "base__batch")
        .order_by("notice_ends_on")
    )


def public_notice(pk: int) -> StarAssessment:
    a = public_notices().filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


def public_objections(*, assessment: StarAssessment) -> QuerySet:
    return Objection.objects.filter(assessment=assessment).order_by("received_at")
