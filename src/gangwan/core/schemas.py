"""Schemas and pagination shared by the API routers."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`limit`/`offset` with a total `count`; pages are capped so one call cannot dump a province."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0)


class ErrorOut(Schema):
    detail: str


class MessagesOut(Schema):
    """A refusal: each message names the rule it comes from where there is one (e.g. "R1: …")."""

    detail: list[str]


class FindingOut(Schema):
    rule: str
    level: str
    message: str


class ReasonRequiredOut(Schema):
    """Rules warn: resend the same request with a `reason` to go ahead (stored in the audit trail)."""

    detail: list[str]
    warnings: list[FindingOut]


# Responses every structure endpoint may give besides its success.
READ_ERRORS = {401: ErrorOut, 403: ErrorOut}
DETAIL_ERRORS = {**READ_ERRORS, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 422: MessagesOut}
UPDATE_ERRORS = {**DETAIL_ERRORS, 422: MessagesOut}
