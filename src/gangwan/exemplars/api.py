"""Demonstration bases and star assessments in the API (/api/v1/exemplars/), cut like the back
office: bases and batches for structure roles in scope; assessments in scope or assigned to the
calling reviewer (404 otherwise). Reviewers submit their sheets here; the organization's secretary
saves its self-assessment (evidence files are uploaded in the back office)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.models import Role
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, Pagination

from . import selectors, services

router = Router(tags=["exemplars"])


class BatchOut(Schema):
    id: int
    name: str
    year: int
    quota: int
    candidates: int = Field(..., alias="n_bases")
    named: int = Field(..., alias="n_named")


class BaseOut(Schema):
    id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    area: str = Field(..., alias="organization.region.name")
    batch_id: int
    status: str
    stars: int
    named_on: dt.date | None
    rated_on: dt.date | None
    description: str


class AssessmentOut(Schema):
    id: int
    base_id: int
    organization: str = Field(..., alias="base.organization.name")
    year: int
    scheme_version: int = Field(..., alias="scheme.version")
    state: str
    reviewers: int = Field(..., alias="n_reviews")
    reviews_submitted: int = Field(..., alias="n_submitted")
    open_objections: int = Field(..., alias="n_open_objections")
    score: Decimal | None
    vetoed: bool
    proposed_stars: int | None
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None
    awarded_stars: int | None
    awarded_on: dt.date | None


class SheetOut(Schema):
    reviewer: str
    submitted: bool
    total: Decimal | None
    vetoes: list[int]


class AssessmentDetailOut(AssessmentOut):
    sheets: list[SheetOut] | None = None
    scores_hidden: bool = False


class AssessmentFilters(Schema):
    state: str = ""
    year: int | None = None


class ReviewIn(Schema):
    points: dict[str, Decimal]
    vetoes: list[int] = []
    comment: str = ""


class SelfEntryIn(Schema):
    criterion_id: int
    points: Decimal
    statement: str = ""


class SelfAssessmentIn(Schema):
    entries: list[SelfEntryIn]
    submit: bool = False


def _access(request):
    scope = request.scope
    if not (scope.has_structure_access or scope.has_role(Role.REVIEWER)):
        raise PermissionDenied("Your roles give no access to star assessments.")
    return scope


def _detail(request, pk: int):
    scope = _access(request)
    a = selectors.assessment_get(scope=scope, user=request.auth, pk=pk)
    a.sheets, a.scores_hidden = None, True
    if selectors.scores_visible(scope=scope, assessment=a, user=request.auth):
        a.scores_hidden = False
        a.sheets = [
            {
                "reviewer": str(r.reviewer),
                "submitted": r.submitted_at is not None,
                "total": r.total,
                "vetoes": r.vetoes,
            }
            for r in selectors.review_sheets(assessment=a)
        ]
    return a


@router.get("/batches", response={200: list[BatchOut], **READ_ERRORS}, summary="List batches")
@paginate(Pagination)
def batch_list(request):
    """Batches of demonstration bases of your district, with candidates and bases named."""
    return selectors.batch_list(scope=structure_scope(request))


@router.get("/bases", response={200: list[BaseOut], **READ_ERRORS}, summary="List bases")
@paginate(Pagination)
def base_list(request, stars: int | None = None, status: str = ""):
    """Candidates and named bases whose organization lies in your scope."""
    return selectors.base_list(scope=structure_scope(request), stars=stars, status=status)


@router.get("/bases/{int:base_id}", response={200: BaseOut, **DETAIL_ERRORS}, summary="Get a base")
def base_detail(request, base_id: int):
    return selectors.base_get(scope=structure_scope(request), pk=base_id)


@router.get(
    "/assessments", response={200: list[AssessmentOut], **READ_ERRORS}, summary="List assessments"
)
@paginate(Pagination)
def assessment_list(request, filters: Query[AssessmentFilters]):
    """Assessments of bases in your scope; for reviewers, the ones assigned to them."""
    return selectors.assessment_list(
        scope=_access(request), user=request.auth, state=filters.state, year=filters.year
    )


@router.get(
    "/assessments/{int:assessment_id}",
    response={200: AssessmentDetailOut, **DETAIL_ERRORS},
    summary="Get an assessment",
)
def assessment_detail(request, assessment_id: int):
    """An assessment; the reviewers' sheets only once you may see them (a reviewer after
    submitting its own)."""
    return _detail(request, assessment_id)


@router.post(
    "/assessments/{int:assessment_id}/review",
    response={200: AssessmentDetailOut, **UPDATE_ERRORS},
    summary="Submit your scores",
)
def review_submit(request, assessment_id: int, payload: ReviewIn):
    """Submit your own sheet ({criterion id: points}, veto item ids) once; 403 unless assigned."""
    scope = _access(request)
    a = selectors.assessment_get(scope=scope, user=request.auth, pk=assessment_id)
    mine = selectors.own_review(assessment=a, user=request.auth)
    if mine is None:
        raise PermissionDenied("You are not a reviewer of this assessment.")
    services.review_submit(
        actor=request.auth,
        review=mine,
        points={k: str(v) for k, v in payload.points.items()},
        vetoes=payload.vetoes,
        comment=payload.comment,
    )
    return _detail(request, a.pk)


@router.post(
    "/assessments/{int:assessment_id}/self-assessment",
    response={200: AssessmentDetailOut, **UPDATE_ERRORS},
    summary="Save the self-assessment",
)
def self_assessment_save(request, assessment_id: int, payload: SelfAssessmentIn):
    """The organization's secretary claims points per criterion; `submit` hands it over."""
    scope = _access(request)
    a = selectors.assessment_get(scope=scope, user=request.auth, pk=assessment_id)
    if not selectors.can_self_assess(scope, a.base.organization):
        raise PermissionDenied("Only the organization's secretary assesses it.")
    services.self_assessment_save(
        actor=request.auth,
        assessment=a,
        entries={str(e.criterion_id): (e.points, e.statement) for e in payload.entries},
        submit=payload.submit,
    )
    return _detail(request, a.pk)
