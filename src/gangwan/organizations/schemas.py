from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gangwan.regions.schemas import RegionRef
from gangwan.units.schemas import UnitRef

from .models import OrganizationKind


class OrganizationRef(Schema):
    id: int
    name: str
    kind: str


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    region: RegionRef
    parent_id: int | None
    depth: int
    established_on: dt.date | None
    document_no: str
    dissolved_on: dt.date | None
    member_count: int = Field(..., description="Members whose relationship is held here.")
    full_count: int = Field(..., description="Full members among them.")
    home_count: int = Field(..., description="Members taking part in organizational life here.")


class UnitLinkOut(Schema):
    unit: UnitRef
    is_primary: bool


class MemberRef(Schema):
    id: int
    name: str


class OfficeOut(Schema):
    id: int
    role: str
    member: MemberRef
    started_on: dt.date


class OrganizationDetailOut(OrganizationOut):
    parent: OrganizationRef | None
    units: list[UnitLinkOut]
    offices: list[OfficeOut] = Field(
        ..., description="Sitting offices (secretary, deputy, committee members)."
    )


class OrganizationFilters(Schema):
    q: str = Field("", max_length=150, description="Part of the name.")
    kind: OrganizationKind | None = None
    region: int | None = Field(
        None, description="Organizations in this region and the regions under it."
    )
    include_dissolved: bool = False


class OrganizationIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    kind: OrganizationKind
    region: int = Field(..., description="The area; in your scope and inside the parent's area.")
    parent: int | None = Field(None, description="An organization you administer.")
    units: list[int] = Field(
        default_factory=list, max_length=200, description="Units in your scope."
    )
    primary_unit: int | None = Field(
        None, description="One of `units` (defaults to the only unit of a branch)."
    )
    established_on: dt.date | None = None
    document_no: str = Field("", max_length=60)
    reason: str = Field(
        "", max_length=2000, description="Why to go ahead although rules warn (409)."
    )


class OrganizationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    kind: OrganizationKind | None = None
    region: int | None = None
    units: list[int] | None = Field(
        None, max_length=200, description="Replaces the attached units."
    )
    primary_unit: int | None = None
    established_on: dt.date | None = None
    document_no: str | None = Field(None, max_length=60)
    reason: str = Field(
        "", max_length=2000, description="Why to go ahead although rules warn (409)."
    )
