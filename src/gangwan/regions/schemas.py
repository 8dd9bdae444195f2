from __future__ import annotations

from ninja import Field, Schema

from .models import RegionKind, RegionLevel


class RegionRef(Schema):
    id: int
    name: str
    level: str


class RegionOut(Schema):
    id: int
    name: str
    level: str
    kind: str
    code: str
    residents: int
    newcomers: int
    parent_id: int | None
    depth: int


class RegionFilters(Schema):
    parent: int | None = Field(None, description="Only the direct children of this region.")
    level: RegionLevel | None = None
    q: str = Field("", max_length=100, description="Part of the name.")


class RegionIn(Schema):
    parent: int = Field(
        ..., description="The region to create it under; must be one you administer."
    )
    name: str = Field(..., min_length=1, max_length=100)
    level: RegionLevel
    kind: RegionKind | None = Field(None, description="Required for a community or village.")
    code: str = Field("", max_length=12, description="GB/T 2260 code, where one exists.")
    residents: int = Field(0, ge=0)
    newcomers: int = Field(0, ge=0)


class RegionPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    kind: RegionKind | None = None
    code: str | None = Field(None, max_length=12)
    residents: int | None = Field(None, ge=0)
    newcomers: int | None = Field(None, ge=0)
