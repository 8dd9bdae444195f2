"""Harmony councils and projects: a council deliberates a need or a member's proposal, decides with
its vote counts and creates a project; the project's milestones are evidenced, it is completed, it
appears on the portal, and beneficiaries leave feedback (one per phone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import crypto, events
from gangwan.core.audit import audit_record, snapshot

from .models import (
    Council,
    CouncilMeeting,
    CouncilSeat,
    Decision,
    Deliberation,
    Feedback,
    Milestone,
    Need,
    NeedState,
    Project,
    ProjectStatus,
)
from .services import held_words_in, need_transition

PROJECT_DONE = "project.done"
FEEDBACK_PURPOSE = "cobuild.feedback"


# --- councils ------------------------------------------------------------------------------------
@transaction.atomic
def council_create(*, actor, region, name: str, established_on: dt.date) -> Council:
    """One harmony council per community or village."""
    if region.level not in ("community", "village"):
        raise ValidationError({"region": _("A harmony council belongs to a community or village.")})
    if Council.objects.filter(region=region).exists():
        raise ValidationError({"region": _("This community already has a harmony council.")})
    c = Council.objects.create(region=region, name=name.strip(), established_on=established_on)
    audit_record(actor=actor, action="cobuild.council.create", obj=c, after=snapshot(c))
    return c


@transaction.atomic
def council_seat_add(
    *,
    actor,
    council: Council,
    name: str,
    constituency: str,
    term_starts: dt.date,
    term_ends: dt.date,
    affiliation: str = "",
    unit=None,
) -> CouncilSeat:
    if term_ends <= term_starts:
        raise ValidationError({"term_ends": _("The term must end after it starts.")})
    seat = CouncilSeat.objects.create(
        council=council,
        name=name.strip(),
        constituency=constituency,
        affiliation=affiliation.strip() or (unit.name if unit else ""),
        unit=unit,
        term_starts=term_starts,
        term_ends=term_ends,
    )
    audit_record(actor=actor, action="cobuild.council.seat", obj=seat, after=snapshot(seat))
    return seat


@transaction.atomic
def meeting_record(
    *, actor, council: Council, held_on: dt.date, place: str = "", present=()
) -> CouncilMeeting:
    """Record a council meeting and who was present: only members serving on that day."""
    present = list(present)
    wrong = [s.name for s in present if s.council_id != council.pk or not s.serves_on(held_on)]
    if wrong:
        raise ValidationError(
            {
                "present": _("Not serving on the council on that day: %(names)s")
                % {"names": "、".join(wrong)}
            }
        )
    if not present:
        raise ValidationError({"present": _("Tick the council members present.")})
    m = CouncilMeeting.objects.create(council=council, held_on=held_on, place=place.strip())
    m.present.set(present)
    audit_record(
        actor=actor,
        action="cobuild.meeting.record",
        obj=m,
        after={**snapshot(m), "present": [s.pk for s in present]},
    )
    return m


@transaction.atomic
def deliberation_add(
    *,
    actor,
    meeting: CouncilMeeting,
    title: str,
    proposal: str = "",
    need: Need | None = None,
    proposed_by: CouncilSeat | None = None,
) -> Deliberation:
    """Put a need or a member's proposal on the agenda."""
    if need is None and not proposal.strip():
        raise ValidationError({"proposal": _("Put a need or a proposal on the agenda.")})
    d = Deliberation.objects.create(
        meeting=meeting,
        title=(title or (need.title if need else "")).strip(),
        proposal=proposal.strip() or (need.text if need else ""),
        need=need,
        proposed_by=proposed_by,
    )
    audit_record(actor=actor, action="cobuild.deliberation.add", obj=d, after=snapshot(d))
    return d


@transaction.atomic
def deliberation_decide(
    *,
    actor,
    deliberation: Deliberation,
    record: str,
    decision: str,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    project: dict | None = None,
) -> Deliberation:
    """Record the deliberation, the decision and the vote counts. Refused: more votes than
    members present, an adoption without a majority of those present, a second decision. An
    adopted item with `project` data creates the project."""
    d = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
    if d.decision != Decision.PENDING:
        raise ValidationError(_("This item is already decided."))
    if decision not in (Decision.ADOPTED, Decision.REJECTED, Decision.DEFERRED):
        raise ValidationError({"decision": _("Choose a decision.")})
    present = d.meeting.present.count()
    votes = votes_for + votes_against + abstentions
    if min(votes_for, votes_against, abstentions) < 0:
        raise ValidationError(_("Vote counts cannot be negative."))
    if votes > present:
        raise ValidationError(
            _("%(votes)s votes were counted but only %(present)s council members were present.")
            % {"votes": votes, "present": present}
        )
    if decision == Decision.ADOPTED and votes_for * 2 <= present:
        raise ValidationError(
            _("Adopted needs more than half of the %(present)s members present voting for it.")
            % {"present": present}
        )
    if not record.strip():
        raise ValidationError({"record": _("Write down the deliberation.")})
    before = snapshot(d)
    d.record = record.strip()
    d.decision = decision
    d.votes_for, d.votes_against, d.abstentions = votes_for, votes_against, abstentions
    d.save()
    audit_record(
        actor=actor, action="cobuild.deliberation.decide", obj=d, before=before, after=snapshot(d)
    )
    if decision == Decision.ADOPTED and project:
        needs = list(project.pop("needs", []))
        if d.need_id and d.need not in needs:
            needs.append(d.need)
        project_create(actor=actor, deliberation=d, needs=needs, **project)
    return d


# --- projects ------------------------------------------------------------------------------------
@transaction.atomic
def project_create(
    *,
    actor,
    title: str,
    region,
    organization,
    summary: str = "",
    funder=None,
    budget: Decimal | None = None,
    served_text: str = "",
    starts_on: dt.date | None = None,
    needs=(),
    resources=(),
    deliberation: Deliberation | None = None,
) -> Project:
    """Create a project; its needs move to in_project (matched first where they were open)."""
    if budget is not None and budget < 0:
        raise ValidationError({"budget": _("The budget cannot be negative.")})
    p = Project.objects.create(
        title=title.strip(),
        summary=summary.strip(),
        region=region,
        organization=organization,
        funder=funder,
        budget=budget,
        served_text=served_text.strip(),
        starts_on=starts_on,
        deliberation=deliberation,
        status=ProjectStatus.UNDERWAY if starts_on else ProjectStatus.PLANNED,
        created_at=timezone.now(),
    )
    p.needs.set(needs)
    p.resources.set(resources)
    for need in needs:
        if need.state in (NeedState.OPEN, NeedState.MATCHED):
            need_transition(actor=actor, need=need, to=NeedState.IN_PROJECT)
    audit_record(
        actor=actor,
        action="cobuild.project.create",
        obj=p,
        after={
            **snapshot(p),
            "needs": [n.pk for n in needs],
            "resources": [r.pk for r in resources],
        },
    )
    return p


@transaction.atomic
def milestone_add(*, actor, project: Project, title: str, due_on: dt.date) -> Milestone:
    if project.status in (ProjectStatus.DONE, ProjectStatus.CANCELLED):
        raise ValidationError(_("The project is closed."))
    m = Milestone.objects.create(project=project, title=title.strip(), due_on=due_on)
    audit_record(actor=actor, action="cobuild.milestone.add", obj=m, after=snapshot(m))
    return m


@transaction.atomic
def milestone_done(*, actor, milestone: Milestone, done_on: dt.date, evidence: str) -> Milestone:
    """A milestone is done with its evidence (what was built, seen, signed)."""
    if not evidence.strip():
        raise ValidationError({"evidence": _("Describe the evidence.")})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("This date is in the future.")})
    before = snapshot(milestone)
    milestone.done_on, milestone.evidence = done_on, evidence.strip()
    milestone.save()
    p = milestone.project
    if p.status == ProjectStatus.PLANNED:
        p.status = ProjectStatus.UNDERWAY
        p.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="cobuild.milestone.done",
        obj=milestone,
        before=before,
        after=snapshot(milestone),
    )
    return milestone


@transaction.atomic
def project_complete(
    *, actor, project: Project, completed_on: dt.date, hours: Decimal | None = None
) -> Project:
    """Complete a project: its needs are done, it appears on the portal, and "project.done" is
    published (the owning organization's service brand records it). Refused while milestones are
    open or for a date in the future."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    project.refresh_from_db()
    if project.status in (ProjectStatus.DONE, ProjectStatus.CANCELLED):
        raise ValidationError(_("The project is already closed."))
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": _("This date is in the future.")})
    open_ms = [m.title for m in project.milestones.all() if m.done_on is None]
    if open_ms:
        raise ValidationError(
            _("Milestones not done yet: %(titles)s") % {"titles": "、".join(open_ms)}
        )
    before = snapshot(project)
    project.status, project.completed_on = ProjectStatus.DONE, completed_on
    if hours is not None:
        project.hours = hours
    project.save()
    # Completed today: now. An earlier day: that evening, but never before a need's own last step
    # (else the days from posting to done come out negative).
    now = timezone.now()
    day_end = timezone.make_aware(dt.datetime.combine(completed_on, dt.time(18)))
    for need in project.needs.select_related("region").all():
        steps = [t for t in (need.posted_at, need.matched_at) if t is not None]
        when = now if completed_on == timezone.localdate() else max([day_end, *steps])
        if need.state in (NeedState.OPEN, NeedState.MATCHED):
            need_transition(actor=actor, need=need, to=NeedState.IN_PROJECT, when=when)
        if need.state == NeedState.IN_PROJECT:
            need_transition(actor=actor, need=need, to=NeedState.DONE, when=when)
    audit_record(
        actor=actor,
        action="cobuild.project.done",
        obj=project,
        before=before,
        after=snapshot(project),
    )
    project_done_publish(project)
    return project


def project_done_publish(project: Project) -> None:
    """The cross-app contract (CONTEXT): a finished project counts as a service record."""
    from gangwan.units.models import Unit

    served = list(Unit.objects.filter(kind="community", region=project.region))
    events.publish(
        PROJECT_DONE,
        organization=project.organization,
        done_on=project.completed_on,
        title=project.title,
        summary=project.summary,
        hours=project.hours,
        served_units=served,
        served_text=project.served_text or project.region.name,
        source_ref=f"cobuild.project:{project.pk}",
        url=f"/portal/cobuild/projects/{project.pk}/",
    )


@transaction.atomic
def project_cancel(*, actor, project: Project, reason: str) -> Project:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the project is cancelled.")})
    if project.status in (ProjectStatus.DONE, ProjectStatus.CANCELLED):
        raise ValidationError(_("The project is already closed."))
    before = snapshot(project)
    project.status = ProjectStatus.CANCELLED
    project.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="cobuild.project.cancel",
        obj=project,
        before=before,
        after=snapshot(project),
        reason=reason,
    )
    return project


def feedback_submit(*, project: Project, phone: str, rating: int, comment: str = "") -> Feedback:
    """A beneficiary's feedback on a done project, after the phone was verified by the caller.
    One per person (the keyed hash of the phone, a unique constraint); wording with held words is
    kept but hidden from the portal."""
    if project.status != ProjectStatus.DONE:
        raise ValidationError(_("Feedback opens when the project is done."))
    if not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("Give 1 to 5 stars.")})
    ph = crypto.blind_index(phone)
    if Feedback.objects.filter(
        project=project, phone_hash__in=crypto.blind_indexes(phone)
    ).exists():
        raise ValidationError(_("You have already given feedback on this project."), code="twice")
    try:
        with transaction.atomic():
            fb = Feedback.objects.create(
                project=project,
                phone_hash=ph,
                rating=int(rating),
                comment=comment.strip(),
                is_hidden=bool(held_words_in(comment, project.region)),
            )
            audit_record(actor=None, action="cobuild.feedback", obj=fb, after=snapshot(fb))
    except IntegrityError:
        raise ValidationError(
            _("You have already given feedback on this project."), code="twice"
        ) from None
    return fb
