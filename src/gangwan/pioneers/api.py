"""Selections in the API (/api/v1/pioneers), cut like the back office: a selection outside the
caller's reach is 404; nominations are cut to the caller's organizations unless it administers
or reviews the selection; review scores and results need that too (403); nominating needs an
organization the caller administers (403) and reviewing the reviewer role over the selection."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, Pagination
from gangwan.members.models import Member
from gangwan.organizations.models import Organization

from . import polls, selectors, services

router = Router(tags=["pioneers"])


def _reader(request):
    scope = request.scope
    if not (scope.has_structure_access or scope.has_role("reviewer")):
        raise PermissionDenied("Your roles give no access to the selections.")
    return scope, request.auth


class SelectionOut(Schema):
    id: int
    title: str
    region_id: int
    quota: int
    phase: str
    nominations_close_on: dt.date
    review_close_on: dt.date
    vote_opens_at: dt.datetime
    vote_closes_at: dt.datetime
    vote_weight: Decimal
    committee_weight: Decimal
    notice_starts_on: dt.date | None
    notice_ends_on: dt.date | None
    announced_on: dt.date | None
    poll_id: int | None
    poll_url: str = ""

    @staticmethod
    def resolve_poll_url(obj):
        return polls.public_url(obj.poll_id)


class NominationOut(Schema):
    id: int
    selection_id: int
    organization_id: int
    organization_name: str
    nominee_id: int
    nominee_name: str
    headline: str
    deeds: str
    opinion: str
    state: str
    committee_score: Decimal | None
    votes: int | None
    combined_score: Decimal | None
    rank: int | None
    proposed: bool

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_nominee_name(obj):
        return obj.nominee.name


class NominationIn(Schema):
    organization_id: int
    nominee_id: int
    deeds: str
    opinion: str
    headline: str = ""


class ReviewIn(Schema):
    decision: str
    score: int
    reason: str


class ReviewOut(Schema):
    id: int
    nomination_id: int
    reviewer: str
    decision: str
    score: int
    reason: str
    created_at: dt.datetime

    @staticmethod
    def resolve_reviewer(obj):
        return str(obj.reviewer)


class ResultOut(Schema):
    nomination_id: int
    nominee_name: str
    rank: int | None
    votes: int | None
    committee_score: Decimal | None
    combined_score: Decimal | None
    proposed: bool


class ResultsOut(Schema):
    selection_id: int
    phase: str
    vote_weight: Decimal
    committee_weight: Decimal
    ballots_valid: int | None
    ballots_invalidated: int | None
    rows: list[ResultOut]


@router.get(
    "/selections", response={200: list[SelectionOut], **READ_ERRORS}, summary="List selections"
)
@paginate(Pagination)
def selection_list(request):
    scope, user = _reader(request)
    return selectors.selection_list(scope=scope, user=user)


@router.get(
    "/selections/{int:pk}", response={200: SelectionOut, **DETAIL_ERRORS}, summary="Get a selection"
)
def selection_detail(request, pk: int):
    scope, user = _reader(request)
    return selectors.selection_get(scope=scope, user=user, pk=pk)


@router.get(
    "/selections/{int:pk}/nominations",
    response={200: list[NominationOut], **DETAIL_ERRORS},
    summary="List a selection's nominations",
)
@paginate(Pagination)
def nomination_list(request, pk: int):
    scope, user = _reader(request)
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    return selectors.nomination_list(scope=scope, user=user, selection=s)


@router.post(
    "/selections/{int:pk}/nominations",
    response={201: NominationOut, **UPDATE_ERRORS},
    summary="Nominate a member",
)
def nomination_create(request, pk: int, payload: NominationIn):
    """An organization you administer nominates one of its full members (422 otherwise)."""
    scope, user = _reader(request)
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    org = scope.organizations(Organization.objects.filter(pk=payload.organization_id)).first()
    if org is None:
        raise PermissionDenied("This organization is outside your scope.")
    # Only members within the caller's reach: anyone else is 404 (no name in any refusal).
    nominee = get_object_or_404(
        scope.members(Member.objects.select_related("organization", "home_organization")),
        pk=payload.nominee_id,
    )
    n = services.nomination_submit(
        actor=user,
        scope=scope,
        selection=s,
        organization=org,
        nominee=nominee,
        deeds=payload.deeds,
        opinion=payload.opinion,
        headline=payload.headline,
    )
    return Status(201, n)


@router.get(
    "/nominations/{int:pk}",
    response={200: NominationOut, **DETAIL_ERRORS},
    summary="Get a nomination",
)
def nomination_detail(request, pk: int):
    scope, user = _reader(request)
    return selectors.nomination_get(scope=scope, user=user, pk=pk)


@router.post(
    "/nominations/{int:pk}/reviews",
    response={200: ReviewOut, **UPDATE_ERRORS},
    summary="Review a nomination",
)
def review_create(request, pk: int, payload: ReviewIn):
    """A committee reviewer's decision (approve/reject), score (0–100) and reason; 403 out of scope."""
    scope, user = _reader(request)
    n = selectors.nomination_get(scope=scope, user=user, pk=pk)
    return services.review_submit(
        actor=user,
        nomination=n,
        decision=payload.decision,
        score=payload.score,
        reason=payload.reason,
    )


def _all(request, pk):
    scope, user = _reader(request)
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    if not selectors.sees_all_nominations(scope, user, s):
        raise PermissionDenied("Only the selection's administrators and reviewers see this.")
    return s


@router.get(
    "/selections/{int:pk}/reviews",
    response={200: list[ReviewOut], **DETAIL_ERRORS},
    summary="Review scores of a selection",
)
@paginate(Pagination)
def review_list(request, pk: int):
    return selectors.reviews_of(selection=_all(request, pk))


@router.get(
    "/selections/{int:pk}/results",
    response={200: ResultsOut, **DETAIL_ERRORS},
    summary="Results and ranking of a selection",
)
def results(request, pk: int):
    s = _all(request, pk)
    summary = polls.summary(selection=s) or {}
    return {
        "selection_id": s.pk,
        "phase": s.phase,
        "vote_weight": s.vote_weight,
        "committee_weight": s.committee_weight,
        "ballots_valid": summary.get("valid"),
        "ballots_invalidated": summary.get("invalidated"),
        "rows": [
            {
                "nomination_id": n.pk,
                "nominee_name": n.nominee.name,
                "rank": n.rank,
                "votes": n.votes,
                "committee_score": n.committee_score,
                "combined_score": n.combined_score,
                "proposed": n.proposed,
            }
            for n in selectors.ranking(selection=s)
        ],
    }
