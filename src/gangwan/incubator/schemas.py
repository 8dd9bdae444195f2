from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from gangwan.organizations.schemas import OrganizationRef
from gangwan.regions.schemas import RegionRef
from gangwan.units.schemas import UnitRef

from .models import IncubationState


class IncubationOut(Schema):
    id: int
    unit: UnitRef
    regional_branch: OrganizationRef
    superior_committee: OrganizationRef
    state: str
    full_members_at_eligibility: int
    eligible_since: dt.datetime
    proposed_at: dt.datetime | None
    proposal_text: str
    reply_due_on: dt.date | None = Field(..., description="R7: a month after the proposal.")
    overdue: bool = Field(..., description="Proposed and the reply is past due (R7).")
    decided_at: dt.datetime | None
    decision_reason: str
    established_at: dt.datetime | None
    established_organization: OrganizationRef | None
    lapsed_at: dt.datetime | None = Field(
        ..., description="Set when an eligible unit fell below R1's minimum before a proposal."
    )
    lapse_note: str


class IncubationDetailOut(IncubationOut):
    full_members_now: int = Field(..., description="Full members of the unit in the reservoir.")
    actions: list[str] = Field(
        ..., description="What the caller may do now: propose, decide, establish."
    )


class IncubationFilters(Schema):
    state: IncubationState | Literal["open"] | None = Field(
        None, description="A state, or `open` (eligible, proposed or approved)."
    )
    regional_branch: int | None = None
    include_lapsed: bool = False


class ProposeIn(Schema):
    proposal_text: str = Field(..., max_length=4000)


class DecideIn(Schema):
    decision: Literal["approve", "decline"]
    reason: str = Field("", max_length=4000, description="Required to decline.")


class EstablishIn(Schema):
    name: str = Field("", max_length=150, description="Defaults to the unit's name + branch.")
    established_on: dt.date | None = None
    document_no: str = Field("", max_length=60)
    reason: str = Field(
        "", max_length=2000, description="Why to go ahead although rules warn (409)."
    )


class ReservoirOut(Schema):
    id: int
    name: str
    region: RegionRef
    member_count: int
    full_count: int
    probationary_count: int
    unit_count: int
    without_unit_count: int
    eligible_count: int


class ReservoirMemberOut(Schema):
    id: int
    name: str
    status: str
    is_floating: bool
    since: dt.date | None
    since_source: str = Field(..., description="floating (placement), audit (record) or joined.")
    days: int | None


class ReservoirUnitOut(Schema):
    unit: UnitRef
    full: int
    probationary: int
    eligible: bool = Field(..., description="Meets R1 and has no organization of its own.")
    settled: bool
    incubation_id: int | None
    members: list[ReservoirMemberOut]


class ReservoirDetailOut(Schema):
    regional_branch: OrganizationRef
    region: RegionRef
    minimum: int
    member_count: int
    full_count: int
    probationary_count: int
    units: list[ReservoirUnitOut]
    without_unit: list[ReservoirMemberOut]
