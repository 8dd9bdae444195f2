"""Activities in the API: the record of organizational life cut to one's scope, recorded through
the same service (and rules R10/R11/R23) as the back office."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_organization
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, WRITE_ERRORS, Pagination

from . import rules, selectors, services
from .models import ActivityKind, AttendanceStatus

router = Router(tags=["activities"])


class ActivityOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    kind: str
    held_on: dt.date
    starts_at: dt.time | None
    place: str
    topic: str
    host: str
    recorder: str


class AttendanceOut(Schema):
    member_id: int
    member_name: str = Field(..., alias="member.name")
    status: str
    reason: str
    has_vote: bool


class DecisionIO(Schema):
    motion: str
    yes: int = 0
    no: int = 0
    abstain: int = 0


class DecisionOut(DecisionIO):
    passed: bool


class QuorumOut(Schema):
    expected: int
    present: int
    on_leave: int
    absent: int
    exempt: int
    voting_expected: int
    voting_present: int
    valid: bool | None


class ActivityDetailOut(ActivityOut):
    minutes: str
    attendance: list[AttendanceOut]
    decisions: list[DecisionOut]
    quorum: QuorumOut


class AttendanceIn(Schema):
    member: int
    status: AttendanceStatus
    reason: str = ""


class ActivityIn(Schema):
    organization: int
    kind: ActivityKind
    party_group: int | None = None
    held_on: dt.date
    starts_at: dt.time | None = None
    place: str = ""
    topic: str
    host: str = ""
    recorder: str = ""
    minutes: str = ""
    exceptions: list[AttendanceIn] = Field(
        default_factory=list, description="Members not present; everyone else expected is present."
    )
    decisions: list[DecisionIO] = Field(default_factory=list)


class ActivityFilters(Schema):
    kind: ActivityKind | None = None
    organization: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _detail(scope, pk: int):
    a = selectors.activity_get(scope=scope, pk=pk)
    c = services.activity_counts(a)
    valid, _n, _b = rules.quorum_of(a.kind, c)
    a.attendance = list(selectors.activity_attendances(activity=a))
    a.quorum = {**c.__dict__, "valid": valid}
    return a


@router.get("", response={200: list[ActivityOut], **READ_ERRORS}, summary="List activities")
@paginate(Pagination)
def activity_list(request, filters: Query[ActivityFilters]):
    """Activities of the organizations in your scope, newest first."""
    scope = structure_scope(request)
    org = None
    if filters.organization is not None:
        org = selectors.activity_organizations(scope=scope).filter(pk=filters.organization).first()
        if org is None:
            return selectors.activity_list(scope=scope).none()
    return selectors.activity_list(
        scope=scope,
        kind=filters.kind or "",
        organization=org,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


@router.get(
    "/{int:activity_id}",
    response={200: ActivityDetailOut, **DETAIL_ERRORS},
    summary="Get an activity",
)
def activity_detail(request, activity_id: int):
    """An activity with its attendance, quorum (R10/R11) and decisions."""
    return _detail(structure_scope(request), activity_id)


@router.post("", response={201: ActivityDetailOut, **WRITE_ERRORS}, summary="Record an activity")
def activity_create(request, payload: ActivityIn):
    """Record an activity of an organization you administer. Every expected member is present
    except those listed in `exceptions` (on leave with a reason, absent, exempt). Refused (422):
    members not expected, a leave without reason, votes exceeding the voting members present."""
    scope = structure_scope(request)
    org = selectors.activity_organizations(scope=scope).filter(pk=payload.organization).first()
    if org is None:
        raise ValidationError(
            {
                "organization": _("No organization %(pk)s in your scope.")
                % {"pk": payload.organization}
            }
        )
    if not administers_organization(scope, org):
        raise AuthorizationError(message=_("You do not administer %(org)s.") % {"org": org})
    group = None
    if payload.party_group is not None:
        group = selectors.party_groups(organization=org).filter(pk=payload.party_group).first()
        if group is None:
            raise ValidationError({"party_group": _("Choose a Party group of this organization.")})
    activity = services.activity_record(
        actor=request.auth,
        organization=org,
        kind=payload.kind,
        party_group=group,
        held_on=payload.held_on,
        starts_at=payload.starts_at,
        place=payload.place,
        topic=payload.topic,
        host=payload.host,
        recorder=payload.recorder,
        minutes=payload.minutes,
        attendance={e.member: (e.status, e.reason) for e in payload.exceptions},
        decisions=[d.dict() for d in payload.decisions],
    )
    return Status(201, _detail(scope, activity.pk))
