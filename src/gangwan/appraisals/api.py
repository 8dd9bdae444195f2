"""Appraisals in the API (R17): rounds cut to one's scope, opened and graded through the same
services as the back office (422 for refusals, 409 when more than a third are excellent)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_organization
from gangwan.core.schemas import (
    DETAIL_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    WRITE_ERRORS,
    Pagination,
    ReasonRequiredOut,
)
from gangwan.organizations.selectors import organization_list

from . import selectors, services

router = Router(tags=["appraisals"])


class RoundOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    year: int
    held_on: dt.date
    activity_id: int | None
    closed: bool
    excellent_reason: str
    counts: dict[str, int]
    graded: int

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name

    @staticmethod
    def resolve_closed(obj):
        return obj.is_closed

    @staticmethod
    def resolve_counts(obj):
        return {g: getattr(obj, f"n_{g}", 0) for g in selectors.GRADE_KEYS}

    @staticmethod
    def resolve_graded(obj):
        return getattr(obj, "n_graded", 0)


class AppraisalOut(Schema):
    member_id: int
    member_name: str
    status: str
    grade: str | None
    participated: bool
    note: str

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_status(obj):
        return obj.member.status


class RoundDetailOut(RoundOut):
    over_third: bool
    ungraded_full: int
    appraisals: list[AppraisalOut]

    @staticmethod
    def resolve_appraisals(obj):
        return obj.appraisals_out


class RoundFilters(Schema):
    organization: int | None = None
    year: int | None = None


class RoundIn(Schema):
    organization: int
    year: int
    held_on: dt.date


class GradesIn(Schema):
    grades: dict[int, str | None]
    notes: dict[int, str] = {}
    reason: str = ""
    close: bool = False


def _detail(scope, pk: int):
    rnd = selectors.appraisal_round_get(scope=scope, pk=pk)
    counted = (
        selectors.with_grade_counts(type(rnd).objects.filter(pk=rnd.pk))
        .select_related("organization")
        .get()
    )
    results = selectors.appraisal_results(round=rnd)
    counted.over_third = results.over_third
    counted.ungraded_full = results.ungraded_full
    counted.appraisals_out = list(selectors.appraisal_rows(round=rnd))
    return counted


@router.get("", response={200: list[RoundOut], **READ_ERRORS}, summary="List appraisal rounds")
@paginate(Pagination)
def round_list(request, filters: Query[RoundFilters]):
    """Appraisal rounds of organizations in your scope, newest year first, with counts per grade."""
    scope = structure_scope(request)
    org = None
    if filters.organization is not None:
        org = (
            organization_list(scope=scope, include_dissolved=True)
            .filter(pk=filters.organization)
            .first()
        )
        if org is None:
            return selectors.appraisal_round_list(scope=scope).none()
    return selectors.appraisal_round_list(scope=scope, organization=org, year=filters.year)


@router.get(
    "/{int:round_id}", response={200: RoundDetailOut, **DETAIL_ERRORS}, summary="Get a round"
)
def round_detail(request, round_id: int):
    """A round with its counts, the 1/3 check (R17) and every member's grade."""
    return _detail(structure_scope(request), round_id)


@router.post("", response={201: RoundDetailOut, **WRITE_ERRORS}, summary="Open an appraisal round")
def round_create(request, payload: RoundIn):
    """Open the appraisal of an organization you administer for a year (one per year)."""
    scope = structure_scope(request)
    org = organization_list(scope=scope).filter(pk=payload.organization).first()
    if org is None:
        raise ValidationError(
            {
                "organization": _("No organization %(pk)s in your scope.")
                % {"pk": payload.organization}
            }
        )
    if not administers_organization(scope, org):
        raise AuthorizationError(message=_("You do not administer %(org)s.") % {"org": org})
    rnd = services.appraisal_round_open(
        actor=request.auth, organization=org, year=payload.year, held_on=payload.held_on
    )
    return Status(201, _detail(scope, rnd.pk))


@router.post(
    "/{int:round_id}/grades",
    response={200: RoundDetailOut, 409: ReasonRequiredOut, **UPDATE_ERRORS},
    summary="Record grades",
)
def round_grades(request, round_id: int, payload: GradesIn):
    """Record grades (member id → excellent / qualified / basically_qualified / unqualified, or
    null), optionally notes, and `close` the round. Refused (422): a grade for a probationary
    member or outside the four (R17), a member not taking part in the organization, closing with
    full members ungraded, a closed round. More than a third excellent: 409, resend with `reason`."""
    scope = structure_scope(request)
    rnd = selectors.appraisal_round_get(scope=scope, pk=round_id)
    if not administers_organization(scope, rnd.organization):
        raise AuthorizationError(
            message=_("You do not administer %(org)s.") % {"org": rnd.organization}
        )
    services.appraisal_record(
        actor=request.auth,
        round=rnd,
        grades=payload.grades,
        notes=payload.notes,
        reason=payload.reason,
        close=payload.close,
    )
    return _detail(scope, rnd.pk)
