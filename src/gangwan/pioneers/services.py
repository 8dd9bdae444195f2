"""Every change to a selection, one function each (SPEC §5). Each checks the phase first: a step
out of order is refused with a message naming the phase it needs. Every change is audited.

Scope checks (who may act on which selection or organization) are made here too where a refusal
is part of the rule (nominating for an organization, reviewing out of scope), so the faces cannot
forget them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.activities.models import Activity, ActivityKind
from gangwan.activities.services import sniff
from gangwan.core import phone_verification
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.rules import rule_value
from gangwan.core.scopes import Scope
from gangwan.core.validators import validate_phone
from gangwan.members.models import MemberStatus

from . import permissions, polls
from .models import (
    PHASE_ORDER,
    Nomination,
    NominationPhoto,
    NominationState,
    Objection,
    Phase,
    Pioneer,
    PioneerLearning,
    Review,
    ReviewDecision,
    Selection,
)

OBJECTION_PURPOSE = "pioneers-objection"
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 6


# --- phases ------------------------------------------------------------------------------------
def _require_phase(selection: Selection, *phases: str) -> None:
    if selection.phase not in phases:
        raise ValidationError(
            _(
                "This step is out of order: the selection is in phase “%(phase)s”; it needs “%(needed)s”."
            )
            % {
                "phase": selection.get_phase_display(),
                "needed": " / ".join(str(Phase(p).label) for p in phases),
            },
            code="phase",
        )


def _move(selection: Selection, *, to: str, actor, **fields) -> Selection:
    before = snapshot(selection)
    if PHASE_ORDER.index(to) != PHASE_ORDER.index(selection.phase) + 1:
        raise ValidationError(_("Phases follow one another in order."), code="phase")
    selection.phase = to
    for k, v in fields.items():
        setattr(selection, k, v)
    selection.save()
    audit_record(
        actor=actor,
        action=f"pioneers.selection.{to}",
        obj=selection,
        before=before,
        after=snapshot(selection),
    )
    return selection


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The last day of a period of `days` working days (Monday–Friday) starting on `start`
    (counted when it is a working day)."""
    d, left = start, days
    while True:
        if d.weekday() < 5:
            left -= 1
            if left <= 0:
                return d
        d += dt.timedelta(days=1)


# --- selection ---------------------------------------------------------------------------------
def _weight(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@transaction.atomic
def selection_create(
    *,
    actor,
    scope: Scope,
    title: str,
    region,
    quota: int,
    nominations_close_on: dt.date,
    review_close_on: dt.date,
    vote_opens_at: dt.datetime,
    vote_closes_at: dt.datetime,
    description: str = "",
    vote_weight=None,
    committee_weight=None,
) -> Selection:
    """Create a selection in `draft`. Weights default to CONFIG (pioneers.vote_weight /
    committee_weight) and must be positive and add up to 1: the public vote is one input, never
    the sole basis. Refused outside the actor's region scope."""
    if not permissions.administers_region(scope, region):
        raise PermissionDenied
    vw = _weight(
        vote_weight if vote_weight is not None else rule_value("pioneers.vote_weight", region)
    )
    cw = _weight(
        committee_weight
        if committee_weight is not None
        else rule_value("pioneers.committee_weight", region)
    )
    errors = {}
    if vw <= 0 or cw <= 0 or vw + cw != Decimal("1.00"):
        errors["vote_weight"] = _(
            "The weights of the public vote and of the committee score must both be above 0 and "
            "add up to 1 (a public vote is one input, never the sole basis)."
        )
    if quota < 1:
        errors["quota"] = _("The quota must be at least 1.")
    if not (nominations_close_on <= review_close_on <= timezone.localdate(vote_opens_at)):
        errors["review_close_on"] = _(
            "Dates must follow the phases: nominations close, then the review, then the vote opens."
        )
    if vote_closes_at <= vote_opens_at:
        errors["vote_closes_at"] = _("The vote must close after it opens.")
    if errors:
        raise ValidationError(errors)
    s = Selection.objects.create(
        title=title.strip(),
        description=description,
        region=region,
        quota=quota,
        nominations_close_on=nominations_close_on,
        review_close_on=review_close_on,
        vote_opens_at=vote_opens_at,
        vote_closes_at=vote_closes_at,
        vote_weight=vw,
        committee_weight=cw,
        notice_working_days=int(rule_value("pioneers.notice_working_days", region)),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="pioneers.selection.create", obj=s, after=snapshot(s))
    return s


@transaction.atomic
def selection_open(*, actor, selection: Selection) -> Selection:
    """draft → nominating: organizations may nominate."""
    _require_phase(selection, Phase.DRAFT)
    return _move(selection, to=Phase.NOMINATING, actor=actor)


@transaction.atomic
def selection_start_review(*, actor, selection: Selection) -> Selection:
    """nominating → reviewing. Refused without any nomination."""
    _require_phase(selection, Phase.NOMINATING)
    if not selection.nominations.exists():
        raise ValidationError(_("No organization has nominated anyone yet."), code="empty")
    return _move(selection, to=Phase.REVIEWING, actor=actor)


# --- nomination --------------------------------------------------------------------------------
def _photo_check(upload) -> str:
    name = PurePath(getattr(upload, "name", "") or "photo").name
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": _("%(name)s is larger than 5 MB.") % {"name": name}})
    upload.seek(0)
    found = sniff(upload.read(16))
    upload.seek(0)
    if found is None or not found[0].startswith("image/"):
        raise ValidationError({"photos": _("%(name)s is not a photo.") % {"name": name}})
    return found


def _check_photos(nomination: Nomination | None, photos) -> list:
    """Every check on the uploads, before anything is written: [(upload, (type, ext))]."""
    photos = list(photos or [])
    existing = nomination.photos.count() if nomination is not None else 0
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos.") % {"n": MAX_PHOTOS}})
    return [(p, _photo_check(p)) for p in photos]


class _PhotoFiles:
    """Files written by a service, deleted again when the service fails — including its own
    transaction failing to commit — so a refusal or error never leaves orphan files in storage:

        with _PhotoFiles() as files, transaction.atomic():
            ...every check and database write...
            files.store(nomination, checked)  # last
    """

    def __init__(self):
        self.written: list[NominationPhoto] = []

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            for photo in self.written:
                photo.file.delete(save=False)
        return False

    def store(self, nomination: Nomination, checked: list) -> None:
        for upload, (ctype, ext) in checked:
            photo = NominationPhoto(nomination=nomination, content_type=ctype)
            upload.seek(0)
            photo.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(upload.read()), save=False)
            self.written.append(photo)
            photo.save()


def nomination_submit(
    *,
    actor,
    scope: Scope,
    selection: Selection,
    organization,
    nominee,
    deeds: str,
    opinion: str,
    headline: str = "",
    photos=(),
) -> Nomination:
    """An organization nominates one of its members. Refused: outside the nominating phase; for an
    organization the actor does not administer or outside the selection's region; a nominee who is
    not a full member (probationary or former), or not a member of the organization; a nominee
    already nominated in this selection; without deeds or the organization's opinion. Photos
    are written last, once everything else has passed (and removed again if the save fails)."""
    with _PhotoFiles() as files, transaction.atomic():
        n = _nomination_submit(
            actor=actor,
            selection=selection,
            scope=scope,
            organization=organization,
            nominee=nominee,
            deeds=deeds,
            opinion=opinion,
            headline=headline,
        )
        files.store(n, _check_photos(None, photos))
    return n


def _nomination_submit(
    *, actor, scope, selection, organization, nominee, deeds, opinion, headline
) -> Nomination:
    _require_phase(selection, Phase.NOMINATING)
    if not permissions.may_nominate_for(scope, selection, organization):
        raise PermissionDenied
    if nominee.status != MemberStatus.FULL or nominee.archived_on is not None:
        raise ValidationError(
            {
                "nominee": _("%(name)s is not a full member: only full members may be nominated.")
                % {"name": nominee.name}
            },
            code="not_full",
        )
    paths = {nominee.organization.path, nominee.home_organization.path}
    if not any(p.startswith(organization.path) for p in paths):
        raise ValidationError(
            {
                "nominee": _("%(name)s is not a member of %(org)s.")
                % {"name": nominee.name, "org": organization.name}
            },
            code="not_member",
        )
    if not deeds.strip() or not opinion.strip():
        raise ValidationError(
            _("Describe the nominee's deeds and give the organization's opinion."), code="empty"
        )
    if Nomination.objects.filter(selection=selection, nominee=nominee).exists():
        raise ValidationError(
            {
                "nominee": _("%(name)s is already nominated in this selection.")
                % {"name": nominee.name}
            },
            code="duplicate",
        )
    try:
        with transaction.atomic():
            n = Nomination.objects.create(
                selection=selection,
                organization=organization,
                nominee=nominee,
                headline=headline.strip(),
                deeds=deeds.strip(),
                opinion=opinion.strip(),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "nominee": _("%(name)s is already nominated in this selection.")
                % {"name": nominee.name}
            },
            code="duplicate",
        ) from None
    audit_record(actor=actor, action="pioneers.nomination.submit", obj=n, after=snapshot(n))
    return n


def nomination_photos_add(*, actor, scope: Scope, nomination: Nomination, photos) -> Nomination:
    """Add photos to a nomination while nominations are open (the nominating organization)."""
    _require_phase(nomination.selection, Phase.NOMINATING)
    if not permissions.may_nominate_for(scope, nomination.selection, nomination.organization):
        raise PermissionDenied
    with _PhotoFiles() as files, transaction.atomic():
        checked = _check_photos(nomination, photos)
        audit_record(
            actor=actor,
            action="pioneers.nomination.photos",
            obj=nomination,
            after={"photos": nomination.photos.count() + len(checked)},
        )
        files.store(nomination, checked)
    return nomination


# --- review ------------------------------------------------------------------------------------
@transaction.atomic
def review_submit(
    *, actor, nomination: Nomination, decision: str, score: int, reason: str
) -> Review:
    """A committee reviewer approves or rejects a nomination with a reason and a score (0–100); a
    second review by the same reviewer replaces the first while the review is open. Refused:
    outside the reviewing phase; to a user who is neither a reviewer nor a district administrator
    of a region containing the selection (out of scope)."""
    selection = nomination.selection
    if not permissions.can_review(actor, selection):
        raise PermissionDenied(_("You may not review nominations of this selection."))
    _require_phase(selection, Phase.REVIEWING)
    errors = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = _("Approve or reject.")
    if score is None or not 0 <= int(score) <= 100:
        errors["score"] = _("The score is from 0 to 100.")
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for your decision.")
    if errors:
        raise ValidationError(errors)
    existing = (
        Review.objects.select_for_update().filter(nomination=nomination, reviewer=actor).first()
    )
    before = snapshot(existing)
    review, _created = Review.objects.update_or_create(
        nomination=nomination,
        reviewer=actor,
        defaults={"decision": decision, "score": int(score), "reason": reason.strip()},
    )
    audit_record(
        actor=actor,
        action="pioneers.review.submit",
        obj=review,
        before=before,
        after=snapshot(review),
    )
    return review


@transaction.atomic
def selection_start_vote(*, actor, selection: Selection) -> Selection:
    """reviewing → voting. Concludes the review: a nomination is approved when more reviewers
    approve than reject; its committee score is the mean of its reviewers' scores. Approved
    nominees become the poll's candidates (voting app; voters choose up to the quota). Refused
    while any nomination has no review, or when none is approved."""
    _require_phase(selection, Phase.REVIEWING)
    noms = list(
        selection.nominations.select_related("nominee")
        .annotate(
            n_reviews=Count("reviews"),
            n_approve=Count("reviews", filter=Q(reviews__decision=ReviewDecision.APPROVE)),
            avg_score=Avg("reviews__score"),
        )
        .order_by("id")
    )
    unreviewed = [n.nominee.name for n in noms if n.n_reviews == 0]
    if unreviewed:
        raise ValidationError(
            _("Not reviewed yet: %(names)s.") % {"names": "、".join(unreviewed[:10])},
            code="unreviewed",
        )
    approved = []
    for n in noms:
        ok = n.n_approve * 2 > n.n_reviews
        n.state = NominationState.APPROVED if ok else NominationState.REJECTED
        n.committee_score = Decimal(str(n.avg_score)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        n.decision_note = _("%(yes)d of %(all)d reviewers approved") % {
            "yes": n.n_approve,
            "all": n.n_reviews,
        }
        if ok:
            approved.append(n)
    if not approved:
        raise ValidationError(_("The committee approved no nominee."), code="none_approved")
    Nomination.objects.bulk_update(noms, ["state", "committee_score", "decision_note"])
    poll = polls.poll_for_selection(selection=selection, nominations=approved, actor=actor)
    for n in approved:
        n.candidate_id = poll.candidates[n.pk]
    Nomination.objects.bulk_update(approved, ["candidate_id"])
    return _move(selection, to=Phase.VOTING, actor=actor, poll_id=poll.poll_id)


# --- ranking -----------------------------------------------------------------------------------
@dataclass
class Ranked:
    nomination_id: int
    votes: int
    vote_share: Decimal  # the candidate's votes over the leader's: 0…1
    committee: Decimal  # committee score / 100: 0…1
    combined: Decimal
    rank: int = 0


def ranking_compute(
    *, rows: list[tuple[int, int, Decimal]], vote_weight: Decimal, committee_weight: Decimal
) -> list[Ranked]:
    """Rank (nomination_id, votes, committee_score 0–100) rows by
    vote_weight × votes/max(votes) + committee_weight × score/100. The vote share is normalized by
    the leader's so both inputs span 0…1 whatever the turnout. Ties: committee score, then votes,
    then the earlier nomination."""
    top = max((v for _id, v, _s in rows), default=0)
    q = Decimal("0.0001")
    out = []
    for nid, votes, score in rows:
        share = (Decimal(votes) / Decimal(top)) if top else Decimal(0)
        committee = Decimal(score or 0) / Decimal(100)
        combined = (vote_weight * share + committee_weight * committee).quantize(q, ROUND_HALF_UP)
        out.append(Ranked(nid, votes, share.quantize(q, ROUND_HALF_UP), committee, combined))
    out.sort(key=lambda r: (-r.combined, -r.committee, -r.votes, r.nomination_id))
    for i, r in enumerate(out, start=1):
        r.rank = i
    return out


@transaction.atomic
def selection_rank(*, actor, selection: Selection, now: dt.datetime | None = None) -> Selection:
    """voting → proposed: once the poll has closed, rank the candidates by the weighted
    combination and put the first `quota` on the proposed list. Refused before the vote closes —
    the poll's own closing time counts (the later of it and the selection's). The votes are
    recounted from the ballots first, so the ranking never rests on drifted live counters."""
    _require_phase(selection, Phase.VOTING)
    now = now or timezone.now()
    poll = polls.poll_of(selection)
    closes_at = max(selection.vote_closes_at, poll.closes_at if poll else selection.vote_closes_at)
    if now < closes_at:
        raise ValidationError(
            _("The public vote closes at %(at)s; rank after it has closed.")
            % {"at": timezone.localtime(closes_at).strftime("%Y-%m-%d %H:%M")},
            code="vote_open",
        )
    votes = polls.final_votes(selection=selection, actor=actor)
    candidates = list(selection.nominations.filter(state=NominationState.APPROVED))
    ranked = ranking_compute(
        rows=[(n.pk, votes.get(n.pk, 0), n.committee_score) for n in candidates],
        vote_weight=selection.vote_weight,
        committee_weight=selection.committee_weight,
    )
    by_id = {n.pk: n for n in candidates}
    for r in ranked:
        n = by_id[r.nomination_id]
        n.votes, n.combined_score, n.rank = r.votes, r.combined, r.rank
        n.proposed = r.rank <= selection.quota
    Nomination.objects.bulk_update(candidates, ["votes", "combined_score", "rank", "proposed"])
    return _move(selection, to=Phase.PROPOSED, actor=actor)


# --- notice and objections ---------------------------------------------------------------------
@transaction.atomic
def selection_start_notice(
    *, actor, selection: Selection, starts_on: dt.date | None = None
) -> Selection:
    """proposed → on_notice: the proposed list is published for `notice_working_days` working
    days (CONFIG, 5) starting today."""
    _require_phase(selection, Phase.PROPOSED)
    start = starts_on or timezone.localdate()
    return _move(
        selection,
        to=Phase.ON_NOTICE,
        actor=actor,
        notice_starts_on=start,
        notice_ends_on=add_working_days(start, selection.notice_working_days),
    )


@transaction.atomic
def objection_submit(
    *, selection: Selection, nomination: Nomination, text: str, phone: str, name: str = ""
) -> Objection:
    """Record an objection from the public (unverified until its phone code is checked) and send
    the code. Refused outside the notice period or about someone not on the proposed list."""
    _require_phase(selection, Phase.ON_NOTICE)
    if nomination.selection_id != selection.pk or not nomination.proposed:
        raise ValidationError({"nomination": _("Choose someone on the proposed list.")})
    if not (text or "").strip():
        raise ValidationError({"text": _("Write your objection.")})
    phone = validate_phone(phone)
    obj = Objection.objects.create(
        selection=selection,
        nomination=nomination,
        text=text.strip(),
        name=name.strip(),
        phone=phone,
    )
    phone_verification.code_send(phone=phone, purpose=OBJECTION_PURPOSE)
    audit_record(actor=None, action="pioneers.objection.submit", obj=obj, after=snapshot(obj))
    return obj


def objection_verify(*, objection: Objection, code: str) -> Objection:
    """Check the phone code (outside a transaction, so wrong attempts count) and count the
    objection."""
    phone_verification.code_check(phone=objection.phone, purpose=OBJECTION_PURPOSE, code=code)
    with transaction.atomic():
        objection.verified_at = timezone.now()
        objection.save(update_fields=["verified_at"])
        audit_record(actor=None, action="pioneers.objection.verify", obj=objection)
    return objection


@transaction.atomic
def objection_answer(*, actor, scope: Scope, objection: Objection, answer: str) -> Objection:
    """The selection's administrators answer a verified objection (the answer is kept with it)."""
    if not permissions.manages(scope, objection.selection):
        raise PermissionDenied
    if objection.verified_at is None:
        raise ValidationError(_("This objection was never verified."), code="unverified")
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer.")})
    before = snapshot(objection)
    objection.answer = answer.strip()
    objection.answered_at = timezone.now()
    objection.answered_by = actor
    objection.save(update_fields=["answer", "answered_at", "answered_by"])
    audit_record(
        actor=actor,
        action="pioneers.objection.answer",
        obj=objection,
        before=before,
        after=snapshot(objection),
    )
    return objection


def unanswered_objections(selection: Selection):
    return selection.objections.filter(verified_at__isnull=False, answered_at__isnull=True)


@transaction.atomic
def selection_announce(
    *, actor, selection: Selection, today: dt.date | None = None, withdraw: list[int] | None = None
) -> Selection:
    """on_notice → announced: the proposed nominees become regional service pioneers. Refused
    before the notice has run its working days, and while any verified objection is unanswered.
    `withdraw` names proposed nominations dropped after an upheld objection (audited)."""
    _require_phase(selection, Phase.ON_NOTICE)
    today = today or timezone.localdate()
    if selection.notice_ends_on and today <= selection.notice_ends_on:
        raise ValidationError(
            _("The public notice runs until %(date)s; announce after it ends.")
            % {"date": selection.notice_ends_on.isoformat()},
            code="notice_running",
        )
    open_count = unanswered_objections(selection).count()
    if open_count:
        raise ValidationError(
            _("%(n)d objections are not answered yet; answer every objection before announcing.")
            % {"n": open_count},
            code="unanswered_objection",
        )
    proposed = list(
        selection.nominations.filter(proposed=True).select_related("nominee").order_by("rank")
    )
    dropped = set(withdraw or []) & {n.pk for n in proposed}
    for n in proposed:
        if n.pk in dropped:
            before = snapshot(n)
            n.proposed = False
            n.save(update_fields=["proposed"])
            audit_record(
                actor=actor,
                action="pioneers.nomination.withdraw",
                obj=n,
                before=before,
                after=snapshot(n),
                reason="withdrawn from the proposed list after the notice",
            )
    keep = [n for n in proposed if n.pk not in dropped]
    Pioneer.objects.bulk_create(
        [
            Pioneer(selection=selection, nomination=n, member=n.nominee, rank=i, announced_on=today)
            for i, n in enumerate(keep, start=1)
        ]
    )
    return _move(selection, to=Phase.ANNOUNCED, actor=actor, announced_on=today)


# --- learning from pioneers --------------------------------------------------------------------
@transaction.atomic
def learning_link(*, actor, scope: Scope, pioneer: Pioneer, activity: Activity) -> PioneerLearning:
    """Link a "listen, see, evaluate, speak" activity (kind exemplar_learning) of an organization
    the actor administers to a pioneer."""
    if not permissions.administers_organization(scope, activity.organization):
        raise PermissionDenied
    if activity.kind != ActivityKind.EXEMPLAR_LEARNING:
        raise ValidationError(
            {
                "activity": _(
                    "Only learning-from-exemplars activities (listen, see, evaluate, speak) "
                    "can be linked to a pioneer."
                )
            }
        )
    link, created = PioneerLearning.objects.get_or_create(
        pioneer=pioneer, activity=activity, defaults={"linked_by": actor}
    )
    if not created:
        raise ValidationError({"activity": _("This activity is already linked.")})
    audit_record(actor=actor, action="pioneers.learning.link", obj=link, after=snapshot(link))
    return link


@transaction.atomic
def learning_unlink(*, actor, scope: Scope, link: PioneerLearning) -> None:
    if not permissions.administers_organization(scope, link.activity.organization):
        raise PermissionDenied
    audit_record(actor=actor, action="pioneers.learning.unlink", obj=link, before=snapshot(link))
    link.delete()
