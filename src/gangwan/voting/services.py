"""Writing polls, candidates and ballots; invalidations, recounts and burst flags.

The stable service API other apps use (pioneers does):
    poll_create(*, title, description="", opens_at, closes_at, max_choices=1, per_day=False,
                results_visibility="after_close", captcha=False, owner_ref="", actor, region=None)
    candidate_add(*, poll, name, text="", photo=None, ref="", actor)
    ballot_cast(*, poll, voter_key, choices, ip, now=None)
    poll_results(*, poll)  (a selector, re-exported here)

Casting is the hot path: on PostgreSQL one prepared statement (insert the ballot if the poll is
open and the choices are its candidates, insert its choices, add one to the live counters of one
shard); elsewhere one transaction of the same steps. The database's unique constraint refuses a
second ballot."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import random
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.core.rules import rule_value

from .models import (
    TALLY_SHARDS,
    Ballot,
    BallotChoice,
    Candidate,
    Flag,
    FlagKind,
    FlagStatus,
    Invalidation,
    Poll,
    ResultsVisibility,
    Tally,
)
from .selectors import poll_results  # noqa: F401  (part of the service API)

logger = logging.getLogger(__name__)

POLL_FIELDS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "max_choices",
    "per_day",
    "results_visibility",
    "captcha",
    "owner_ref",
    "region",
)


def _candidate_snapshot(c: Candidate) -> dict:
    return {
        "poll": c.poll_id,
        "name": c.name,
        "text": c.text,
        "photo": c.photo.name or "",
        "ref": c.ref,
    }


def _check_poll(poll: Poll) -> None:
    errors = {}
    if not (poll.title or "").strip():
        errors["title"] = _("Enter a title.")
    if poll.opens_at and poll.closes_at and poll.closes_at <= poll.opens_at:
        errors["closes_at"] = _("The poll must close after it opens.")
    if not poll.max_choices or poll.max_choices < 1:
        errors["max_choices"] = _("A ballot chooses at least one candidate.")
    if poll.results_visibility not in ResultsVisibility.values:
        errors["results_visibility"] = _("Choose when results are visible.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def poll_create(
    *,
    title: str,
    description: str = "",
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    max_choices: int = 1,
    per_day: bool = False,
    results_visibility: str = ResultsVisibility.AFTER_CLOSE,
    captcha: bool = False,
    owner_ref: str = "",
    actor,
    region=None,
) -> Poll:
    poll = Poll(
        title=(title or "").strip(),
        description=description or "",
        opens_at=opens_at,
        closes_at=closes_at,
        max_choices=max_choices,
        per_day=per_day,
        results_visibility=results_visibility,
        captcha=captcha,
        owner_ref=owner_ref or "",
        region=region,
    )
    _check_poll(poll)
    poll.save()
    Tally.objects.bulk_create(
        [Tally(poll=poll, candidate=None, shard=s) for s in range(TALLY_SHARDS)]
    )
    audit_record(actor=actor, action="voting.poll_create", obj=poll, after=snapshot(poll))
    return poll


@transaction.atomic
def poll_update(*, poll: Poll, actor, **changes) -> Poll:
    """Change a poll. Once ballots exist, only the description, closing time (not earlier than
    now) and the results visibility may change: the rules of a running vote stay as announced.
    Once a poll with ballots has closed, its closing time is final too (it cannot be reopened)."""
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    before = snapshot(poll)
    has_ballots = poll.ballots.exists()
    frozen = {"opens_at", "max_choices", "per_day", "captcha"}
    if has_ballots and poll.closes_at <= timezone.now():
        frozen.add("closes_at")
    for key, value in changes.items():
        if key not in POLL_FIELDS:
            raise TypeError(key)
        if has_ballots and key in frozen and getattr(poll, key) != value:
            if key == "closes_at":
                raise ValidationError(
                    {key: _("The poll has closed with ballots cast; it cannot be reopened.")},
                    code="frozen",
                )
            raise ValidationError(
                {key: _("This cannot change once ballots have been cast.")}, code="frozen"
            )
        setattr(poll, key, value)
    if has_ballots and "closes_at" in changes and poll.closes_at < timezone.now():
        raise ValidationError(
            {"closes_at": _("A poll with ballots cannot be closed in the past.")}, code="frozen"
        )
    _check_poll(poll)
    poll.save()
    audit_record(
        actor=actor, action="voting.poll_update", obj=poll, before=before, after=snapshot(poll)
    )
    return poll


@transaction.atomic
def candidate_add(
    *, poll: Poll, name: str, text: str = "", photo=None, ref: str = "", actor
) -> Candidate:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the candidate's name.")})
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.ballots.exists():
        raise ValidationError(
            _("Candidates cannot be added once ballots have been cast."), code="frozen"
        )
    position = (
        poll.candidates.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    candidate = Candidate(poll=poll, name=name, text=text or "", ref=ref or "", position=position)
    if photo:
        candidate.photo = photo
    candidate.save()
    Tally.objects.bulk_create(
        [Tally(poll=poll, candidate=candidate, shard=s) for s in range(TALLY_SHARDS)]
    )
    audit_record(
        actor=actor,
        action="voting.candidate_add",
        obj=candidate,
        after=_candidate_snapshot(candidate),
    )
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, actor, name=None, text=None, photo=None) -> Candidate:
    before = _candidate_snapshot(candidate)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": _("Enter the candidate's name.")})
        candidate.name = name.strip()
    if text is not None:
        candidate.text = text
    if photo:
        candidate.photo = photo
    candidate.save()
    audit_record(
        actor=actor,
        action="voting.candidate_update",
        obj=candidate,
        before=before,
        after=_candidate_snapshot(candidate),
    )
    return candidate


@transaction.atomic
def candidate_remove(*, candidate: Candidate, actor) -> None:
    poll = Poll.objects.select_for_update().get(pk=candidate.poll_id)
    if poll.ballots.exists():
        raise ValidationError(
            _("Candidates cannot be removed once ballots have been cast."), code="frozen"
        )
    before = _candidate_snapshot(candidate)
    audit_record(actor=actor, action="voting.candidate_remove", obj=candidate, before=before)
    candidate.delete()


# --- casting ---------------------------------------------------------------------------------


def network_of(ip: str) -> str:
    """The client's network for burst detection: /24 for IPv4, /48 for IPv6 ('' if unknown)."""
    parts = ip.split(".") if ip else ()
    if len(parts) == 4 and all(p.isdigit() and p.isascii() and len(p) <= 3 for p in parts):
        # Dotted-quad IPv4 (the usual case, without ipaddress's cost): canonical octets only.
        if all(int(p) <= 255 and (p == "0" or p[0] != "0") for p in parts):
            return f"{parts[0]}.{parts[1]}.{parts[2]}.0/24"
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _choice_ids(choices) -> list[int]:
    ids = []
    for c in choices or ():
        try:
            ids.append(int(getattr(c, "pk", c)))
        except (TypeError, ValueError):
            raise ValidationError(
                _("Choose among the poll's candidates."), code="unknown"
            ) from None
        if not 0 < ids[-1] < 2**63:  # (no candidate has such an id; the database could not say)
            raise ValidationError(_("Choose among the poll's candidates."), code="unknown")
    return ids


def _check_ballot(poll: Poll, voter_key: str, ids: list[int], now) -> None:
    if now < poll.opens_at:
        raise ValidationError(_("The poll is not open yet."), code="not_open")
    if now >= poll.closes_at:
        raise ValidationError(_("The poll is closed."), code="closed")
    if not voter_key:
        raise ValidationError(_("Verify your phone before voting."), code="unverified")
    if not ids:
        raise ValidationError(_("Choose at least one candidate."), code="no_choice")
    if len(set(ids)) != len(ids):
        raise ValidationError(_("Each candidate can be chosen once."), code="repeated")
    if len(ids) > poll.max_choices:
        raise ValidationError(
            _("Choose at most %(n)s candidates.") % {"n": poll.max_choices}, code="too_many"
        )


def _duplicate(poll: Poll) -> ValidationError:
    if poll.per_day:
        msg = _("You have already voted in this poll today.")
    else:
        msg = _("You have already voted in this poll.")
    return ValidationError(msg, code="duplicate")


def _foreign() -> ValidationError:
    return ValidationError(_("Choose among the poll's candidates."), code="unknown")


# PostgreSQL: the whole cast in one statement (one round trip, atomic on its own). The ballot is
# inserted only if the poll is open at `now` with the rules the caller checked against (so a stale
# copy of the poll cannot let a ballot through) and every choice is a candidate of the poll; its
# choices and one shard of the live counters follow from the inserted row. A second ballot of the
# voter fails on the unique constraint and the statement leaves nothing behind. (ON CONFLICT DO
# NOTHING, which avoids the error, measured slower on the vote bench: 1,750 against 1,890 ballots/s.)
_CAST_SQL = """
WITH b AS (
    INSERT INTO voting_ballot (poll_id, voter_key, day, cast_at, network, choices_key)
    SELECT %(poll)s::bigint, %(voter)s::text, %(day)s::date, %(now)s::timestamptz,
        %(network)s::text, %(key)s::text
    WHERE EXISTS (
        SELECT 1 FROM voting_poll p WHERE p.id = %(poll)s::bigint
        AND p.opens_at <= %(now)s::timestamptz AND p.closes_at > %(now)s::timestamptz
        AND p.max_choices >= %(n)s::int AND p.per_day = %(per_day)s::boolean
    )
    AND (SELECT count(*) FROM voting_candidate c
         WHERE c.poll_id = %(poll)s::bigint AND c.id = ANY(%(ids)s::bigint[])) = %(n)s::int
    RETURNING id
), s AS (
    -- The shard asked for if it has the ballot's rows, else shard 0, which every poll has (a poll
    -- or candidate made by an older release with fewer shards, during a rolling deploy).
    SELECT CASE WHEN (
        SELECT count(*) FROM voting_tally
        WHERE poll_id = %(poll)s::bigint AND shard = %(shard)s::int
        AND (candidate_id = ANY(%(ids)s::bigint[]) OR candidate_id IS NULL)
    ) = %(n)s::int + 1 THEN %(shard)s::int ELSE 0 END AS shard
), c AS (
    INSERT INTO voting_ballotchoice (ballot_id, candidate_id)
    SELECT b.id, x FROM b, unnest(%(ids)s::bigint[]) AS x
), t AS (
    UPDATE voting_tally SET votes = votes + 1 FROM b, s
    WHERE voting_tally.poll_id = %(poll)s::bigint AND voting_tally.shard = s.shard
    AND (voting_tally.candidate_id = ANY(%(ids)s::bigint[]) OR voting_tally.candidate_id IS NULL)
    RETURNING 1
)
SELECT id, (SELECT count(*) FROM t) FROM b
"""


def _cast_postgresql(poll, voter_key, ids, day, now, network, key, shard, db=None) -> int | None:
    params = {
        "poll": poll.pk,
        "voter": voter_key,
        "day": day,
        "now": now,
        "network": network,
        "key": key,
        # The ids as an array literal (ints only): cheaper to send than a list psycopg must type.
        "ids": "{" + key + "}",
        "n": len(ids),
        "per_day": poll.per_day,
        "shard": shard,
    }
    conn = connection
    if conn.in_atomic_block:  # inside a caller's transaction: a savepoint keeps it usable
        with transaction.atomic():
            with conn.cursor() as cur:
                cur.execute(_CAST_SQL, params)
                row = cur.fetchone()
        return _counted(poll, ids, row)
    if db is not None:  # the caller's own connection (the WSGI fast path's, one per thread)
        return _counted(poll, ids, db.cast(_CAST_SQL, params))
    # A prepared statement with server-side parameters: PostgreSQL parses and plans the statement
    # once per connection instead of once per ballot (half of the database's work per ballot).
    # Django's cursors bind client-side, which cannot prepare; this one cursor binds server-side
    # (and prepares unless GANGWAN_DB_PREPARE=0 turned prepared statements off).
    import psycopg

    conn.ensure_connection()
    with conn.wrap_database_errors, psycopg.Cursor(conn.connection) as cur:
        cur.execute(_CAST_SQL, params, prepare=True)
        row = cur.fetchone()
    return _counted(poll, ids, row)


def _counted(poll, ids, row) -> int | None:
    """The new ballot's id from the cast statement's (id, counter rows updated)."""
    if row is None:
        return None
    ballot_id, touched = row
    if touched != len(ids) + 1:  # not even shard 0 had the rows: should not happen
        logger.error(
            "voting: ballot %s of poll %s stored but counted on %s of %s counter rows; "
            "recount the poll",
            ballot_id,
            poll.pk,
            touched,
            len(ids) + 1,
        )
    return ballot_id


class _ShardRowsMissing(Exception):
    pass


def _cast_orm(poll, voter_key, ids, day, now, network, key, shard, db=None) -> int | None:
    with transaction.atomic():
        if not Poll.objects.filter(
            pk=poll.pk,
            opens_at__lte=now,
            closes_at__gt=now,
            max_choices__gte=len(ids),
            per_day=poll.per_day,
        ).exists():
            return None
        ballot = Ballot.objects.create(
            poll_id=poll.pk,
            voter_key=voter_key,
            day=day,
            cast_at=now,
            network=network,
            choices_key=key,
        )
        BallotChoice.objects.bulk_create(
            [BallotChoice(ballot_id=ballot.pk, candidate_id=i) for i in ids]
        )
        touched = (
            Tally.objects.filter(poll_id=poll.pk, shard=shard)
            .filter(Q(candidate_id__in=ids) | Q(candidate_id__isnull=True))
            .update(votes=F("votes") + 1)
        )
        if touched != len(ids) + 1:
            # Rolled back. A shard without the ballot's rows (a poll of an older release): cast
            # again on shard 0, as the PostgreSQL statement does; on shard 0, a foreign choice.
            raise _ShardRowsMissing if shard else _ForeignCandidate
    return ballot.pk


class Stored(NamedTuple):
    """A ballot just stored: its id, its choices (candidate ids, ascending) and when it was cast."""

    id: int
    choices: list[int]
    cast_at: dt.datetime
    day: dt.date | None
    network: str


def ballot_store(*, poll: Poll, voter_key: str, choices, ip: str = "", now=None, db=None) -> Stored:
    """Cast a verified voter's ballot. Refused when the poll is not open, with no or too many
    choices, a candidate of another poll, or a second ballot of the voter (for the day on a
    once-per-day poll) — the last by the database's unique constraint, so concurrent attempts
    store exactly one. `poll` may be a slightly stale copy: the database checks the window and
    rules again. The ballot is committed unless the caller holds a transaction.

    `db`, on PostgreSQL outside a transaction: an object whose `cast(sql, params)` runs the cast
    statement on a connection of the caller's and returns the new ballot's id or None (the WSGI
    fast path passes its thread's connection); Django's connection otherwise."""
    now = now or timezone.now()
    ids = _choice_ids(choices)
    _check_ballot(poll, voter_key, ids, now)
    ids.sort()
    key = ",".join(map(str, ids))
    network = network_of(ip)
    day = timezone.localdate(now) if poll.per_day else None
    shard = random.randrange(TALLY_SHARDS) if db is None else db.shard
    cast = _cast_postgresql if connection.vendor == "postgresql" else _cast_orm
    try:
        try:
            ballot_id = cast(poll, voter_key, ids, day, now, network, key, shard, db)
        except _ShardRowsMissing:
            ballot_id = cast(poll, voter_key, ids, day, now, network, key, 0, db)
    except (_ForeignCandidate, _ShardRowsMissing):
        raise _foreign() from None
    except IntegrityError as exc:
        if "voting_ballot_once" in str(exc) or "voting_ballot.voter_key" in str(exc):
            raise _duplicate(poll) from None
        raise
    if ballot_id is None:
        # Refused inside the statement: say why from the poll as it is now.
        fresh = Poll.objects.get(pk=poll.pk)
        _check_ballot(fresh, voter_key, ids, now)
        if fresh.per_day != poll.per_day:
            return ballot_store(poll=fresh, voter_key=voter_key, choices=ids, ip=ip, now=now, db=db)
        raise _foreign()
    return Stored(ballot_id, ids, now, day, network)


def ballot_cast(*, poll: Poll, voter_key: str, choices, ip: str = "", now=None) -> Ballot:
    """ballot_store, returning the stored ballot as a model instance."""
    stored = ballot_store(poll=poll, voter_key=voter_key, choices=choices, ip=ip, now=now)
    ballot = Ballot(
        pk=stored.id,
        poll=poll,
        voter_key=voter_key,
        day=stored.day,
        cast_at=stored.cast_at,
        network=stored.network,
        choices_key=",".join(map(str, stored.choices)),
    )
    ballot._state.adding, ballot._state.db = False, connection.alias
    return ballot


class _ForeignCandidate(Exception):
    pass


# --- invalidation, recount, flags -------------------------------------------------------------


def _tally_add(poll_id: int, candidate_ids: list[int], delta: int) -> None:
    Tally.objects.filter(poll_id=poll_id, shard=0).filter(
        Q(candidate_id__in=candidate_ids) | Q(candidate_id__isnull=True)
    ).update(votes=F("votes") + delta)


@transaction.atomic
def ballot_invalidate(
    *, ballot: Ballot, reason: str, actor, flag: Flag | None = None
) -> Invalidation:
    """Set a ballot aside with a reason (audited). Its votes leave the live counts; the public
    results show how many ballots were invalidated."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the invalidation.")})
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if Invalidation.objects.filter(ballot=ballot).exists():
        raise ValidationError(_("This ballot is already invalidated."), code="already")
    inv = Invalidation.objects.create(ballot=ballot, reason=reason[:300], by=actor, flag=flag)
    ids = list(ballot.choices.values_list("candidate_id", flat=True))
    _tally_add(ballot.poll_id, ids, -1)
    audit_record(
        actor=actor,
        action="voting.ballot_invalidate",
        obj=ballot,
        after={"ballot": ballot.pk, "poll": ballot.poll_id, "choices": ids},
        reason=reason,
    )
    return inv


def counts_from_ballots(poll: Poll) -> dict:
    """The tally recomputed from the ballots: {"ballots": n, "votes": {candidate_id: n}}."""
    valid = Ballot.objects.filter(poll=poll, invalidation__isnull=True)
    votes = dict(
        BallotChoice.objects.filter(ballot__poll=poll, ballot__invalidation__isnull=True)
        .values("candidate_id")
        .annotate(n=Count("id"))
        .values_list("candidate_id", "n")
    )
    out = {c: votes.get(c, 0) for c in poll.candidates.values_list("id", flat=True)}
    return {"ballots": valid.count(), "votes": out}


def live_counts(poll: Poll) -> dict:
    """The live counters summed over shards, in the same shape as counts_from_ballots."""
    from django.db.models import Sum

    rows = (
        Tally.objects.filter(poll=poll)
        .values("candidate_id")
        .annotate(n=Sum("votes"))
        .values_list("candidate_id", "n")
    )
    votes, ballots = {}, 0
    for cid, n in rows:
        if cid is None:
            ballots = n or 0
        else:
            votes[cid] = n or 0
    return {"ballots": ballots, "votes": votes}


def poll_recount(*, poll: Poll, actor) -> dict:
    """Recount the poll from its ballots and compare with the live counters; if they differ, the
    counters are rewritten from the ballots. Returns {"agreed", "live", "recount"} (audited).

    The counter rows are locked first, so ballots being cast wait and are added after."""
    with transaction.atomic():
        list(Tally.objects.select_for_update().filter(poll=poll).values_list("id", flat=True))
        live = live_counts(poll)
        recount = counts_from_ballots(poll)
        agreed = live == recount
        if not agreed:
            Tally.objects.filter(poll=poll).update(votes=0)
            Tally.objects.filter(poll=poll, shard=0, candidate__isnull=True).update(
                votes=recount["ballots"]
            )
            for cid, n in recount["votes"].items():
                Tally.objects.filter(poll=poll, shard=0, candidate_id=cid).update(votes=n)
        audit_record(
            actor=actor,
            action="voting.poll_recount",
            obj=poll,
            before={
                "ballots": live["ballots"],
                "votes": {str(k): v for k, v in live["votes"].items()},
            },
            after={
                "ballots": recount["ballots"],
                "votes": {str(k): v for k, v in recount["votes"].items()},
                "agreed": agreed,
            },
        )
    return {"agreed": agreed, "live": live, "recount": recount}


def _bursts(rows, window: dt.timedelta, threshold: int):
    """Maximal runs of timestamps (sorted) where some `window` holds at least `threshold`."""
    times: list[dt.datetime] = []
    burst = None
    lo = 0
    for t in rows:
        times.append(t)
        while times[lo] < t - window:
            lo += 1
        if len(times) - lo >= threshold:
            if burst and times[lo] <= burst[1] + window:
                burst[1] = t
            else:
                if burst:
                    yield burst
                burst = [times[lo], t]
    if burst:
        yield burst


def flags_scan(*, poll: Poll, actor=None) -> int:
    """Look for suspicious bursts and record a flag for each one not recorded yet: at least N
    ballots from one network within M minutes, or at least N' ballots with the same choices
    within M' minutes (rule settings). Returns the number of new flags."""
    region = poll.region
    specs = [
        (
            FlagKind.NETWORK,
            "network",
            dt.timedelta(minutes=int(rule_value("voting.flag_network_minutes", region))),
            int(rule_value("voting.flag_network_ballots", region)),
        ),
        (
            FlagKind.SAME_CHOICES,
            "choices_key",
            dt.timedelta(minutes=int(rule_value("voting.flag_same_choices_minutes", region))),
            int(rule_value("voting.flag_same_choices_ballots", region)),
        ),
    ]
    created = 0
    for kind, field, window, threshold in specs:
        keys = (
            Ballot.objects.filter(poll=poll)
            .exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("id"))
            .filter(n__gte=threshold)
            .values_list(field, flat=True)
        )
        for key in keys:
            stamps = (
                Ballot.objects.filter(poll=poll, **{field: key})
                .order_by("cast_at")
                .values_list("cast_at", flat=True)
                .iterator(chunk_size=5000)
            )
            for start, end in _bursts(stamps, window, threshold):
                count = Ballot.objects.filter(
                    poll=poll, **{field: key}, cast_at__gte=start, cast_at__lte=end
                ).count()
                with transaction.atomic():
                    existing = (
                        Flag.objects.select_for_update()
                        .filter(poll=poll, kind=kind, key=key, start=start)
                        .first()
                    )
                    if existing:
                        if existing.status == FlagStatus.OPEN and (
                            existing.end != end or existing.count != count
                        ):
                            existing.end, existing.count = end, count
                            existing.save(update_fields=["end", "count"])
                        continue
                    flag = Flag.objects.create(
                        poll=poll, kind=kind, key=key, start=start, end=end, count=count
                    )
                    audit_record(
                        actor=actor, action="voting.flag_raise", obj=flag, after=snapshot(flag)
                    )
                    created += 1
    return created


def flag_dismiss(*, flag: Flag, note: str, actor) -> Flag:
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.status != FlagStatus.OPEN:
            raise ValidationError(_("This flag has been reviewed already."), code="reviewed")
        before = snapshot(flag)
        flag.status = FlagStatus.DISMISSED
        flag.note = (note or "").strip()[:300]
        flag.save(update_fields=["status", "note"])
        audit_record(
            actor=actor,
            action="voting.flag_dismiss",
            obj=flag,
            before=before,
            after=snapshot(flag),
            reason=flag.note,
        )
    return flag


def flag_invalidate(*, flag: Flag, reason: str, actor) -> int:
    """Invalidate every still-valid ballot of a flagged burst with one reason; returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the invalidation.")})
    with transaction.atomic():
        flag = Flag.objects.select_for_update().get(pk=flag.pk)
        if flag.status != FlagStatus.OPEN:
            raise ValidationError(_("This flag has been reviewed already."), code="reviewed")
        n = 0
        for ballot in flag.ballots().filter(invalidation__isnull=True).order_by("id"):
            ballot_invalidate(ballot=ballot, reason=reason, actor=actor, flag=flag)
            n += 1
        before = snapshot(flag)
        flag.status = FlagStatus.INVALIDATED
        flag.note = reason[:300]
        flag.save(update_fields=["status", "note"])
        audit_record(
            actor=actor,
            action="voting.flag_invalidate",
            obj=flag,
            before=before,
            after={**snapshot(flag), "invalidated": n},
            reason=reason,
        )
    return n
