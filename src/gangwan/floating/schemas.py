from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gangwan.members.models import MemberStatus
from gangwan.regions.schemas import RegionRef


class OrganizationRef(Schema):
    id: int
    name: str
    kind: str


class StationRef(Schema):
    id: int
    name: str


class StationOut(Schema):
    id: int
    name: str
    region: RegionRef
    address: str
    phone: str
    opened_on: dt.date | None
    active: bool


class FiguresOut(Schema):
    total: int
    home_found: int
    pending: int
    median_days_to_home: float | None = Field(
        ..., description="Median days from arrival to the first organizational life here."
    )
    share_within_60_days: float | None = Field(
        ...,
        description="Percent found a home within 60 days, of those whose outcome is known "
        "(found a home, or arrived 60 days ago or more).",
    )


class StationDetailOut(StationOut):
    figures: FiguresOut
    placement_default: OrganizationRef | None = Field(
        ..., description="Where the placement rule puts an arriving member."
    )
    placement_options: list[OrganizationRef]
    staff: list[str] = Field(..., description="User names of the station's staff.")


class FloatingMemberOut(Schema):
    id: int
    name: str
    status: str
    gender: str
    birth_date: dt.date
    id_number_masked: str
    phone_masked: str
    is_floating: bool


class FloatingOut(Schema):
    id: int
    member: FloatingMemberOut
    origin_organization_name: str
    origin_region_name: str
    left_origin_on: dt.date | None
    certificate_no: str
    certificate_reviewed_on: dt.date | None
    arrived_on: dt.date
    station: StationRef | None
    placed_on: dt.date | None
    home_found_on: dt.date | None
    days_to_home: int | None
    first_activity: str
    registered_via: str
    home_organization: OrganizationRef

    @staticmethod
    def resolve_home_organization(obj):
        return obj.member.home_organization


class FloatingFilters(Schema):
    station: int | None = None
    q: str = Field("", max_length=60, description="Part of the name or of the origin region.")
    home: str = Field("", pattern="^(|found|pending)$", description="found or pending")


class FloatingIn(Schema):
    station: int = Field(..., description="A station you run.")
    name: str = Field(..., min_length=1, max_length=60)
    id_number: str = Field(..., max_length=18)
    phone: str = Field(..., max_length=20)
    status: MemberStatus = MemberStatus.FULL
    joined_on: dt.date | None = Field(None, description="Required for a probationary member.")
    origin_organization_name: str = Field(..., max_length=150)
    origin_region_name: str = Field(..., max_length=100)
    arrived_on: dt.date
    left_origin_on: dt.date | None = None
    certificate_no: str = Field("", max_length=40)
    skills: str = Field("", max_length=200)
    on_call: bool = False
    on_call_hours: str = Field("", max_length=60, description="e.g. weekends")
    unit: int | None = Field(None, description="A unit in the station's community.")
    home_organization: int | None = Field(
        None,
        description="A floating members' branch or regional branch of the station's street; "
        "empty: the placement rule decides.",
    )


class FirstActivityIn(Schema):
    date: dt.date
    what: str = Field(..., max_length=200)


class CertificateReviewIn(Schema):
    reviewed_on: dt.date | None = None


class SelfRegistrationOut(Schema):
    id: int
    station: StationRef
    name: str
    id_number_masked: str
    phone_masked: str
    member_status: str
    origin_organization_name: str
    origin_region_name: str
    left_origin_on: dt.date | None
    certificate_no: str
    arrived_on: dt.date
    skills: str
    on_call: bool
    on_call_hours: str
    joined_on: dt.date | None
    status: str
    reject_reason: str
    created_at: dt.datetime
    member_id: int | None


class AcceptIn(Schema):
    home_organization: int | None = None
    unit: int | None = None


class RejectIn(Schema):
    reason: str = Field(..., max_length=500)


class StationFiguresOut(FiguresOut):
    station_id: int | None
    station: str
    community: str


class StreetFiguresOut(FiguresOut):
    street_id: int | None
    street: str


class AllFiguresOut(FiguresOut):
    by_station: list[StationFiguresOut]
    by_street: list[StreetFiguresOut]
