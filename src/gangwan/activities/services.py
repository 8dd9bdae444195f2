"""Recording organizational life: one activity with its attendance grid, decisions and attachments,
in one transaction (SPEC §3). Attendance defaults to present for every expected member and is
edited by exception; quorum and pass thresholds follow R10/R11 against the expected base."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import events
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.scopes import scope_for
from gangwan.floating.rules import has_vote_at
from gangwan.floating.services import floating_home_found
from gangwan.members.models import Member
from gangwan.organizations.models import Organization

from . import rules, selectors
from .models import (
    Activity,
    ActivityAttachment,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    Decision,
    PartyGroup,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# magic bytes → (content type, extension)
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
FIELDS = ("held_on", "starts_at", "place", "topic", "host", "recorder", "minutes")


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, ctype, ext in SIGNATURES:
        if head.startswith(magic):
            return ctype, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def attachment_check(upload) -> tuple[str, str]:
    """Refuse files over the size limit or whose content is not an image or a PDF."""
    name = PurePath(getattr(upload, "name", "") or "file").name
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"attachments": _("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": 10}}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise ValidationError(
            {"attachments": _("%(name)s is neither an image nor a PDF.") % {"name": name}}
        )
    return found


def _attach(activity: Activity, uploads) -> list[ActivityAttachment]:
    checked = [(u, attachment_check(u)) for u in uploads]
    out = []
    for upload, (ctype, ext) in checked:
        att = ActivityAttachment(
            activity=activity,
            original_name=PurePath(upload.name or "file").name[:200],
            content_type=ctype,
            size=upload.size,
        )
        upload.seek(0)
        att.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(upload.read()), save=False)
        att.save()
        out.append(att)
    return out


def _check_status(member_id, status: str, reason: str) -> None:
    if status not in AttendanceStatus.values:
        raise ValidationError({"attendance": _("Unknown attendance status %(s)s.") % {"s": status}})
    if status == AttendanceStatus.ON_LEAVE and not reason.strip():
        raise ValidationError(
            {
                "attendance": _("Give the reason of every member on leave (member %(id)s).")
                % {"id": member_id}
            }
        )


def _decisions(activity: Activity, decisions, c: rules.Counts) -> list[Decision]:
    base = c.expected if activity.kind == ActivityKind.COMMITTEE_MEETING else c.voting_expected
    voters = c.present if activity.kind == ActivityKind.COMMITTEE_MEETING else c.voting_present
    out = []
    for d in decisions:
        motion = (d.get("motion") or "").strip()
        if not motion:
            continue
        yes, no, abstain = (int(d.get(k) or 0) for k in ("yes", "no", "abstain"))
        if min(yes, no, abstain) < 0:
            raise ValidationError({"decisions": _("Vote counts cannot be negative.")})
        if not rules.votes_fit(yes=yes, no=no, abstain=abstain, voting_present=voters):
            raise ValidationError(
                {
                    "decisions": _(
                        "“%(motion)s”: %(n)s votes recorded but only %(v)s voting members are"
                        " present."
                    )
                    % {"motion": motion, "n": yes + no + abstain, "v": voters}
                }
            )
        out.append(
            Decision(
                activity=activity,
                motion=motion[:300],
                yes=yes,
                no=no,
                abstain=abstain,
                passed=rules.motion_passes(yes=yes, voting_expected=base),
            )
        )
    Decision.objects.bulk_create(out)
    return out


def _check_partners(*, actor, organization: Organization, kind: str, partners) -> list:
    """Partners of a joint activity (SPEC §1, 1+N): other active organizations of the same area,
    inside the actor's scope. Refused for every other kind of activity."""
    partners = list(partners or [])
    if not partners:
        return []
    if kind != ActivityKind.JOINT_ACTIVITY:
        raise ValidationError(
            {"partners": _("Partner organizations can only be given for a joint activity.")}
        )
    allowed = set(
        selectors.partner_organizations(
            scope=scope_for(actor), organization=organization
        ).values_list("pk", flat=True)
    )
    for p in partners:
        if p.pk in allowed:
            continue
        if p.pk == organization.pk:
            msg = _("The recording organization cannot be its own partner.")
        elif p.region_id != organization.region_id or not p.is_active:
            msg = _("%(name)s is not an active organization of the same area.")
        else:
            msg = _("%(name)s is outside your scope.")
        raise ValidationError({"partners": msg % {"name": p.name}})
    return partners


def _after_attendance(*, actor, activity: Activity, present_ids: list[int]) -> None:
    """Present members: their last organizational life and, for floating members, a first home."""
    on = activity.held_on
    Member.objects.filter(pk__in=present_ids).exclude(last_life_on__gte=on).update(last_life_on=on)
    for member in Member.objects.filter(pk__in=present_ids, floating__home_found_on__isnull=True):
        floating_home_found(member=member, on=on, what=activity.topic, actor=actor)


@transaction.atomic
def activity_record(
    *,
    actor,
    organization: Organization,
    kind: str,
    held_on: dt.date,
    topic: str,
    starts_at: dt.time | None = None,
    place: str = "",
    host: str = "",
    recorder: str = "",
    minutes: str = "",
    party_group: PartyGroup | None = None,
    attendance: dict | None = None,
    decisions: list | None = None,
    attachments: list | None = None,
    partners: list | None = None,
) -> Activity:
    """Record one activity. `attendance` maps member id → (status, reason) for the exceptions;
    every other expected member is present. Refused: a date in the future, a group meeting
    without a group of this organization, members who are not expected, a missing leave reason,
    decisions with more votes than voting members present, attachments of the wrong type/size,
    partners outside the area or the actor's scope, or partners for another kind than joint."""
    attendance = attendance or {}
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Unknown kind of activity.")})
    partners = _check_partners(actor=actor, organization=organization, kind=kind, partners=partners)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("An activity cannot be recorded before it happens.")})
    if not (topic or "").strip():
        raise ValidationError({"topic": _("Give the topic.")})
    if kind == ActivityKind.GROUP_MEETING:
        if party_group is None or party_group.organization_id != organization.pk:
            raise ValidationError({"party_group": _("Choose a Party group of this organization.")})
    else:
        party_group = None
    expected = selectors.expected_members(
        organization=organization, kind=kind, party_group=party_group
    )
    by_id = {m.pk: m for m in expected}
    unknown = [k for k in attendance if int(k) not in by_id]
    if unknown:
        raise ValidationError(
            {
                "attendance": _("Members %(ids)s are not expected at this activity.")
                % {"ids": ", ".join(map(str, unknown))}
            }
        )
    activity = Activity.objects.create(
        organization=organization,
        party_group=party_group,
        kind=kind,
        held_on=held_on,
        starts_at=starts_at,
        place=place,
        topic=topic.strip(),
        host=host,
        recorder=recorder,
        minutes=minutes,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    rows = []
    exceptions = {int(k): v for k, v in attendance.items()}
    for m in expected:
        status, reason = exceptions.get(m.pk, (AttendanceStatus.PRESENT, ""))
        reason = (reason or "").strip()
        _check_status(m.pk, status, reason)
        rows.append(
            Attendance(
                activity=activity,
                member=m,
                status=status,
                reason=reason[:200] if status != AttendanceStatus.PRESENT else "",
                has_vote=has_vote_at(m, organization),
            )
        )
    Attendance.objects.bulk_create(rows)
    if partners:
        activity.partners.set(partners)
    c = rules.counts((a.status, a.has_vote) for a in rows)
    made = _decisions(activity, decisions or [], c)
    files = _attach(activity, attachments or [])
    audit_record(
        actor=actor,
        action="activity.record",
        obj=activity,
        after={
            **snapshot(activity),
            "partners": sorted(p.pk for p in partners),
            "expected": c.expected,
            "present": c.present,
            "decisions": len(made),
            "attachments": len(files),
        },
    )
    _after_attendance(
        actor=actor,
        activity=activity,
        present_ids=[a.member_id for a in rows if a.status == AttendanceStatus.PRESENT],
    )
    events.publish(events.ACTIVITY_CHANGED, organization_ids=[activity.organization_id])
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    attendance: dict | None = None,
    decisions: list | None = None,
    attachments: list | None = None,
    partners: list | None = None,
    **changes,
) -> Activity:
    """Change the record's fields and attendance exceptions (members not named become present),
    add decisions and attachments, replace the partners of a joint activity (None keeps them).
    The kind, organization and expected base stay as recorded."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    before = {**snapshot(activity), "partners": _partner_ids(activity)}
    if partners is not None:
        partners = _check_partners(
            actor=actor, organization=activity.organization, kind=activity.kind, partners=partners
        )
        activity.partners.set(partners)
    unknown_fields = set(changes) - set(FIELDS)
    if unknown_fields:
        raise ValidationError(_("These fields cannot be changed: %(f)s") % {"f": unknown_fields})
    for k, v in changes.items():
        setattr(activity, k, v.strip() if isinstance(v, str) else v)
    if activity.held_on > timezone.localdate():
        raise ValidationError({"held_on": _("An activity cannot be recorded before it happens.")})
    if not activity.topic:
        raise ValidationError({"topic": _("Give the topic.")})
    activity.save()
    rows = list(activity.attendances.all())
    exceptions = {int(k): v for k, v in (attendance or {}).items()}
    known = {a.member_id for a in rows}
    unknown = [k for k in exceptions if k not in known]
    if unknown:
        raise ValidationError(
            {
                "attendance": _("Members %(ids)s are not expected at this activity.")
                % {"ids": ", ".join(map(str, unknown))}
            }
        )
    for a in rows:
        status, reason = exceptions.get(a.member_id, (AttendanceStatus.PRESENT, ""))
        reason = (reason or "").strip()
        _check_status(a.member_id, status, reason)
        a.status = status
        a.reason = reason[:200] if status != AttendanceStatus.PRESENT else ""
    Attendance.objects.bulk_update(rows, ["status", "reason"])
    c = rules.counts((a.status, a.has_vote) for a in rows)
    existing = list(activity.decisions.all())
    for d in existing:
        voters = c.present if activity.kind == ActivityKind.COMMITTEE_MEETING else c.voting_present
        if not rules.votes_fit(yes=d.yes, no=d.no, abstain=d.abstain, voting_present=voters):
            raise ValidationError(
                {
                    "attendance": _("“%(motion)s” has more votes than voting members present.")
                    % {"motion": d.motion}
                }
            )
    made = _decisions(activity, decisions or [], c)
    files = _attach(activity, attachments or [])
    audit_record(
        actor=actor,
        action="activity.update",
        obj=activity,
        before=before,
        after={
            **snapshot(activity),
            "partners": _partner_ids(activity),
            "decisions_added": len(made),
            "attachments_added": len(files),
        },
    )
    _after_attendance(
        actor=actor,
        activity=activity,
        present_ids=[a.member_id for a in rows if a.status == AttendanceStatus.PRESENT],
    )
    events.publish(events.ACTIVITY_CHANGED, organization_ids=[activity.organization_id])
    return activity


def _partner_ids(activity: Activity) -> list[int]:
    return sorted(activity.partners.values_list("pk", flat=True))


def activity_counts(activity: Activity) -> rules.Counts:
    return rules.counts(activity.attendances.values_list("status", "has_vote"))


def _removal_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is removed: the record keeps the reason.")})
    return reason[:300]


@transaction.atomic
def decision_remove(*, actor, decision: Decision, reason: str) -> None:
    """Remove a decision recorded by mistake (correct it by adding the right one). Refused
    without a reason; the audit entry keeps the motion, its counts and the reason."""
    reason = _removal_reason(reason)
    before = snapshot(decision)
    activity_id = decision.activity_id
    decision.delete()
    audit_record(
        actor=actor,
        action="activity.decision_remove",
        obj=Activity.objects.get(pk=activity_id),
        before=before,
        after={"reason": reason},
    )


@transaction.atomic
def attachment_remove(*, actor, attachment: ActivityAttachment, reason: str) -> None:
    """Remove an attachment (a wrong photo, a file uploaded twice). Refused without a reason; the
    file leaves the storage once the removal has committed."""
    reason = _removal_reason(reason)
    before = {"original_name": attachment.original_name, "size": attachment.size}
    activity = attachment.activity
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    audit_record(
        actor=actor,
        action="activity.attachment_remove",
        obj=activity,
        before=before,
        after={"reason": reason},
    )
    transaction.on_commit(lambda: storage.delete(name))
