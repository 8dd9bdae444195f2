"""Party groups (党小组, R12): set up in a branch when it is large or its members are scattered; the
group leader is appointed. Services and selectors for the groups' own pages."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import events
from gangwan.core.audit import audit_record
from gangwan.members.models import Member
from gangwan.organizations.models import BRANCH_KINDS, OrganizationKind

from .models import PartyGroup


def _snapshot(group: PartyGroup) -> dict:
    return {
        "name": group.name,
        "leader": group.leader_id,
        "members": sorted(group.members.values_list("pk", flat=True)),
        "dissolved_on": group.dissolved_on.isoformat() if group.dissolved_on else None,
    }


def _check(*, organization, leader, members: Sequence[Member]) -> None:
    if (
        organization.kind not in BRANCH_KINDS | {OrganizationKind.GENERAL_BRANCH}
        or not organization.is_active
    ):
        raise ValidationError(
            _("Party groups are set up inside an active branch or general branch.")
        )
    outside = [
        m.name for m in members if m.home_organization_id != organization.pk or m.archived_on
    ]
    if outside:
        raise ValidationError(
            _("Not members of %(org)s: %(names)s.")
            % {"org": organization, "names": "、".join(outside)}
        )
    if leader is not None and leader.pk not in {m.pk for m in members}:
        raise ValidationError(_("The group leader is one of the group's members."))


@transaction.atomic
def party_group_create(
    *, actor, organization, name: str, leader=None, members: Sequence[Member] = ()
) -> PartyGroup:
    """Set up a Party group in a branch. Refused: members of other organizations, a leader outside
    the group, a second active group with the same name."""
    members = list(members)
    _check(organization=organization, leader=leader, members=members)
    name = name.strip()
    if PartyGroup.objects.filter(
        organization=organization, name=name, dissolved_on__isnull=True
    ).exists():
        raise ValidationError({"name": _("This branch already has a group with that name.")})
    group = PartyGroup.objects.create(organization=organization, name=name, leader=leader)
    group.members.set(members)
    audit_record(actor=actor, action="party_group.create", obj=organization, after=_snapshot(group))
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[group.organization_id])
    return group


@transaction.atomic
def party_group_update(
    *, actor, group: PartyGroup, name: str, leader=None, members: Sequence[Member] = ()
) -> PartyGroup:
    if group.dissolved_on:
        raise ValidationError(_("This group has been dissolved."))
    members = list(members)
    _check(organization=group.organization, leader=leader, members=members)
    before = _snapshot(group)
    group.name, group.leader = name.strip(), leader
    group.save(update_fields=["name", "leader"])
    group.members.set(members)
    audit_record(
        actor=actor,
        action="party_group.update",
        obj=group.organization,
        before=before,
        after=_snapshot(group),
    )
    return group


@transaction.atomic
def party_group_dissolve(*, actor, group: PartyGroup) -> PartyGroup:
    if group.dissolved_on:
        raise ValidationError(_("This group has been dissolved."))
    before = _snapshot(group)
    group.dissolved_on = timezone.localdate()
    group.save(update_fields=["dissolved_on"])
    audit_record(
        actor=actor,
        action="party_group.dissolve",
        obj=group.organization,
        before=before,
        after=_snapshot(group),
    )
    events.publish(events.ORGANIZATION_CHANGED, organization_ids=[group.organization_id])
    return group


def party_groups_of(*, organization) -> QuerySet[PartyGroup]:
    return (
        PartyGroup.objects.filter(organization=organization)
        .select_related("leader")
        .annotate(n_members=Count("members", filter=Q(members__archived_on__isnull=True)))
        .order_by("dissolved_on", "name")
    )


def group_member_choices(*, organization) -> QuerySet[Member]:
    return Member.objects.filter(home_organization=organization, archived_on__isnull=True).order_by(
        "name", "pk"
    )
