"""Changes to the organization tree: establish, update, move, dissolve, offices and terms.

Every function here checks its rules (R1–R8) through `rules.py`, refuses hard violations with a
message naming the rule, asks for a reason where a rule only warns, and writes an audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import events
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.errors import enforce

from . import rules
from .models import Office, Organization, OrganizationKind, OrganizationUnit, Term


def _full_members_of_units(unit_ids: Sequence[int]) -> int:
    from gangwan.members.selectors import full_member_count_of_units

    return full_member_count_of_units(unit_ids)


def _full_members_of(organization: Organization) -> int:
    from gangwan.members.selectors import full_member_count_of_organization

    return full_member_count_of_organization(organization)


def _snapshot(org: Organization) -> dict:
    data = snapshot(org)
    data["units"] = sorted(org.unit_links.values_list("unit_id", flat=True)) if org.pk else []
    return data


def _set_units(org: Organization, units: Sequence, primary_unit) -> None:
    OrganizationUnit.objects.filter(organization=org).delete()
    OrganizationUnit.objects.bulk_create(
        [
            OrganizationUnit(
                organization=org,
                unit=u,
                is_primary=(primary_unit is not None and u.pk == primary_unit.pk),
            )
            for u in units
        ]
    )


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    kind: str,
    region,
    parent: Organization | None = None,
    units: Sequence = (),
    primary_unit=None,
    established_on: dt.date | None = None,
    document_no: str = "",
    reason: str = "",
) -> Organization:
    """Establish an organization under `parent` in `region`, attached to `units`.

    Refused: a place the tree does not allow, a second regional branch in an area (1+N), a
    standalone branch with fewer than 3 full members in its unit (R1). Warned (reason needed):
    a joint branch over 5 units (R3), sizes outside R2/R6.
    """
    units = list(dict.fromkeys(units))
    if primary_unit is None and kind == OrganizationKind.BRANCH and len(units) == 1:
        primary_unit = units[0]
    if primary_unit is not None and primary_unit not in units:
        units.insert(0, primary_unit)
    full = _full_members_of_units([u.pk for u in units]) if units else 0
    findings = [
        *rules.check_placement(kind=kind, parent=parent, region=region),
        *rules.check_regional_branch_unique(kind=kind, region=region),
        *rules.check_r1_standalone_branch(
            kind=kind,
            primary_unit=primary_unit,
            full_members=_full_members_of_units([primary_unit.pk]) if primary_unit else 0,
            region=region,
        ),
        *rules.check_r3_joint_units(kind=kind, unit_count=len(units), region=region),
        *rules.check_r2_r6_size(kind=kind, full_members=full, region=region),
    ]
    warnings = enforce(findings, reason)
    org = Organization(
        name=name.strip(),
        kind=kind,
        region=region,
        established_on=established_on or timezone.localdate(),
        document_no=document_no,
    )
    org.place_under(parent)
    org.full_clean(exclude=["parent"])
    org.save()
    _set_units(org, units, primary_unit)
    audit_record(
        actor=actor,
        action="organization.create",
        obj=org,
        after=_snapshot(org),
        reason=reason,
        warnings=warnings,
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[org.pk])
    return org


@transaction.atomic
def organization_update(
    *,
    actor,
    organization: Organization,
    reason: str = "",
    units: Sequence | None = None,
    primary_unit=None,
    **fields,
) -> Organization:
    """Rename, re-document, change kind or the attached units, with the same rules as establishing."""
    allowed = {"name", "kind", "established_on", "document_no", "region"}
    if set(fields) - allowed:
        raise ValueError(f"organization_update cannot change {set(fields) - allowed}")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    before = _snapshot(org)
    for key, value in fields.items():
        setattr(org, key, value)
    if units is None:
        links = list(org.unit_links.select_related("unit"))
        units = [link.unit for link in links]
        primary_unit = next((link.unit for link in links if link.is_primary), None)
    units = list(dict.fromkeys(units))
    if primary_unit is None and org.kind == OrganizationKind.BRANCH and len(units) == 1:
        primary_unit = units[0]
    if primary_unit is not None and primary_unit not in units:
        units.insert(0, primary_unit)
    kind_changed = org.kind != before["kind"]
    findings = [
        *rules.check_placement(kind=org.kind, parent=org.parent, region=org.region),
        *rules.check_regional_branch_unique(kind=org.kind, region=org.region, exclude_pk=org.pk),
    ]
    # R3 is asked again only when the units or the kind change: a rename of a joint branch that was
    # approved over the limit (with a reason) does not need the reason again.
    if kind_changed or sorted(u.pk for u in units) != before["units"]:
        findings += rules.check_r3_joint_units(
            kind=org.kind, unit_count=len(units), region=org.region
        )
    if kind_changed:
        findings += rules.check_r2_r6_size(
            kind=org.kind, full_members=_full_members_of(org), region=org.region
        )
        if org.kind == OrganizationKind.BRANCH:
            findings += rules.check_r1_standalone_branch(
                kind=org.kind,
                primary_unit=primary_unit,
                full_members=_full_members_of_units([primary_unit.pk]) if primary_unit else 0,
                region=org.region,
            )
    active_children = org.children.filter(dissolved_on__isnull=True).select_related("region")
    if active_children.exists() and org.kind not in rules.PARENT_KINDS:
        findings.append(
            rules.Finding(
                "structure",
                "hard",
                _("This organization has organizations under it; a %(kind)s cannot.")
                % {"kind": org.get_kind_display()},
            )
        )
    if org.region_id != before["region_id"]:
        outside = [c for c in active_children if not c.region.path.startswith(org.region.path)]
        if outside:
            findings.append(
                rules.Finding(
                    "structure",
                    "hard",
                    _("%(child)s lies outside the new area %(region)s; move it first.")
                    % {"child": outside[0], "region": org.region},
                )
            )
    warnings = enforce(findings, reason)
    org.full_clean(exclude=["parent"])
    org.save()
    _set_units(org, units, primary_unit)
    audit_record(
        actor=actor,
        action="organization.update",
        obj=org,
        before=before,
        after=_snapshot(org),
        reason=reason,
        warnings=warnings,
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[org.pk])
    return org


@transaction.atomic
def organization_move(
    *, actor, organization: Organization, new_parent: Organization, reason: str = ""
) -> Organization:
    """Move an organization and its subtree under another parent (one UPDATE of the path range)."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new_parent.refresh_from_db(fields=["path", "depth", "dissolved_on"])
    if not org.is_active:
        raise ValidationError(_("This organization has been dissolved."))
    if new_parent.pk == org.pk or new_parent.is_descendant_of(org):
        raise ValidationError(
            _("An organization cannot be moved under itself or under one of its own organizations.")
        )
    enforce(rules.check_placement(kind=org.kind, parent=new_parent, region=org.region), reason)
    before = _snapshot(org)
    org.move_under(new_parent)
    audit_record(
        actor=actor,
        action="organization.move",
        obj=org,
        before=before,
        after=_snapshot(org),
        reason=reason,
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[org.pk])
    return org


@transaction.atomic
def organization_dissolve(
    *, actor, organization: Organization, dissolved_on: dt.date, reason: str
) -> Organization:
    """Dissolve an organization. Refused while organizations or members remain in it."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not reason.strip():
        raise ValidationError(_("Give the reason for dissolving the organization."))
    if not org.is_active:
        raise ValidationError(_("This organization is already dissolved."))
    if org.established_on and dissolved_on < org.established_on:
        raise ValidationError(
            _("An organization is dissolved after it was established (%(date)s).")
            % {"date": org.established_on.isoformat()}
        )
    children = org.children.filter(dissolved_on__isnull=True).count()
    if children:
        raise ValidationError(
            _("%(count)d organizations are still under this one; move or dissolve them first.")
            % {"count": children}
        )
    from gangwan.members.selectors import member_count_in_organization

    members = member_count_in_organization(org)
    if members:
        raise ValidationError(
            _(
                "%(count)d members still belong to or take part in this organization; transfer them first."
            )
            % {"count": members}
        )
    before = _snapshot(org)
    org.dissolved_on = dissolved_on
    org.dissolution_reason = reason.strip()
    org.save(update_fields=["dissolved_on", "dissolution_reason"])
    Office.objects.filter(organization=org, ended_on__isnull=True).update(ended_on=dissolved_on)
    Term.objects.filter(organization=org, closed_on__isnull=True).update(closed_on=dissolved_on)
    audit_record(
        actor=actor,
        action="organization.dissolve",
        obj=org,
        before=before,
        after=_snapshot(org),
        reason=reason,
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[org.pk])
    return org


def _sitting(org: Organization) -> dict[str, int]:
    rows = (
        Office.objects.filter(organization=org, ended_on__isnull=True)
        .values("role")
        .annotate(n=Count("id"))
    )
    return {r["role"]: r["n"] for r in rows}


@transaction.atomic
def office_assign(
    *, actor, organization: Organization, member, role: str, started_on: dt.date, reason: str = ""
) -> Office:
    """Seat a member in an office. R5 limits the committee; one secretary at a time."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not org.is_active:
        raise ValidationError(_("This organization has been dissolved."))
    if member.archived_on:
        raise ValidationError(_("%(member)s is an archived (former) member.") % {"member": member})
    if not (member.organization.path.startswith(org.path) or member.home_organization_id == org.pk):
        raise ValidationError(
            _("%(member)s is not a member of %(org)s.") % {"member": member, "org": org}
        )
    sitting = _sitting(org)
    if role == "secretary" and sitting.get("secretary"):
        raise ValidationError(
            _("%(org)s already has a sitting secretary; end that office first.") % {"org": org}
        )
    findings = rules.check_r5_office(
        organization=org, role=role, full_members=_full_members_of(org), sitting=sitting
    )
    if role == "secretary":
        findings += rules.check_secretary_standing(member=member, started_on=started_on)
    warnings = enforce(findings, reason)
    office = Office.objects.create(
        organization=org, member=member, role=role, started_on=started_on
    )
    audit_record(
        actor=actor,
        action="office.assign",
        obj=org,
        after=snapshot(office),
        reason=reason,
        warnings=warnings,
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[office.organization_id])
    return office


@transaction.atomic
def office_end(*, actor, office: Office, ended_on: dt.date) -> Office:
    if office.ended_on:
        raise ValidationError(_("This office has already ended."))
    if ended_on < office.started_on:
        raise ValidationError(_("An office ends after it starts."))
    before = snapshot(office)
    office.ended_on = ended_on
    office.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action="office.end",
        obj=office.organization,
        before=before,
        after=snapshot(office),
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[office.organization_id])
    return office


@transaction.atomic
def term_start(
    *,
    actor,
    organization: Organization,
    started_on: dt.date,
    ends_on: dt.date | None = None,
    reason: str = "",
) -> Term:
    """Record a new term after an election; the previous one closes. R4 forbids it for temporary
    branches; R8 fixes the length (3 or 5 years) and allows at most one year's shift with approval."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not org.is_active:
        raise ValidationError(_("This organization has been dissolved."))
    ends_on = ends_on or rules.add_years(started_on, rules.term_years(org))
    findings = [
        *rules.check_r4_temporary(organization=org, function="hold_election"),
        *rules.check_r8_term(organization=org, started_on=started_on, ends_on=ends_on),
    ]
    warnings = enforce(findings, reason)
    Term.objects.filter(organization=org, closed_on__isnull=True).update(closed_on=started_on)
    term = Term.objects.create(organization=org, started_on=started_on, ends_on=ends_on)
    audit_record(
        actor=actor,
        action="term.start",
        obj=org,
        after=snapshot(term),
        reason=reason,
        warnings=warnings,
    )
    return term
