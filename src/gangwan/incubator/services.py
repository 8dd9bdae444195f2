"""Changes to incubations: eligibility (automatic, on every member change), proposal, decision and
establishment of the unit's own branch.

Eligibility follows the members: `incubation_recheck` runs for the units named by
`events.MEMBER_CHANGED` (subscribed in IncubatorConfig.ready), so an arrival, a status change to
full, a transfer or an archiving re-checks the units concerned. It is idempotent: at most one open
incubation per unit (a unique constraint backs it). An eligible unit that falls below R1's minimum
before it is proposed lapses: the row is kept with a note and no longer counts as open, so a later
arrival makes the unit eligible afresh. A declined proposal is final; the unit becomes eligible
again automatically only when its full members in the reservoir outnumber those it had when it was
declined (new facts, new proposal), so the secretary is not told the same thing on every change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import events
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.models import Role, RoleAssignment
from gangwan.core.notifications import notify_many
from gangwan.core.permissions import administers_organization
from gangwan.core.scopes import scope_for
from gangwan.core.tree import ancestor_paths
from gangwan.members.models import Member
from gangwan.organizations.models import (
    Office,
    OfficeRole,
    Organization,
    OrganizationKind,
    OrganizationUnit,
)
from gangwan.units.models import Unit

from . import rules, selectors
from .models import OPEN_STATES, Incubation, IncubationState


# --- who is told ------------------------------------------------------------------------------
def _recipients(*organizations: Organization, extra=()) -> list:
    """The sitting secretaries of these organizations (their accounts) and the street
    administrators whose streets hold them."""
    orgs = [o for o in organizations if o is not None]
    users = {}
    for office in Office.objects.filter(
        organization__in=orgs, role=OfficeRole.SECRETARY, ended_on__isnull=True
    ).select_related("member__user"):
        if office.member.user is not None and office.member.user.is_active:
            users[office.member.user.pk] = office.member.user
    paths = {p for o in orgs for p in [*ancestor_paths(o.region.path), o.region.path]}
    for ra in RoleAssignment.objects.filter(
        role=Role.STREET_ADMIN, region__path__in=paths, user__is_active=True
    ).select_related("user"):
        users[ra.user.pk] = ra.user
    for u in extra:
        if u is not None and getattr(u, "pk", None):
            users[u.pk] = u
    return list(users.values())


def _tell(incubation: Incubation, *organizations: Organization, title: str, body: str, extra=()):
    notify_many(
        users=_recipients(*organizations, extra=extra),
        title=title,
        body=body,
        url=reverse("incubator:detail", args=[incubation.pk]),
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


# --- eligibility --------------------------------------------------------------------------------
@transaction.atomic
def incubation_recheck(*, unit_ids: Iterable[int], actor=None) -> list[Incubation]:
    """Re-check units against R1 in their reservoir: open an `eligible` incubation for a unit whose
    full members (status full, not archived) taking part in a regional branch reach the minimum,
    and tell the regional branch's secretary and the street administrators; let an eligible one
    lapse when the unit has fallen below the minimum before it was proposed. Units that already
    have an organization of their own (or are closed) are left alone. Returns the incubations
    opened or lapsed."""
    ids = sorted({int(pk) for pk in unit_ids if pk})
    if not ids:
        return []
    # Lock the units so two concurrent changes cannot open two incubations for one unit.
    units = {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    counts = selectors.reservoir_full_counts(unit_ids=list(units))
    settled = selectors.units_with_own_organization(unit_ids=list(units))
    open_by_unit = {
        inc.unit_id: inc
        for inc in Incubation.objects.filter(
            unit_id__in=list(units), state__in=OPEN_STATES, lapsed_at__isnull=True
        ).select_related("regional_branch__region")
    }
    declined = {}
    for inc in Incubation.objects.filter(
        unit_id__in=list(units), state=IncubationState.DECLINED
    ).order_by("decided_at", "pk"):
        declined[inc.unit_id] = inc  # the latest wins
    branches = {
        o.pk: o
        for o in Organization.objects.filter(
            pk__in={rb for per_unit in counts.values() for rb in per_unit}
        ).select_related("region", "parent")
    }
    minimum_at = {}

    def minimum(org: Organization) -> int:
        if org.region_id not in minimum_at:
            minimum_at[org.region_id] = rules.min_full_members(org.region)
        return minimum_at[org.region_id]

    changed = []
    now = timezone.now()
    for unit_id, unit in units.items():
        per_branch = counts.get(unit_id, {})
        current = open_by_unit.get(unit_id)
        if current is not None:
            if current.state != IncubationState.ELIGIBLE:
                continue  # proposed or approved: the superior committee decides on it
            n = per_branch.get(current.regional_branch_id, 0)
            if n >= minimum(current.regional_branch) and unit_id not in settled:
                continue
            changed.append(_lapse(current, actor=actor, full_members=n, now=now))
        if unit_id in settled or not unit.is_operating or not per_branch:
            continue
        rb_id, n = max(per_branch.items(), key=lambda kv: (kv[1], -kv[0]))
        rb = branches[rb_id]
        if rb.parent is None or n < minimum(rb):
            continue
        last = declined.get(unit_id)
        if last is not None and last.regional_branch_id == rb_id:
            if n <= (last.full_members_at_decision or last.full_members_at_eligibility):
                continue
        changed.append(_open(unit=unit, regional_branch=rb, full_members=n, actor=actor, now=now))
    return changed


def _open(*, unit: Unit, regional_branch: Organization, full_members: int, actor, now):
    inc = Incubation.objects.create(
        unit=unit,
        regional_branch=regional_branch,
        superior_committee=regional_branch.parent,
        state=IncubationState.ELIGIBLE,
        full_members_at_eligibility=full_members,
        eligible_since=now,
    )
    audit_record(actor=actor, action="incubation.eligible", obj=inc, after=snapshot(inc))
    _tell(
        inc,
        regional_branch,
        title=_("%(unit)s can set up its own branch") % {"unit": unit.name},
        body=_(
            "%(count)d full members of %(unit)s take part in %(branch)s (R1). "
            "Propose its own branch to %(committee)s."
        )
        % {
            "count": full_members,
            "unit": unit.name,
            "branch": regional_branch.name,
            "committee": regional_branch.parent.name,
        },
    )
    return inc


def _lapse(inc: Incubation, *, actor, full_members: int, now) -> Incubation:
    before = snapshot(inc)
    inc.lapsed_at = now
    inc.lapse_note = _(
        "Closed before a proposal: %(count)d full members remain in the reservoir (R1 needs %(min)d)."
    ) % {"count": full_members, "min": rules.min_full_members(inc.regional_branch.region)}
    inc.save(update_fields=["lapsed_at", "lapse_note", "updated_at"])
    audit_record(
        actor=actor, action="incubation.lapse", obj=inc, before=before, after=snapshot(inc)
    )
    return inc


def on_member_changed(*, actor=None, members=(), unit_ids=(), **_payload) -> None:
    """events.MEMBER_CHANGED listener: re-check the units the change touched."""
    ids = {pk for pk in (unit_ids or ()) if pk}
    ids |= {m.unit_id for m in (members or ()) if getattr(m, "unit_id", None)}
    if ids:
        incubation_recheck(unit_ids=ids, actor=actor)


# --- proposal, decision, establishment ---------------------------------------------------------
def _locked(incubation: Incubation) -> Incubation:
    return (
        Incubation.objects.select_for_update(of=("self",))
        .select_related(
            "unit", "regional_branch__region", "regional_branch__parent", "superior_committee"
        )
        .get(pk=incubation.pk)
    )


@transaction.atomic
def incubation_propose(*, actor, incubation: Incubation, proposal_text: str) -> Incubation:
    """The regional branch (its secretary, or a structure administrator over it) proposes that an
    eligible unit set up its own branch; the reply is due within R7's month. Refused: a user
    without scope over the regional branch (PermissionDenied), an incubation that is not eligible
    (already proposed, decided, established or lapsed), an empty proposal, and a unit whose full
    members in the reservoir have fallen below R1's minimum."""
    inc = _locked(incubation)
    rb = inc.regional_branch
    _require(
        administers_organization(scope_for(actor), rb),
        _("Only %(branch)s or those above it may propose.") % {"branch": rb.name},
    )
    if inc.state != IncubationState.ELIGIBLE or inc.lapsed_at is not None:
        raise ValidationError(
            _("This incubation is %(state)s; only an eligible unit can be proposed.")
            % {"state": inc.get_state_display()}
        )
    text = (proposal_text or "").strip()
    if not text:
        raise ValidationError({"proposal_text": _("Write the proposal.")})
    full = selectors.incubation_full_members(incubation=inc)
    minimum = rules.min_full_members(rb.region)
    if full < minimum:
        raise ValidationError(
            _("R1: %(unit)s has %(count)d full members in the reservoir; a branch needs %(min)d.")
            % {"unit": inc.unit.name, "count": full, "min": minimum}
        )
    if rb.parent is None:
        raise ValidationError(_("%(branch)s has no superior committee.") % {"branch": rb.name})
    before = snapshot(inc)
    now = timezone.now()
    inc.state = IncubationState.PROPOSED
    inc.superior_committee = rb.parent  # the tree may have moved since eligibility
    inc.proposed_at, inc.proposed_by, inc.proposal_text = now, actor, text
    inc.reply_due_on = rules.reply_due_on(timezone.localdate(now), rb.region)
    inc.save()
    audit_record(
        actor=actor, action="incubation.propose", obj=inc, before=before, after=snapshot(inc)
    )
    _tell(
        inc,
        inc.superior_committee,
        title=_("Proposal: a branch for %(unit)s") % {"unit": inc.unit.name},
        body=_("%(branch)s proposes a branch for %(unit)s. Reply by %(due)s (R7).")
        % {"branch": rb.name, "unit": inc.unit.name, "due": inc.reply_due_on.isoformat()},
    )
    return inc


@transaction.atomic
def incubation_decide(
    *, actor, incubation: Incubation, approve: bool, reason: str = ""
) -> Incubation:
    """The superior committee approves or declines a proposal. Only users with scope over the
    superior committee decide (its secretary or one above it, or a district/street administrator
    whose region covers it): anyone else is refused (PermissionDenied). A decline needs a reason
    and is final for that proposal. Refused: an incubation that is not proposed."""
    inc = _locked(incubation)
    _require(
        administers_organization(scope_for(actor), inc.superior_committee),
        _("Only %(committee)s decides on this proposal.")
        % {"committee": inc.superior_committee.name},
    )
    if inc.state != IncubationState.PROPOSED:
        raise ValidationError(
            _("This incubation is %(state)s; only a proposal awaiting a reply can be decided.")
            % {"state": inc.get_state_display()}
        )
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for declining.")})
    before = snapshot(inc)
    inc.state = IncubationState.APPROVED if approve else IncubationState.DECLINED
    inc.decided_at, inc.decided_by, inc.decision_reason = timezone.now(), actor, reason
    inc.full_members_at_decision = selectors.incubation_full_members(incubation=inc)
    inc.save()
    audit_record(
        actor=actor,
        action="incubation.approve" if approve else "incubation.decline",
        obj=inc,
        before=before,
        after=snapshot(inc),
        reason=reason,
    )
    _tell(
        inc,
        inc.regional_branch,
        title=(
            _("Approved: a branch for %(unit)s")
            if approve
            else _("Declined: a branch for %(unit)s")
        )
        % {"unit": inc.unit.name},
        body=reason,
        extra=[inc.proposed_by],
    )
    return inc


@transaction.atomic
def incubation_establish(
    *,
    actor,
    incubation: Incubation,
    name: str = "",
    established_on: dt.date | None = None,
    document_no: str = "",
    reason: str = "",
) -> Incubation:
    """Set up the approved unit's own branch, in one transaction: the branch is established through
    organizations.services.organization_create (kind branch, under the superior committee, in the
    regional branch's area, the unit as its primary unit; R1 is checked there), the unit leaves
    the regional branch's units, the unit's members in the reservoir take part in the new branch
    (home) and those whose relationship the regional branch held move it there too; every moved
    member gets an audit entry, and so does the incubation. The branch stands in the same area, so
    it is one of the area's N. Refused: a user without scope over the superior committee
    (PermissionDenied), an incubation that is not approved, and whatever organization_create
    refuses (R1, placement; R2 warns and needs a reason)."""
    from gangwan.organizations.services import organization_create

    inc = _locked(incubation)
    _require(
        administers_organization(scope_for(actor), inc.superior_committee),
        _("Only %(committee)s establishes this branch.")
        % {"committee": inc.superior_committee.name},
    )
    if inc.state != IncubationState.APPROVED:
        raise ValidationError(
            _("This incubation is %(state)s; only an approved one can be established.")
            % {"state": inc.get_state_display()}
        )
    rb, unit = inc.regional_branch, inc.unit
    before = snapshot(inc)
    branch = organization_create(
        actor=actor,
        # Organization names are data, always written in Chinese.
        name=(name or "").strip() or f"{unit.name}党支部",
        kind=OrganizationKind.BRANCH,
        region=rb.region,
        parent=inc.superior_committee,
        units=[unit],
        primary_unit=unit,
        established_on=established_on,
        document_no=document_no,
        reason=reason,
    )
    moved = _move_members(actor=actor, incubation=inc, branch=branch)
    OrganizationUnit.objects.filter(organization=rb, unit=unit, is_primary=False).delete()
    inc.state = IncubationState.ESTABLISHED
    inc.established_at, inc.established_by = timezone.now(), actor
    inc.established_organization = branch
    inc.save()
    after = snapshot(inc)
    after["moved_members"] = [m.pk for m in moved]
    audit_record(
        actor=actor,
        action="incubation.establish",
        obj=inc,
        before=before,
        after=after,
        reason=reason,
    )
    _tell(
        inc,
        rb,
        branch,
        title=_("%(branch)s has been established") % {"branch": branch.name},
        body=_("%(count)d members of %(unit)s now take part in their own branch.")
        % {"count": len(moved), "unit": unit.name},
    )
    events.publish(events.MEMBER_CHANGED, actor=actor, members=moved, unit_ids={unit.pk})
    return inc


def _move_members(*, actor, incubation: Incubation, branch: Organization) -> list[Member]:
    rb = incubation.regional_branch
    members = list(
        Member.objects.select_for_update()
        .filter(unit=incubation.unit, home_organization=rb, archived_on__isnull=True)
        .order_by("pk")
    )
    for m in members:
        before = snapshot(m)
        m.home_organization = branch
        fields = ["home_organization"]
        if m.organization_id == rb.pk:
            m.organization = branch
            fields.append("organization")
        m.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="incubation.member_move",
            obj=m,
            before=before,
            after=snapshot(m),
            reason=_("Incubated: %(unit)s set up %(branch)s.")
            % {"unit": incubation.unit.name, "branch": branch.name},
        )
    return members
