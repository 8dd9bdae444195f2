"""Incubations and reservoirs in the API (/api/v1/incubations), cut to the caller's scope like the
back office: a regional branch or incubation outside it is 404; proposing needs scope over the
regional branch and deciding or establishing scope over the superior committee (403 otherwise)."""

from ninja import Query, Router
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.schemas import (
    DETAIL_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    Pagination,
    ReasonRequiredOut,
)
from gangwan.organizations.models import Organization

from . import selectors, services
from .models import Incubation
from .schemas import (
    DecideIn,
    EstablishIn,
    IncubationDetailOut,
    IncubationFilters,
    IncubationOut,
    ProposeIn,
    ReservoirDetailOut,
    ReservoirOut,
)

router = Router(tags=["incubator"])


def _detail(scope, pk: int) -> dict:
    inc = selectors.incubation_get(scope=scope, pk=pk)
    return {
        **IncubationOut.from_orm(inc).dict(),
        "full_members_now": selectors.incubation_full_members(incubation=inc),
        "actions": sorted(selectors.incubation_actions(scope=scope, incubation=inc)),
    }


@router.get("", response={200: list[IncubationOut], **READ_ERRORS}, summary="List incubations")
@paginate(Pagination)
def incubation_list(request, filters: Query[IncubationFilters]):
    """Incubations whose regional branch lies in your scope, by reply due date (R7) then newest."""
    scope = structure_scope(request)
    branch = None
    if filters.regional_branch is not None:
        branch = selectors.reservoir_list(scope=scope).filter(pk=filters.regional_branch).first()
        if branch is None:
            return Incubation.objects.none()
    qs = selectors.incubation_list(
        scope=scope,
        state=str(filters.state or ""),
        regional_branch=branch,
        include_lapsed=filters.include_lapsed,
    )
    return qs


@router.get(
    "/reservoirs",
    response={200: list[ReservoirOut], **READ_ERRORS},
    summary="List reservoirs",
)
@paginate(Pagination)
def reservoir_list(request):
    """The regional branches in your scope with their reservoir's figures."""
    return selectors.reservoir_list(scope=structure_scope(request))


@router.get(
    "/reservoirs/{int:organization_id}",
    response={200: ReservoirDetailOut, **DETAIL_ERRORS},
    summary="Get the reservoir of a regional branch",
)
def reservoir_detail(request, organization_id: int):
    """A regional branch's members grouped by unit with full/probationary counts, the members
    without a unit, and since when each has been there."""
    branch: Organization = selectors.reservoir_get(
        scope=structure_scope(request), pk=organization_id
    )
    r = selectors.reservoir_groups(regional_branch=branch)

    def member(row):
        m = row.member
        return {
            "id": m.pk,
            "name": m.name,
            "status": m.status,
            "is_floating": m.is_floating,
            "since": row.since,
            "since_source": row.since_source,
            "days": row.days,
        }

    return {
        "regional_branch": branch,
        "region": branch.region,
        "minimum": r.minimum,
        "member_count": r.member_count,
        "full_count": r.full_count,
        "probationary_count": r.probationary_count,
        "units": [
            {
                "unit": g.unit,
                "full": g.full,
                "probationary": g.probationary,
                "eligible": g.eligible,
                "settled": g.settled,
                "incubation_id": g.incubation.pk if g.incubation else None,
                "members": [member(row) for row in g.members],
            }
            for g in r.groups
        ],
        "without_unit": [member(row) for row in r.without_unit],
    }


@router.get(
    "/{int:incubation_id}",
    response={200: IncubationDetailOut, **DETAIL_ERRORS},
    summary="Get an incubation",
)
def incubation_detail(request, incubation_id: int):
    """An incubation with its current full members and the steps open to you."""
    return _detail(structure_scope(request), incubation_id)


@router.post(
    "/{int:incubation_id}/propose",
    response={200: IncubationDetailOut, **UPDATE_ERRORS},
    summary="Propose a unit's own branch",
)
def incubation_propose(request, incubation_id: int, payload: ProposeIn):
    """The regional branch (or a structure administrator over it) proposes an eligible unit to
    the superior committee; the reply is due within a month (R7). 422 when the incubation is not
    eligible, the text is empty or the unit has fallen below R1's minimum."""
    scope = structure_scope(request)
    inc = selectors.incubation_get(scope=scope, pk=incubation_id)
    services.incubation_propose(
        actor=request.auth, incubation=inc, proposal_text=payload.proposal_text
    )
    return _detail(scope, inc.pk)


@router.post(
    "/{int:incubation_id}/decide",
    response={200: IncubationDetailOut, **UPDATE_ERRORS},
    summary="Approve or decline a proposal",
)
def incubation_decide(request, incubation_id: int, payload: DecideIn):
    """The superior committee approves or declines (a reason is required to decline; a decline is
    final). Anyone without scope over the superior committee gets 403."""
    scope = structure_scope(request)
    inc = selectors.incubation_get(scope=scope, pk=incubation_id)
    services.incubation_decide(
        actor=request.auth,
        incubation=inc,
        approve=payload.decision == "approve",
        reason=payload.reason,
    )
    return _detail(scope, inc.pk)


@router.post(
    "/{int:incubation_id}/establish",
    response={200: IncubationDetailOut, 409: ReasonRequiredOut, **UPDATE_ERRORS},
    summary="Establish the approved branch",
)
def incubation_establish(request, incubation_id: int, payload: EstablishIn):
    """Establish the approved unit's branch under the superior committee and move its members
    there, in one transaction (R1 checked; R2 warns with 409 and needs a `reason`)."""
    scope = structure_scope(request)
    inc = selectors.incubation_get(scope=scope, pk=incubation_id)
    services.incubation_establish(
        actor=request.auth,
        incubation=inc,
        name=payload.name,
        established_on=payload.established_on,
        document_no=payload.document_no,
        reason=payload.reason,
    )
    return _detail(scope, inc.pk)
