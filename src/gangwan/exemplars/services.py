"""Writes of the exemplars app: schemes, batches, nominations, and a star assessment from the
self-assessment to the award (R45). Every change is audited; refusals name the rule."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.activities.services import attachment_check
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.errors import enforce
from gangwan.core.models import Role, RoleAssignment
from gangwan.core.rules import rule_value
from gangwan.core.tree import ancestor_paths, subtree_q
from gangwan.regions.models import Region

from . import rules
from .models import (
    AssessmentState,
    BasePhoto,
    BaseStatus,
    Batch,
    Criterion,
    CriterionKind,
    DemonstrationBase,
    Evidence,
    Objection,
    Review,
    Scheme,
    SelfEntry,
    StarAssessment,
)

SCHEME_FIELDS = (
    "bands",
    "five_star_needs_innovation",
    "five_star_share",
    "one_step_up",
    "cycle_months",
    "reviewers_needed",
    "satisfaction_weight",
    "notice_days",
    "notice_working_days",
)


def _points(value, field: str, *, required: bool = False) -> Decimal:
    text = "" if value is None else str(value).strip()
    if required and not text:
        # A reviewer's sheet is complete or not submitted: a blank is not a zero.
        raise ValidationError({field: _("Score every criterion (0 if it earns nothing).")})
    try:
        d = Decimal(text or "0")
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number of points.")}) from None
    if d < 0 or not d.is_finite():
        raise ValidationError({field: _("Points cannot be negative.")})
    return d


# --- schemes --------------------------------------------------------------------------------
def scheme_defaults(region) -> dict:
    return {
        "bands": rule_value("R45.bands", region),
        "five_star_needs_innovation": rule_value("R45.five_star_needs_innovation", region),
        "five_star_share": rule_value("R45.five_star_share", region),
        "one_step_up": rule_value("R45.one_step_up", region),
        "cycle_months": rule_value("R45.cycle_months", region),
        "reviewers_needed": rule_value("R45.reviewers_needed", region),
        "satisfaction_weight": rule_value("R45.satisfaction_weight", region),
        "notice_days": rule_value("R45.notice_days", region),
        "notice_working_days": rule_value("R45.notice_working_days", region),
    }


@transaction.atomic
def scheme_ensure(*, region) -> Scheme:
    """The district's newest scheme version; version 1 is made from the R45 defaults."""
    current = Scheme.objects.filter(region=region).order_by("-version").first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            scheme = Scheme.objects.create(region=region, version=1, **scheme_defaults(region))
    except IntegrityError:  # a concurrent first use made version 1
        return Scheme.objects.filter(region=region).order_by("-version").first()
    Criterion.objects.bulk_create(
        Criterion(scheme=scheme, position=i, title=t, kind=k, max_points=p)
        for i, (t, k, p) in enumerate(rule_value("R45.criteria", region))
    )
    audit_record(actor=None, action="exemplars.scheme_create", obj=scheme, after=snapshot(scheme))
    return scheme


@transaction.atomic
def scheme_new_version(*, actor, region, settings: dict, criteria: list[dict]) -> Scheme:
    """Save the scheme as a new version (earlier versions and their assessments stay as they
    were). Refused without scored criteria, with bands out of order or a share outside 0–100."""
    scored = [c for c in criteria if c["kind"] != CriterionKind.VETO]
    if not scored:
        raise ValidationError(_("A scheme needs at least one scored criterion."))
    for c in scored:
        if not c["max_points"] or c["max_points"] <= 0:
            raise ValidationError(
                _("%(title)s needs a maximum above 0 points.") % {"title": c["title"]}
            )
    bands = sorted(([int(s), float(m)] for s, m in settings["bands"]), key=lambda b: -b[0])
    mins = [m for _s, m in bands]
    if mins != sorted(mins, reverse=True) or len({s for s, _m in bands}) != len(bands):
        raise ValidationError(_("Band minimums must fall as the stars fall."))
    if not 0 <= settings["five_star_share"] <= 100:
        raise ValidationError(_("The five-star share is a percentage between 0 and 100."))
    last = Scheme.objects.select_for_update().filter(region=region).order_by("-version").first()
    try:
        with transaction.atomic():
            scheme = Scheme.objects.create(
                region=region,
                version=(last.version if last else 0) + 1,
                created_by=actor,
                **{**settings, "bands": bands},
            )
    except IntegrityError:  # a concurrent save took this version number
        raise ValidationError(
            _("Another version was saved at the same moment. Reload the page and try again.")
        ) from None
    Criterion.objects.bulk_create(
        Criterion(scheme=scheme, position=i, **c) for i, c in enumerate(criteria)
    )
    audit_record(
        actor=actor,
        action="exemplars.scheme_version",
        obj=scheme,
        before=snapshot(last),
        after={
            **snapshot(scheme),
            "criteria": [[c["title"], c["kind"], str(c["max_points"])] for c in criteria],
        },
    )
    return scheme


# --- batches and bases ---------------------------------------------------------------------------
@transaction.atomic
def batch_create(
    *, actor, region, name: str, year: int, quota: int, description: str = ""
) -> Batch:
    if quota < 1:
        raise ValidationError({"quota": _("A batch names at least one base.")})
    batch = Batch.objects.create(
        region=region, name=name.strip(), year=year, quota=quota, description=description
    )
    audit_record(actor=actor, action="exemplars.batch_create", obj=batch, after=snapshot(batch))
    return batch


@transaction.atomic
def base_nominate(*, actor, batch: Batch, organization, description: str = "") -> DemonstrationBase:
    """Nominate an organization of the batch's district as a candidate; it is assessed, and
    named a base once it holds stars. Refused outside the district or when already nominated."""
    if not organization.region.path.startswith(batch.region.path):
        raise ValidationError({"organization": _("The organization is outside the district.")})
    already = ValidationError({"organization": _("This organization is already nominated.")})
    if DemonstrationBase.objects.filter(organization=organization).exists():
        raise already
    try:
        with transaction.atomic():  # a concurrent nomination may win between check and insert
            base = DemonstrationBase.objects.create(
                batch=batch, organization=organization, description=description
            )
    except IntegrityError:
        raise already from None
    audit_record(actor=actor, action="exemplars.base_nominate", obj=base, after=snapshot(base))
    return base


@transaction.atomic
def base_name(*, actor, base: DemonstrationBase, today=None) -> DemonstrationBase:
    """Name a rated candidate a demonstration base of its batch. Refused without stars or when
    the batch's quota of bases is reached."""
    batch = Batch.objects.select_for_update().get(pk=base.batch_id)
    base = DemonstrationBase.objects.select_for_update().get(pk=base.pk)
    if base.status == BaseStatus.NAMED:
        raise ValidationError(_("This organization is already a demonstration base."))
    if base.stars < 1:
        raise ValidationError(_("Only a candidate awarded stars can be named a base."))
    if batch.bases.filter(status=BaseStatus.NAMED).count() >= batch.quota:
        raise ValidationError(
            _("The batch %(name)s is full: its quota is %(quota)s bases.")
            % {"name": batch.name, "quota": batch.quota}
        )
    before = snapshot(base)
    base.status, base.named_on = BaseStatus.NAMED, today or timezone.localdate()
    base.save(update_fields=["status", "named_on"])
    audit_record(
        actor=actor, action="exemplars.base_name", obj=base, before=before, after=snapshot(base)
    )
    return base


@transaction.atomic
def base_update(*, actor, base: DemonstrationBase, description: str, photos=(), caption="") -> None:
    """Change what the base does; add photos (images only, size-limited)."""
    checked = []
    for upload in photos:
        ctype, ext = attachment_check(upload)
        if not ctype.startswith("image/"):
            raise ValidationError({"photos": _("Photos must be images.")})
        checked.append((upload, ctype, ext))
    before = snapshot(base)
    base.description = description
    base.save(update_fields=["description"])
    for upload, ctype, ext in checked:
        photo = BasePhoto(base=base, caption=caption[:120], content_type=ctype)
        upload.seek(0)
        photo.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(upload.read()), save=False)
        photo.save()
    audit_record(
        actor=actor,
        action="exemplars.base_update",
        obj=base,
        before=before,
        after={**snapshot(base), "photos_added": len(checked)},
    )


# --- assessments ----------------------------------------------------------------------------
def conflicted_users(*, organization):
    """Accounts not independent of the assessed organization (R45): any other role on it, above
    or below it in the organization tree, or on a region that contains it (its admins)."""
    org_chain = [*ancestor_paths(organization.path), organization.path]
    region_path = organization.region.path
    region_chain = [*ancestor_paths(region_path), region_path]
    return (
        RoleAssignment.objects.exclude(role=Role.REVIEWER)
        .filter(
            Q(organization__path__in=org_chain)
            | subtree_q([organization.path], "organization__path")
            | Q(region__path__in=region_chain)
        )
        .values("user_id")
    )


def reviewer_candidates(*, region, organization=None):
    """Accounts holding the reviewer role in the district; with `organization`, only those
    independent of it."""
    from django.contrib.auth import get_user_model

    ids = RoleAssignment.objects.filter(
        role=Role.REVIEWER, region__path__startswith=region.path
    ).values("user_id")
    qs = get_user_model().objects.filter(pk__in=ids, is_active=True)
    if organization is not None:
        qs = qs.exclude(pk__in=conflicted_users(organization=organization))
    return qs.order_by("username")


@transaction.atomic
def assessment_open(*, actor, base: DemonstrationBase, year: int) -> StarAssessment:
    """Open a base's assessment for a year under the district's current scheme version; the
    secretary then fills in the self-assessment. One assessment per base and year."""
    already = ValidationError({"year": _("This base already has an assessment for that year.")})
    if StarAssessment.objects.filter(base=base, year=year).exists():
        raise already
    scheme = scheme_ensure(region=base.batch.region)
    try:
        with transaction.atomic():  # a concurrent opening may win between check and insert
            a = StarAssessment.objects.create(base=base, scheme=scheme, year=year)
    except IntegrityError:
        raise already from None
    SelfEntry.objects.bulk_create(
        SelfEntry(assessment=a, criterion=c)
        for c in scheme.criteria.all()
        if c.kind != CriterionKind.VETO
    )
    audit_record(actor=actor, action="exemplars.assessment_open", obj=a, after=snapshot(a))
    return a


@transaction.atomic
def self_assessment_save(
    *, actor, assessment: StarAssessment, entries: dict, files: dict | None = None, submit=False
) -> None:
    """Save claimed points and statements per criterion and add evidence files (images or PDFs,
    10 MB each); `submit` hands it to the reviewers. Refused once submitted or over a maximum."""
    a = StarAssessment.objects.select_for_update().get(pk=assessment.pk)
    if a.state != AssessmentState.SELF_ASSESSMENT:
        raise ValidationError(_("The self-assessment has been submitted and can no longer change."))
    rows = {str(e.criterion_id): e for e in a.self_entries.select_related("criterion")}
    for key, (points, statement) in entries.items():
        e = rows.get(str(key))
        if e is None:
            continue
        p = _points(points, f"points-{key}")
        if p > e.criterion.max_points:
            raise ValidationError(
                _("%(title)s: at most %(max)s points.")
                % {"title": e.criterion.title, "max": e.criterion.max_points}
            )
        e.points, e.statement = p, (statement or "").strip()
    # Every upload is checked before any file is written: a refused one leaves nothing behind.
    checked = []
    for key, uploads in (files or {}).items():
        e = rows.get(str(key))
        if e is None:
            continue
        for upload in uploads:
            ctype, ext = attachment_check(upload)
            checked.append((e, upload, ctype, ext))
    SelfEntry.objects.bulk_update(rows.values(), ["points", "statement"])
    for e, upload, ctype, ext in checked:
        ev = Evidence(
            entry=e,
            original_name=PurePath(upload.name or "file").name[:200],
            content_type=ctype,
            size=upload.size,
        )
        upload.seek(0)
        ev.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(upload.read()), save=False)
        ev.save()
    added = len(checked)
    before = snapshot(a)
    if submit:
        a.state = AssessmentState.REVIEWING
        a.self_submitted_at = timezone.now()
        a.save(update_fields=["state", "self_submitted_at"])
    audit_record(
        actor=actor,
        action="exemplars.self_assessment_submit" if submit else "exemplars.self_assessment_save",
        obj=a,
        before=before,
        after={
            **snapshot(a),
            "claimed": {k: str(e.points) for k, e in rows.items()},
            "evidence_added": added,
        },
    )


@transaction.atomic
def reviewers_assign(*, actor, assessment: StarAssessment, reviewers) -> None:
    """Give the assessment to reviewers (accounts with the reviewer role, independent of the
    assessed organization: R45); submitted sheets stay."""
    assessment = (
        StarAssessment.objects.select_for_update()
        .select_related("base__batch__region", "base__organization__region")
        .get(pk=assessment.pk)
    )
    region, organization = assessment.base.batch.region, assessment.base.organization
    reviewers_ = set(reviewer_candidates(region=region).values_list("pk", flat=True))
    independent = set(
        reviewer_candidates(region=region, organization=organization).values_list("pk", flat=True)
    )
    for user in reviewers:
        if user.pk not in reviewers_:
            raise ValidationError(_("%(user)s does not hold the reviewer role.") % {"user": user})
        if user.pk not in independent:
            raise ValidationError(
                _(
                    "R45: %(user)s holds a role in or over %(org)s and cannot review it "
                    "independently."
                )
                % {"user": user, "org": organization}
            )
    if assessment.state in (AssessmentState.ON_NOTICE, AssessmentState.AWARDED):
        raise ValidationError(_("Scoring is over for this assessment."))
    keep = {u.pk for u in reviewers}
    assessment.reviews.filter(submitted_at__isnull=True).exclude(reviewer_id__in=keep).delete()
    have = set(assessment.reviews.values_list("reviewer_id", flat=True))
    Review.objects.bulk_create(
        Review(assessment=assessment, reviewer=u) for u in reviewers if u.pk not in have
    )
    audit_record(
        actor=actor,
        action="exemplars.reviewers_assign",
        obj=assessment,
        after={"reviewers": sorted(keep)},
    )


@transaction.atomic
def review_submit(
    *, actor, review: Review, points: dict, vetoes: list, comment: str = ""
) -> Review:
    """A reviewer submits its own sheet once, after the self-assessment; no later change."""
    review = Review.objects.select_for_update().select_related("assessment").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise PermissionDenied
    if review.submitted_at is not None:
        raise ValidationError(_("You have already submitted your scores."))
    a = review.assessment
    if a.state != AssessmentState.REVIEWING:
        raise ValidationError(_("The assessment is not open for scoring."))
    criteria = list(a.scheme.criteria.all())
    clean = {}
    for c in criteria:
        if c.kind == CriterionKind.VETO:
            continue
        p = _points(points.get(str(c.pk), ""), f"points-{c.pk}", required=True)
        if p > c.max_points:
            raise ValidationError(
                _("%(title)s: at most %(max)s points.") % {"title": c.title, "max": c.max_points}
            )
        clean[str(c.pk)] = str(p)
    veto_ids = {c.pk for c in criteria if c.kind == CriterionKind.VETO}
    found = sorted({int(v) for v in vetoes if str(v).isdigit() and int(v) in veto_ids})
    review.points, review.vetoes, review.comment = clean, found, comment.strip()
    review.total = rules.sheet_total(criteria, clean)
    review.submitted_at = timezone.now()
    review.save()
    audit_record(
        actor=actor,
        action="exemplars.review_submit",
        obj=a,
        after={"review": review.pk, "points": clean, "vetoes": found, "total": str(review.total)},
    )
    return review


def satisfaction_of(base: DemonstrationBase):
    """The public's satisfaction with the base (0–100) from evaluations (SPEC §8); that
    capability does not exist yet, so there is no figure and its weight counts as 0."""
    return None


def assessment_result(assessment: StarAssessment) -> dict:
    """Average of the submitted sheets, blended with satisfaction, vetoes, and the band's stars."""
    scheme = assessment.scheme
    criteria = list(scheme.criteria.all())
    sheets = [r for r in assessment.reviews.all() if r.submitted_at]
    avg = sum((r.total for r in sheets), Decimal(0)) / len(sheets) if sheets else Decimal(0)
    innovation_ids = [str(c.pk) for c in criteria if c.kind == CriterionKind.INNOVATION]
    innovation = any(
        sum(Decimal(r.points.get(i, "0")) for r in sheets) / max(len(sheets), 1) > 0
        for i in innovation_ids
    )
    max_total = sum(c.max_points for c in criteria if c.kind != CriterionKind.VETO)
    satisfaction = satisfaction_of(assessment.base)
    score = rules.blend(avg, satisfaction, scheme.satisfaction_weight, max_total)
    vetoed = any(r.vetoes for r in sheets)
    return {
        "average": avg.quantize(rules.TWO),
        "satisfaction": satisfaction,
        "score": score,
        "vetoed": vetoed,
        "innovation": innovation,
        "stars": rules.stars_for(
            score,
            bands=scheme.bands,
            vetoed=vetoed,
            innovation=innovation,
            needs_innovation=scheme.five_star_needs_innovation,
        ),
    }


@transaction.atomic
def notice_start(*, actor, assessment: StarAssessment, start: dt.date | None = None) -> None:
    """Close scoring, propose stars by the band and put the result on public notice. Refused
    while assigned sheets are unsubmitted or fewer than the scheme's reviewers have scored."""
    a = StarAssessment.objects.select_for_update().select_related("scheme").get(pk=assessment.pk)
    if a.state != AssessmentState.REVIEWING:
        raise ValidationError(_("Only an assessment being scored can go on notice."))
    reviews = list(a.reviews.all())
    if any(r.submitted_at is None for r in reviews):
        raise ValidationError(_("Some reviewers have not submitted their scores yet."))
    if len(reviews) < a.scheme.reviewers_needed:
        raise ValidationError(
            _("R45: at least %(n)s reviewers score independently.")
            % {"n": a.scheme.reviewers_needed}
        )
    before = snapshot(a)
    result = assessment_result(a)
    start = start or timezone.localdate()
    a.score, a.vetoed, a.proposed_stars = result["score"], result["vetoed"], result["stars"]
    a.notice_starts_on = start
    a.notice_ends_on = rules.notice_end(start, a.scheme.notice_days, a.scheme.notice_working_days)
    a.state = AssessmentState.ON_NOTICE
    a.save()
    audit_record(
        actor=actor, action="exemplars.notice_start", obj=a, before=before, after=snapshot(a)
    )


@transaction.atomic
def objection_submit(
    *, assessment: StarAssessment, text: str, name: str = "", source_hash="", today=None
) -> Objection:
    """Anyone may object while the result is on notice (the portal limits the rate)."""
    today = today or timezone.localdate()
    if assessment.state != AssessmentState.ON_NOTICE or not (
        assessment.notice_starts_on <= today <= assessment.notice_ends_on
    ):
        raise ValidationError(_("This result is not on public notice."))
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": _("Please describe your objection.")})
    o = Objection.objects.create(
        assessment=assessment,
        text=text[:4000],
        name=(name or "").strip()[:40],
        source_hash=source_hash,
    )
    audit_record(actor=None, action="exemplars.objection_submit", obj=assessment, after=snapshot(o))
    return o


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str, upheld: bool) -> None:
    """Answer an objection once, before the award; an answer is never rewritten."""
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer to the objection.")})
    objection = (
        Objection.objects.select_for_update().select_related("assessment").get(pk=objection.pk)
    )
    if objection.answered_at is not None:
        raise ValidationError(_("This objection has already been answered."))
    if objection.assessment.state == AssessmentState.AWARDED:
        raise ValidationError(_("The stars are awarded: the objections are closed."))
    before = snapshot(objection)
    objection.answer, objection.upheld = answer.strip(), upheld
    objection.answered_at, objection.answered_by = timezone.now(), actor
    objection.save()
    audit_record(
        actor=actor,
        action="exemplars.objection_answer",
        obj=objection.assessment,
        before=before,
        after=snapshot(objection),
    )


def previous_stars(assessment: StarAssessment) -> int | None:
    prev = (
        StarAssessment.objects.filter(
            base=assessment.base, state=AssessmentState.AWARDED, year__lt=assessment.year
        )
        .order_by("-year")
        .values_list("awarded_stars", flat=True)
        .first()
    )
    return prev


@transaction.atomic
def assessment_award(
    *, actor, assessment: StarAssessment, stars: int | None = None, note: str = "", today=None
) -> StarAssessment:
    """Award the stars after the notice. Refused during the notice, while an objection is
    unanswered, above the proposed stars, over the 5★ share (R45) or more than one step up (R45).
    A lower result than the base holds lowers its stars (the yearly review)."""
    a = (
        StarAssessment.objects.select_for_update()
        .select_related("scheme", "base__batch__region")
        .get(pk=assessment.pk)
    )
    today = today or timezone.localdate()
    if a.state != AssessmentState.ON_NOTICE:
        raise ValidationError(_("Only a result that has been on public notice can be awarded."))
    if today <= a.notice_ends_on:
        raise ValidationError(
            _("The public notice runs until %(date)s; award after it ends.")
            % {"date": a.notice_ends_on.isoformat()}
        )
    open_n = a.objections.filter(answered_at__isnull=True).count()
    if open_n:
        raise ValidationError(
            _("%(n)s objection(s) from the public notice await an answer before the award.")
            % {"n": open_n}
        )
    stars = a.proposed_stars if stars is None else int(stars)
    if stars < 0 or stars > (a.proposed_stars or 0):
        raise ValidationError(
            {"stars": _("At most the proposed %(n)s stars.") % {"n": a.proposed_stars}}
        )
    findings = []
    district = a.base.batch.region
    # The district's row serializes awards: two concurrent 5★ awards cannot both pass the cap.
    Region.objects.select_for_update().filter(pk=district.pk).first()
    assessed = StarAssessment.objects.filter(base__batch__region=district, year=a.year).count()
    held = StarAssessment.objects.filter(
        base__batch__region=district, year=a.year, state=AssessmentState.AWARDED, awarded_stars=5
    ).count()
    f = rules.five_star_finding(
        stars=stars, share_percent=a.scheme.five_star_share, assessed=assessed, held=held
    )
    if f:
        findings.append(f)
    if a.scheme.one_step_up:
        f = rules.one_step_finding(stars=stars, previous=previous_stars(a))
        if f:
            findings.append(f)
    enforce(findings, None)
    before = snapshot(a)
    a.awarded_stars, a.awarded_on, a.award_note = stars, today, note.strip()
    a.state = AssessmentState.AWARDED
    a.save()
    base = a.base
    base_before = snapshot(base)
    base.stars, base.rated_on = stars, today
    base.save(update_fields=["stars", "rated_on"])
    audit_record(actor=actor, action="exemplars.award", obj=a, before=before, after=snapshot(a))
    audit_record(
        actor=actor,
        action="exemplars.base_stars",
        obj=base,
        before=base_before,
        after=snapshot(base),
    )
    return a
