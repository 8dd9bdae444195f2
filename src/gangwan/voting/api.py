"""Public votes in the API (/api/v1/voting).

Public (no account; for the portal's mobile clients): polls, candidates, results when visible,
verification (send a code, confirm it → a voter token) and casting a ballot with that token.
Rate limits per address and per phone apply as on the portal.

Administration (token or session; polls of the caller's regions, district administrators for polls
without a region): the polls, full results at any time with the recount check, flags, recount and
invalidation."""

from __future__ import annotations

import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthorizationError

from gangwan.core.api_auth import structure_scope
from gangwan.core.throttle import client_ip

from . import selectors, services, verification
from .models import Ballot, Flag, Poll

router = Router(tags=["voting"])


class CandidateOut(Schema):
    id: int
    name: str
    text: str
    position: int
    ref: str
    photo: str | None = None

    @staticmethod
    def resolve_photo(obj):
        return obj.photo.url if obj.photo else None


class PollOut(Schema):
    id: int
    title: str
    description: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    max_choices: int
    per_day: bool
    results_visibility: str
    captcha: bool
    status: str
    owner_ref: str


class PollDetailOut(PollOut):
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_candidates(obj):
        return list(selectors.candidates_of(obj))


class ResultRowOut(Schema):
    candidate_id: int
    name: str
    votes: int


class ResultsOut(Schema):
    poll: int
    closed: bool
    valid: int
    invalidated: int
    results: list[ResultRowOut]


class AdminResultsOut(ResultsOut):
    recount_agrees: bool
    open_flags: int


class CaptchaOut(Schema):
    question: str
    token: str


class VerifyIn(Schema):
    phone: str = Field(max_length=20)
    captcha_token: str = ""
    captcha_answer: str = ""


class ConfirmIn(Schema):
    phone: str = Field(max_length=20)
    code: str = Field(max_length=6)


class TokenOut(Schema):
    token: str
    expires_in: int


class CastIn(Schema):
    token: str = Field(max_length=500)
    choices: list[int] = Field(max_length=100)


class BallotOut(Schema):
    ballot: int
    poll: int
    choices: list[int]
    cast_at: dt.datetime


class Detail(Schema):
    detail: list[str]


class FlagOut(Schema):
    id: int
    kind: str
    key: str
    start: dt.datetime
    end: dt.datetime
    count: int
    status: str
    note: str


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class RecountOut(Schema):
    agreed: bool
    ballots: int


def _results(poll: Poll) -> dict:
    summary = selectors.poll_summary(poll=poll)
    return {
        "poll": poll.pk,
        "closed": poll.is_closed(),
        "valid": summary["valid"],
        "invalidated": summary["invalidated"],
        "results": [
            {"candidate_id": r["candidate"].pk, "name": r["candidate"].name, "votes": r["votes"]}
            for r in selectors.poll_results(poll=poll)
        ],
    }


# --- public ------------------------------------------------------------------------------------


def _public(poll_id: int) -> Poll:
    """A poll the public may see (as on the portal: one with candidates); 404 otherwise."""
    return get_object_or_404(selectors.public_polls(), pk=poll_id)


@router.get("/polls", response=list[PollOut], auth=None, summary="Public polls")
def public_poll_list(request):
    return list(selectors.public_polls().order_by("-opens_at")[:100])


@router.get(
    "/polls/{poll_id}", response=PollDetailOut, auth=None, summary="A poll and its candidates"
)
def public_poll(request, poll_id: int):
    return _public(poll_id)


@router.get(
    "/polls/{poll_id}/results",
    response={200: ResultsOut, 403: Detail},
    auth=None,
    summary="Results (when the poll publishes them)",
)
def public_results(request, poll_id: int):
    poll = _public(poll_id)
    if not poll.results_visible():
        return Status(403, {"detail": [_("Results are published when the poll closes.")]})
    return _results(poll)


@router.get("/polls/{poll_id}/captcha", response=CaptchaOut, auth=None, summary="A CAPTCHA sum")
def captcha(request, poll_id: int):
    _public(poll_id)
    question, token = verification.captcha_new()
    return {"question": question, "token": token}


def _open(poll: Poll) -> None:
    if not poll.is_open():
        raise ValidationError(
            _("The poll is closed.") if poll.is_closed() else _("The poll is not open yet."),
            code="closed",
        )


def _refusal(exc: ValidationError):
    status = {"rate_limited": 429, "locked": 429, "unverified": 403, "duplicate": 409}.get(
        exc.code, 422
    )
    return Status(status, {"detail": list(exc.messages)})


@router.post(
    "/polls/{poll_id}/verification",
    response={202: Detail, 403: Detail, 409: Detail, 422: Detail, 429: Detail},
    auth=None,
    summary="Send a verification code to a phone",
)
def verification_start(request, poll_id: int, payload: VerifyIn):
    poll = _public(poll_id)
    try:
        _open(poll)
        if poll.captcha:
            verification.captcha_check(token=payload.captcha_token, answer=payload.captcha_answer)
        verification.limit_code_requests(
            ip=client_ip(request), identity=payload.phone.strip(), region=poll.region
        )
        verification.verifier().start(poll=poll, identity=payload.phone)
    except ValidationError as exc:
        return _refusal(exc)
    return Status(202, {"detail": [_("The code is on its way.")]})


@router.post(
    "/polls/{poll_id}/verification/confirm",
    response={200: TokenOut, 403: Detail, 409: Detail, 422: Detail, 429: Detail},
    auth=None,
    summary="Confirm the code; returns a voter token",
)
def verification_confirm(request, poll_id: int, payload: ConfirmIn):
    poll = _public(poll_id)
    try:
        _open(poll)
        verification.limit_code_checks(identity=payload.phone.strip(), region=poll.region)
        voter_key = verification.verifier().confirm(
            poll=poll, identity=payload.phone, code=payload.code
        )
    except ValidationError as exc:
        return _refusal(exc)
    from gangwan.core.rules import rule_value

    return {
        "token": verification.voter_token(poll=poll, voter_key=voter_key),
        "expires_in": int(rule_value("voting.verification_minutes")) * 60,
    }


_POLLS: dict[int, tuple[float, Poll]] = {}
POLL_CACHE_SECONDS = 2.0


def _poll_for_cast(poll_id: int) -> Poll | None:
    """The poll, kept a moment in this process: casting needs only its rules, and the cast
    statement checks the window and rules against the database row anyway."""
    if connection.vendor != "postgresql":  # only the PostgreSQL cast statement re-checks
        return Poll.objects.filter(pk=poll_id).first()
    now = time.monotonic()
    hit = _POLLS.get(poll_id)
    if hit and now - hit[0] < POLL_CACHE_SECONDS:
        return hit[1]
    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is not None:
        if len(_POLLS) > 1000:
            _POLLS.clear()
        _POLLS[poll_id] = (now, poll)
    return poll


@router.post(
    "/polls/{poll_id}/ballots",
    response={200: BallotOut, 403: Detail, 404: Detail, 409: Detail, 422: Detail, 429: Detail},
    auth=None,
    summary="Cast a ballot with a voter token",
)
def ballot_cast(request, poll_id: int, payload: CastIn):
    """One statement on PostgreSQL: 200 means the ballot is committed."""
    status, body = cast(
        poll_id=poll_id, token=payload.token, choices=payload.choices, ip=client_ip(request)
    )
    return Status(status, body)


def cast(
    *, poll_id: int, token: str, choices: list[int], ip: str, db=None, counter=None
) -> tuple[int, dict]:
    """The cast endpoint's work, shared with the WSGI fast path (voting/fastpath.py):
    (HTTP status, JSON body). `db` and `counter`: the fast path's own connections for the cast
    statement and the rate limit (services.ballot_store, verification.hit); Django's otherwise."""
    poll = _poll_for_cast(poll_id)
    if poll is None:
        return 404, {"detail": [_("No such poll.")]}
    try:
        verification.limit_casts(ip=ip, counter=counter)
        voter_key = verification.voter_from_token(poll=poll, token=token)
        stored = services.ballot_store(
            poll=poll, voter_key=voter_key, choices=choices, ip=ip, db=db
        )
    except ValidationError as exc:
        status = {"rate_limited": 429, "unverified": 403, "duplicate": 409}.get(exc.code, 422)
        return status, {"detail": list(exc.messages)}
    return 200, {
        "ballot": stored.id,
        "poll": poll.pk,
        "choices": stored.choices,
        "cast_at": stored.cast_at,
    }


# --- administration ------------------------------------------------------------------------------


def _voting_scope(request):
    """District administrators and region administrators; 403 for everyone else."""
    scope = structure_scope(request)
    if not selectors.administers_polls(scope):
        raise AuthorizationError(message=_("Your roles give no access to polls."))
    return scope


def _admin_poll(request, poll_id: int) -> Poll:
    scope = _voting_scope(request)
    poll = Poll.objects.select_related("region").filter(pk=poll_id).first()
    if poll is None or not selectors.may_administer_poll(scope, poll):
        raise AuthorizationError(message=_("This poll is outside your scope."))
    return poll


@router.get("/admin/polls", response=list[PollOut], summary="Polls I administer")
def admin_poll_list(request):
    return list(selectors.poll_list(scope=_voting_scope(request))[:500])


@router.get("/admin/polls/{poll_id}/results", response=AdminResultsOut, summary="Full results")
def admin_results(request, poll_id: int):
    poll = _admin_poll(request, poll_id)
    out = _results(poll)
    out["recount_agrees"] = services.live_counts(poll) == services.counts_from_ballots(poll)
    out["open_flags"] = poll.flags.filter(status="open").count()
    return out


@router.post("/admin/polls/{poll_id}/recount", response=RecountOut, summary="Recount")
def admin_recount(request, poll_id: int):
    poll = _admin_poll(request, poll_id)
    result = services.poll_recount(poll=poll, actor=request.auth)
    return {"agreed": result["agreed"], "ballots": result["recount"]["ballots"]}


@router.get("/admin/polls/{poll_id}/flags", response=list[FlagOut], summary="Flags")
def admin_flags(request, poll_id: int):
    poll = _admin_poll(request, poll_id)
    return list(selectors.flag_list(poll=poll))


@router.post(
    "/admin/ballots/{ballot_id}/invalidate",
    response={204: None, 422: Detail},
    summary="Invalidate a ballot",
)
def admin_invalidate(request, ballot_id: int, payload: ReasonIn):
    ballot = get_object_or_404(Ballot, pk=ballot_id)
    _admin_poll(request, ballot.poll_id)
    services.ballot_invalidate(ballot=ballot, reason=payload.reason, actor=request.auth)
    return Status(204, None)


@router.post(
    "/admin/flags/{flag_id}/dismiss", response={204: None, 422: Detail}, summary="Dismiss a flag"
)
def admin_flag_dismiss(request, flag_id: int, payload: ReasonIn):
    flag = get_object_or_404(Flag, pk=flag_id)
    _admin_poll(request, flag.poll_id)
    services.flag_dismiss(flag=flag, note=payload.reason, actor=request.auth)
    return Status(204, None)
