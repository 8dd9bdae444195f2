from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gangwan.organizations.schemas import OrganizationRef
from gangwan.units.schemas import UnitRef

from .models import ArchiveReason, Education, MemberStatus


class MemberOut(Schema):
    """A member as the list shows it: personal data masked (the API never reveals it)."""

    id: int
    name: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    education: str
    id_number: str = Field(..., alias="id_number_masked", description="Masked: 3302**********123X.")
    phone: str = Field(..., alias="phone_masked", description="Masked: 138****5678.")
    status: str
    joined_on: dt.date | None
    full_on: dt.date | None
    full_due_on: dt.date | None = Field(
        ..., description="For probationary members: one year after joining (R41)."
    )
    organization: OrganizationRef = Field(..., description="Holds the relationship.")
    home_organization: OrganizationRef = Field(
        ..., description="Where the member takes part in organizational life."
    )
    unit: UnitRef | None
    post: str
    is_floating: bool
    skills: list[str] = Field(..., alias="skill_list")
    on_call: bool
    on_call_hours: str
    community_post: str
    last_life_on: dt.date | None
    dues_paid_until: dt.date | None
    archived_on: dt.date | None
    archive_reason: str
    archive_note: str


class MemberFilters(Schema):
    q: str = Field(
        "",
        max_length=60,
        description="Part of the name or unit name, the last 4 characters of the ID number or "
        "phone, or a full ID number or phone (found by keyed hash).",
    )
    status: MemberStatus | None = None
    floating: bool | None = None
    on_call: bool | None = None
    organization: int | None = Field(
        None, description="Members in this organization and those under it (relationship or home)."
    )
    archived: bool = Field(False, description="Former members instead of current ones.")


class InactiveFilters(Schema):
    organization: int | None = None
    level: str = Field("", pattern="^(|warn|escalate)$")
    condition: str = Field("", pattern="^(|life|dues)$")


class InactiveOut(Schema):
    id: int
    name: str
    organization: OrganizationRef
    home_organization: OrganizationRef
    life_since: dt.date | None = Field(
        ..., description="Last organizational life, else the date counted from."
    )
    life_level: str = Field(..., description='"", "warn" or "escalate" (R27).')
    dues_since: dt.date | None = Field(
        ..., description="Month paid up to, else the date counted from."
    )
    dues_level: str


class MemberIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    id_number: str = Field(..., min_length=15, max_length=20)
    phone: str = Field("", max_length=20)
    status: MemberStatus = MemberStatus.FULL
    joined_on: dt.date | None = None
    full_on: dt.date | None = None
    ethnicity: str = Field("", max_length=20)
    education: Education | None = None
    organization: int = Field(..., description="An organization you administer.")
    home_organization: int | None = Field(
        None, description="An organization of your scope (defaults to `organization`)."
    )
    unit: int | None = Field(None, description="A unit of your scope.")
    post: str = Field("", max_length=60)
    is_floating: bool = False
    skills: list[str] = Field(default_factory=list, max_length=20)
    on_call: bool = False
    on_call_hours: str = Field("", max_length=60)
    community_post: str = Field("", max_length=60)
    reason: str = Field(
        "", max_length=2000, description="Why to go ahead although rules warn (409)."
    )


class MemberPatch(Schema):
    """Any of the fields; the relationship (`organization`) moves by a transfer, not here."""

    name: str | None = Field(None, min_length=1, max_length=60)
    id_number: str | None = Field(None, min_length=15, max_length=20)
    phone: str | None = Field(None, max_length=20)
    status: MemberStatus | None = None
    joined_on: dt.date | None = None
    full_on: dt.date | None = None
    ethnicity: str | None = Field(None, max_length=20)
    education: Education | None = None
    home_organization: int | None = None
    unit: int | None = None
    post: str | None = Field(None, max_length=60)
    is_floating: bool | None = None
    skills: list[str] | None = Field(None, max_length=20)
    on_call: bool | None = None
    on_call_hours: str | None = Field(None, max_length=60)
    community_post: str | None = Field(None, max_length=60)
    reason: str = Field("", max_length=2000)


class ArchiveIn(Schema):
    reason: ArchiveReason
    note: str = Field("", max_length=200, description="Required when the reason is `other`.")
    archived_on: dt.date | None = Field(None, description="Defaults to today.")
