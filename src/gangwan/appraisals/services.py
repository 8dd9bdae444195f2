"""Writing appraisals (R17): open a round, record grades (by exception), close the round."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.core.errors import Finding, RuleViolation, enforce
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import Organization

from . import rules
from .models import Appraisal, AppraisalGrade, AppraisalRound


@transaction.atomic
def appraisal_round_open(
    *,
    actor,
    organization: Organization,
    year: int,
    held_on: dt.date,
    activity=None,
) -> AppraisalRound:
    """Open the appraisal of `organization` for `year`. Refused: a dissolved organization, a second
    round for the same year, a meeting date outside the year or the first months of the next, or
    in the future, an activity of another organization or kind."""
    if not organization.is_active:
        raise ValidationError(_("This organization has been dissolved."))
    if not (held_on.year == year or held_on.year == year + 1):
        raise ValidationError(
            {
                "held_on": _(
                    "The appraisal of %(year)s is held in %(year)s or early the next year."
                )
                % {"year": year}
            }
        )
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The date lies in the future.")})
    if activity is not None and (
        activity.organization_id != organization.pk or activity.kind != "appraisal"
    ):
        raise ValidationError({"activity": _("Choose an appraisal meeting of this organization.")})
    if AppraisalRound.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(org)s already has an appraisal for %(year)s.")
                % {"org": organization, "year": year}
            }
        )
    try:
        with transaction.atomic():
            rnd = AppraisalRound.objects.create(
                organization=organization, year=year, held_on=held_on, activity=activity
            )
    except IntegrityError as exc:  # a concurrent opening of the same year
        raise ValidationError(
            {
                "year": _("%(org)s already has an appraisal for %(year)s.")
                % {"org": organization, "year": year}
            }
        ) from exc
    audit_record(actor=actor, action="appraisal.round_open", obj=rnd, after=snapshot(rnd))
    return rnd


def _members_taking_part(organization: Organization):
    return Member.objects.filter(home_organization=organization, archived_on__isnull=True)


def _check_grades(rnd: AppraisalRound, grades: dict) -> tuple[dict, list[Finding]]:
    """Members by id for the ids in `grades`, and the hard findings (R17 and membership)."""
    members = {m.pk: m for m in _members_taking_part(rnd.organization).filter(pk__in=grades)}
    hard: list[Finding] = []
    for member_id, grade in grades.items():
        member = members.get(member_id)
        if member is None:
            hard.append(
                Finding(
                    "scope",
                    "hard",
                    _("Member %(id)s does not take part in the life of %(org)s.")
                    % {"id": member_id, "org": rnd.organization},
                )
            )
        elif grade is not None and grade not in AppraisalGrade.values:
            hard.append(
                Finding(
                    "R17",
                    "hard",
                    _(
                        "R17: “%(grade)s” is not a grade; the grades are excellent, qualified, "
                        "basically qualified and unqualified."
                    )
                    % {"grade": grade},
                )
            )
        elif grade is not None and member.status == MemberStatus.PROBATIONARY:
            hard.append(
                Finding(
                    "R17",
                    "hard",
                    _("R17: %(name)s is a probationary member and takes part without a grade.")
                    % {"name": member.name},
                )
            )
    return members, hard


def _counts(rnd: AppraisalRound) -> tuple[int, int]:
    graded = rnd.appraisals.filter(grade__isnull=False)
    return graded.filter(grade=AppraisalGrade.EXCELLENT).count(), graded.count()


@transaction.atomic
def appraisal_record(
    *,
    actor,
    round: AppraisalRound,  # noqa: A002 - the domain's word
    grades: dict[int, str | None],
    notes: dict[int, str] | None = None,
    reason: str = "",
    close: bool = False,
) -> AppraisalRound:
    """Record grades (member id → grade, or None for not graded / probationary) and, with `close`,
    close the round. Refused (nothing saved): a closed round, a member not taking part in the
    organization's life, a grade outside the four (R17), a grade for a probationary member (R17),
    closing while a full member has no grade. Warned (R17, reason needed): more than a third of the
    graded members excellent; reason and warning go to the audit entry and the round."""
    rnd = AppraisalRound.objects.select_for_update().select_related("organization").get(pk=round.pk)
    if rnd.is_closed:
        raise ValidationError(_("This appraisal has been closed."))
    grades = {int(k): (v or None) for k, v in grades.items()}
    notes = {int(k): (v or "").strip()[:200] for k, v in (notes or {}).items()}
    members, hard = _check_grades(rnd, {**{k: None for k in notes}, **grades})
    if hard:
        raise RuleViolation(hard)
    existing = {a.member_id: a for a in rnd.appraisals.all()}
    before = {str(k): a.grade for k, a in existing.items()}
    new, changed = [], []
    for member_id in set(grades) | set(notes):
        grade = grades.get(member_id, existing[member_id].grade if member_id in existing else None)
        note = notes.get(member_id, existing[member_id].note if member_id in existing else "")
        if member_id in existing:
            a = existing[member_id]
            if (a.grade, a.note) != (grade, note):
                a.grade, a.note = grade, note
                changed.append(a)
        else:
            new.append(Appraisal(round=rnd, member=members[member_id], grade=grade, note=note))
    Appraisal.objects.bulk_create(new)
    Appraisal.objects.bulk_update(changed, ["grade", "note"])
    excellent, graded = _counts(rnd)
    warnings = enforce(rules.r17_excellent_share(excellent=excellent, graded=graded), reason)
    if warnings:
        rnd.excellent_reason = reason.strip()
        rnd.save(update_fields=["excellent_reason"])
    after = {str(a.member_id): a.grade for a in rnd.appraisals.all()}
    audit_record(
        actor=actor,
        action="appraisal.record",
        obj=rnd,
        before={"grades": before},
        after={"grades": after},
        reason=reason if warnings else "",
        warnings=warnings,
    )
    if close:
        _close(actor=actor, rnd=rnd, excellent=excellent, graded=graded)
    return rnd


def _close(*, actor, rnd: AppraisalRound, excellent: int, graded: int) -> None:
    graded_ids = rnd.appraisals.filter(grade__isnull=False).values("member_id")
    missing = list(
        _members_taking_part(rnd.organization)
        .filter(status=MemberStatus.FULL)
        .exclude(pk__in=graded_ids)
        .values_list("name", flat=True)[:11]
    )
    if missing:
        names = "、".join(missing[:10]) + ("…" if len(missing) > 10 else "")
        raise ValidationError(
            _("Grade every full member before closing the appraisal; not graded: %(names)s.")
            % {"names": names}
        )
    before = snapshot(rnd)
    rnd.closed_at = timezone.now()
    rnd.closed_by = actor if getattr(actor, "pk", None) else None
    rnd.save(update_fields=["closed_at", "closed_by"])
    audit_record(
        actor=actor,
        action="appraisal.close",
        obj=rnd,
        before=before,
        after={**snapshot(rnd), "excellent": excellent, "graded": graded},
    )
