"""Compliance in the API: the summary by area and each organization's status per rule, cut to the
caller's scope exactly as the back-office page."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.errors import HttpError

from gangwan.core.api_auth import structure_scope
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS
from gangwan.regions.models import Region

from . import selectors
from .rules import period_label

router = Router(tags=["compliance"])


class RuleStatusOut(Schema):
    rule: str
    kind: str
    period: str
    previous_period: str
    previous: str
    current_period: str
    current: str
    last_held_on: dt.date | None


class OrganizationComplianceOut(Schema):
    id: int
    name: str
    region_id: int
    statuses: list[RuleStatusOut]


class AreaSummaryOut(Schema):
    region_id: int
    name: str
    organizations: int
    pairs: int
    done_previous: int
    done_current: int
    rate_previous: float
    overdue_organizations: int


class ComplianceOut(Schema):
    region_id: int | None
    areas: list[AreaSummaryOut]
    organizations: list[OrganizationComplianceOut]


@router.get(
    "", response={200: ComplianceOut, **DETAIL_ERRORS}, summary="Compliance for a scope or area"
)
def compliance(request, region: int | None = None, organizations: bool = False):
    """The summary by child area of `region` (default: your root area) and, with
    `organizations=true` or at an area without children, each organization's statuses."""
    scope = structure_scope(request)
    regions = scope.regions(Region.objects.all())
    if region is not None:
        node = regions.filter(pk=region).first()
        if node is None:
            raise HttpError(404, "No such area in your scope.")
    elif scope.everything:
        node = Region.objects.filter(depth=1).order_by("path").first()
    elif len(scope.region_paths) == 1:
        node = Region.objects.get(path=scope.region_paths[0])
    else:
        node = None
    evaluated = selectors.compliance_evaluate(scope=scope, region=node)
    children = list(regions.filter(parent=node).order_by("path")) if node is not None else []
    areas = [
        {**s.__dict__, "rate_previous": s.rate_previous, "overdue_organizations": s.overdue_orgs}
        for s in selectors.summary_by_child_region(evaluated, children)
    ]
    orgs = []
    if organizations or not children:
        orgs = [
            {
                "id": oc.id,
                "name": oc.name,
                "region_id": oc.region_id,
                "statuses": [
                    {
                        "rule": st.rule.code,
                        "kind": st.rule.kind,
                        "period": st.period,
                        "previous_period": period_label(st.previous_start, st.period),
                        "previous": st.previous,
                        "current_period": period_label(st.current_start, st.period),
                        "current": st.current,
                        "last_held_on": st.last_held_on,
                    }
                    for st in oc.statuses
                ],
            }
            for oc in evaluated
        ]
    return {"region_id": node.pk if node else None, "areas": areas, "organizations": orgs}


class StreetRateOut(Schema):
    region_id: int
    name: str
    done: int
    pairs: int
    rate: float


@router.get("/by-street", response={200: list[StreetRateOut], **READ_ERRORS}, summary="By street")
def by_street(request):
    """Share of organization×rule pairs done in the last complete period, per street."""
    return selectors.rate_by_street(scope=structure_scope(request))
