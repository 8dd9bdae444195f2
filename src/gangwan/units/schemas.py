from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gangwan.regions.schemas import RegionRef

from .models import UnitKind


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str | None
    region: RegionRef
    address: str
    employees: int
    has_union: bool
    union_founded_on: dt.date | None
    instructor_name: str
    is_operating: bool


class UnitFilters(Schema):
    q: str = Field(
        "", max_length=150, description="Part of the name, or an 18-character credit code."
    )
    kind: UnitKind | None = None
    region: int | None = Field(None, description="Units in this region and the regions under it.")
    operating: bool | None = None


class UnitIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    kind: UnitKind
    region: int = Field(..., description="A region you administer.")
    credit_code: str | None = Field(
        None, max_length=18, description="Unified social credit code (GB 32100)."
    )
    address: str = Field("", max_length=200)
    employees: int = Field(0, ge=0)
    has_union: bool = False
    union_founded_on: dt.date | None = None
    instructor_name: str = Field("", max_length=60)
    is_operating: bool = True


class UnitPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    kind: UnitKind | None = None
    region: int | None = None
    credit_code: str | None = Field(None, max_length=18)
    address: str | None = Field(None, max_length=200)
    employees: int | None = Field(None, ge=0)
    has_union: bool | None = None
    union_founded_on: dt.date | None = None
    instructor_name: str | None = Field(None, max_length=60)
    is_operating: bool | None = None
