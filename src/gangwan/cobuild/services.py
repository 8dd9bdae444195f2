"""Needs, resources and matches (R48: "residents order, the branch dispatches, members take the
order"). Every change is audited; the poster hears of every state change of a need."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.activities.services import sniff
from gangwan.core import crypto
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.notifications import notify, notify_many, send_sms
from gangwan.core.phone_verification import code_check, code_send
from gangwan.core.rules import rule_value
from gangwan.core.validators import validate_phone

from . import matching
from .models import (
    Exchange,
    HolderKind,
    Match,
    MatchHow,
    Moderation,
    Need,
    NeedPhoto,
    NeedState,
    PosterKind,
    Resource,
)

PHONE_PURPOSE = "cobuild.need"
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 5 * 1024 * 1024

# The need's life: open → matched → in_project → done, or closed (with a reason) before done.
TRANSITIONS = {
    NeedState.OPEN: {NeedState.MATCHED, NeedState.IN_PROJECT, NeedState.CLOSED},
    NeedState.MATCHED: {NeedState.IN_PROJECT, NeedState.DONE, NeedState.CLOSED, NeedState.OPEN},
    NeedState.IN_PROJECT: {NeedState.DONE, NeedState.CLOSED},
    NeedState.DONE: set(),
    NeedState.CLOSED: set(),
}


# --- checks on public posts ---------------------------------------------------------------------
def held_words_in(text: str, region=None) -> list[str]:
    low = (text or "").lower()
    return [w for w in rule_value("R48.held_words", region) if w.lower() in low]


def duplicate_of(*, phone: str, text: str, region=None) -> Need | None:
    """A need of the same phone, recent and near-identical in wording, if there is one (R48)."""
    since = timezone.now() - dt.timedelta(days=rule_value("R48.duplicate_days", region))
    limit = rule_value("R48.duplicate_similarity", region)
    grams = matching.bigrams(text)
    for need in Need.objects.filter(
        phone_hash__in=crypto.blind_indexes(phone), posted_at__gte=since
    ).exclude(moderation=Moderation.REJECTED):
        if matching.cosine(grams, matching.bigrams(f"{need.title} {need.text}")) >= limit:
            return need
    return None


def _photos_check(photos) -> list[tuple]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos.") % {"n": MAX_PHOTOS}})
    checked = []
    for upload in photos:
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": _("A photo is larger than %(mb)s MB.") % {"mb": 5}})
        upload.seek(0)
        found = sniff(upload.read(16))
        upload.seek(0)
        if found is None or not found[0].startswith("image/"):
            raise ValidationError({"photos": _("Photos must be JPEG, PNG, GIF or WebP images.")})
        checked.append((upload, found))
    return checked


# --- needs ---------------------------------------------------------------------------------------
def need_post(**kw) -> Need:
    """Post a need (see `_need_post`). Photo files are written last, after the phone code is
    sent, and deleted again if anything refuses or fails: a rolled-back post leaves no files."""
    written: list = []
    try:
        return _need_post(written=written, **kw)
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise


@transaction.atomic
def _need_post(
    *,
    written: list,
    actor,
    title: str,
    text: str,
    category: str,
    region,
    urgency: str,
    poster_kind: str,
    poster_name: str,
    phone: str = "",
    poster_unit=None,
    poster_organization=None,
    photos=(),
    public: bool = False,
) -> Need:
    """Post a need. From the back office it is published at once and the suggested resource
    holders are told. From the portal (`public`) it waits for the poster's phone code and then
    for moderation; refused: a duplicate (same phone, near-identical text, R48) and bad photos."""
    phone = validate_phone(phone) if phone else ""
    if public and not phone:
        raise ValidationError({"phone": _("A mobile phone number is needed.")})
    if poster_kind not in PosterKind.values:
        raise ValidationError({"poster_kind": _("Choose who posts the need.")})
    full_text = f"{title} {text}"
    if phone and duplicate_of(phone=phone, text=full_text, region=region):
        raise ValidationError(
            _(
                "You have already posted this need; it is being handled. Please do not post it "
                "twice."
            ),
            code="duplicate",
        )
    checked = _photos_check(list(photos))
    need = Need.objects.create(
        title=title.strip(),
        text=text.strip(),
        category=category,
        region=region,
        urgency=urgency,
        poster_kind=poster_kind,
        poster_name=poster_name.strip(),
        poster_unit=poster_unit,
        poster_organization=poster_organization,
        poster_user=actor if getattr(actor, "pk", None) else None,
        phone=phone,
        posted_at=timezone.now(),
        moderation=Moderation.UNVERIFIED if public else Moderation.APPROVED,
    )
    if public:
        # Refused (too soon, too many, locked out) before any photo reaches the disk.
        code_send(phone=phone, purpose=PHONE_PURPOSE)
    for upload, (ctype, ext) in checked:
        photo = NeedPhoto(need=need, content_type=ctype, size=upload.size)
        photo.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(upload.read()), save=False)
        written.append((photo.file.storage, photo.file.name))
        photo.save()
    audit_record(actor=actor, action="cobuild.need.post", obj=need, after=snapshot(need))
    if not public:
        _tell_holders(need)
    return need


def need_verify(*, need: Need, code: str) -> Need:
    """The poster proves the phone: the need enters the moderation queue, or is held there for a
    second look when its wording contains held words. Wrong codes count (outside a transaction)."""
    if need.moderation != Moderation.UNVERIFIED:
        raise ValidationError(_("This need is already verified."), code="done")
    code_check(phone=need.phone, purpose=PHONE_PURPOSE, code=code)
    with transaction.atomic():
        words = held_words_in(f"{need.title} {need.text} {need.poster_name}", need.region)
        before = snapshot(need)
        if words:
            need.moderation = Moderation.HELD
            need.moderation_note = _("Held for its wording: %(words)s") % {
                "words": "、".join(words)
            }
        else:
            need.moderation = Moderation.PENDING
        need.save(update_fields=["moderation", "moderation_note"])
        audit_record(
            actor=None, action="cobuild.need.verify", obj=need, before=before, after=snapshot(need)
        )
    return need


def need_code_resend(*, need: Need) -> None:
    if need.moderation != Moderation.UNVERIFIED:
        raise ValidationError(_("This need is already verified."))
    code_send(phone=need.phone, purpose=PHONE_PURPOSE)


@transaction.atomic
def need_moderate(*, actor, need: Need, approve: bool, note: str = "") -> Need:
    """Publish a verified need, or reject it (a note is required then). Publishing tells the
    suggested resource holders; the poster hears the outcome."""
    if need.moderation not in (Moderation.PENDING, Moderation.HELD):
        raise ValidationError(_("Only needs awaiting moderation can be moderated."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the need is rejected.")})
    before = snapshot(need)
    need.moderation = Moderation.APPROVED if approve else Moderation.REJECTED
    need.moderation_note = note.strip()
    need.save(update_fields=["moderation", "moderation_note"])
    audit_record(
        actor=actor,
        action="cobuild.need.publish" if approve else "cobuild.need.reject",
        obj=need,
        before=before,
        after=snapshot(need),
        reason=note,
    )
    if approve:
        _tell_poster(need, _("Your need “%(title)s” is published.") % {"title": need.title})
        _tell_holders(need)
    else:
        _tell_poster(
            need,
            _("Your need “%(title)s” was not published: %(note)s")
            % {"title": need.title, "note": note.strip()},
        )
    return need


def _tell_holders(need: Need) -> int:
    """Notify the holders of the best suggested resources of a newly published need."""
    from .selectors import holder_users, suggestions_for_need

    top = rule_value("R48.notify_top_holders", need.region)
    found = suggestions_for_need(need=need, limit=top)
    ids = [s.candidate.id for s in found["resources"]]
    users_by_resource = holder_users(ids)
    user_ids = set().union(*users_by_resource.values()) if users_by_resource else set()
    from gangwan.core.models import User

    member_user_ids = set(
        User.objects.filter(member__pk__in=[s.candidate.id for s in found["members"]]).values_list(
            "pk", flat=True
        )
    )
    users = User.objects.filter(pk__in=user_ids | member_user_ids, is_active=True)
    return notify_many(
        users=users,
        title=_("A need you could meet: %(title)s") % {"title": need.title},
        body=f"{need.region.name} · {need.get_category_display()}",
        url=f"/cobuild/needs/{need.pk}/",
    )


def _tell_poster(need: Need, text: str) -> None:
    if need.phone:
        transaction.on_commit(lambda: send_sms(need.phone, text))
    if need.poster_user_id:
        notify(user=need.poster_user, title=text[:200], url=f"/cobuild/needs/{need.pk}/")


def need_transition(*, actor, need: Need, to: str, reason: str = "", when=None) -> Need:
    """Move a need along its states; the poster is told. Closing needs a reason."""
    if to not in TRANSITIONS[need.state]:
        raise ValidationError(
            _("A need that is %(state)s cannot become %(to)s.")
            % {"state": need.get_state_display(), "to": NeedState(to).label}
        )
    if to == NeedState.CLOSED and not reason.strip():
        raise ValidationError({"reason": _("Say why the need is closed.")})
    when = when or timezone.now()
    before = snapshot(need)
    need.state = to
    if to == NeedState.MATCHED and need.matched_at is None:
        need.matched_at = when
    if to == NeedState.IN_PROJECT and need.matched_at is None:
        need.matched_at = when
    if to == NeedState.DONE:
        need.done_at = when
    if to == NeedState.CLOSED:
        need.closed_at = when
        need.closed_reason = reason.strip()
    need.save()
    audit_record(
        actor=actor,
        action=f"cobuild.need.{to}",
        obj=need,
        before=before,
        after=snapshot(need),
        reason=reason,
    )
    _tell_poster(
        need,
        _("Your need “%(title)s” is now: %(state)s.")
        % {"title": need.title, "state": need.get_state_display()},
    )
    return need


@transaction.atomic
def need_close(*, actor, need: Need, reason: str) -> Need:
    return need_transition(actor=actor, need=need, to=NeedState.CLOSED, reason=reason)


@transaction.atomic
def need_claim(
    *,
    actor,
    need: Need,
    resource: Resource | None = None,
    member=None,
    how: str = MatchHow.CLAIM,
    note: str = "",
    exchange: Exchange | None = None,
) -> Match:
    """A resource holder claims (认领) a need, or the branch dispatches an on-call member to it.
    Refused: unpublished needs, needs already done or closed, the same resource twice."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.moderation != Moderation.APPROVED:
        raise ValidationError(_("Only published needs can be claimed."))
    if need.state in (NeedState.DONE, NeedState.CLOSED):
        raise ValidationError(_("This need is already done or closed."))
    if (resource is None) == (member is None):
        raise ValidationError(_("Choose one resource or one on-call member."))
    if resource is not None and not resource.is_active:
        raise ValidationError(_("This resource is no longer offered."))
    if resource is not None and need.matches.filter(resource=resource).exists():
        raise ValidationError(_("This resource has already claimed the need."))
    from .selectors import member_candidates, need_subject, resource_candidates

    today = timezone.localdate()
    subject = need_subject(need)
    pool = (
        [c for c in resource_candidates(today=today) if c.id == resource.pk]
        if resource is not None
        else [c for c in member_candidates() if c.id == member.pk]
    )
    scored = matching.score(subject, pool[0], today) if pool else None
    match = Match.objects.create(
        need=need,
        resource=resource,
        member=member,
        how=how,
        score=scored.score if scored else 0,
        reasons=scored.as_dict()["reasons"] if scored else [],
        note=note.strip(),
        exchange=exchange,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="cobuild.match.create", obj=match, after=snapshot(match))
    if need.state == NeedState.OPEN:
        need_transition(actor=actor, need=need, to=NeedState.MATCHED)
    return match


@transaction.atomic
def exchange_record(
    *, actor, title: str, pairs: list[tuple[Need, Resource]], note: str = ""
) -> Exchange:
    """A two-way exchange (the silt site ↔ the visit to the enterprise): each need claimed by the
    other side's resource, the matches linked as one exchange. Needs at least two pairs."""
    if len(pairs) < 2:
        raise ValidationError(_("An exchange links at least two needs and resources."))
    exchange = Exchange.objects.create(title=title.strip(), note=note.strip())
    for need, resource in pairs:
        need_claim(
            actor=actor, need=need, resource=resource, how=MatchHow.EXCHANGE, exchange=exchange
        )
    audit_record(
        actor=actor, action="cobuild.exchange.create", obj=exchange, after=snapshot(exchange)
    )
    return exchange


# --- resources ---------------------------------------------------------------------------------
@transaction.atomic
def resource_offer(
    *,
    actor,
    title: str,
    text: str,
    category: str,
    kind: str,
    region,
    holder_kind: str,
    holder_unit=None,
    holder_organization=None,
    holder_member=None,
    capacity: str = "",
    skills: str = "",
    available_until: dt.date | None = None,
) -> Resource:
    """Offer a resource. Its holder must match the kind of holder (an enterprise, an organization
    or a member); the date it is available until cannot be past."""
    holder = {
        HolderKind.ENTERPRISE: holder_unit,
        HolderKind.ORGANIZATION: holder_organization,
        HolderKind.MEMBER: holder_member,
    }.get(holder_kind)
    if holder is None:
        raise ValidationError(_("Name the enterprise, organization or member who offers it."))
    if available_until and available_until < timezone.localdate():
        raise ValidationError({"available_until": _("This date is already past.")})
    r = Resource.objects.create(
        title=title.strip(),
        text=text.strip(),
        category=category,
        kind=kind,
        region=region,
        holder_kind=holder_kind,
        holder_unit=holder_unit if holder_kind == HolderKind.ENTERPRISE else None,
        holder_organization=holder_organization if holder_kind == HolderKind.ORGANIZATION else None,
        holder_member=holder_member if holder_kind == HolderKind.MEMBER else None,
        capacity=capacity.strip(),
        skills=skills.strip(),
        available_until=available_until,
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(actor=actor, action="cobuild.resource.offer", obj=r, after=snapshot(r))
    return r


@transaction.atomic
def resource_withdraw(*, actor, resource: Resource, reason: str = "") -> Resource:
    before = snapshot(resource)
    resource.is_active = False
    resource.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="cobuild.resource.withdraw",
        obj=resource,
        before=before,
        after=snapshot(resource),
        reason=reason,
    )
    return resource
