"""Reading the three lists, cut to the caller's scope, and the matching engine's suggestions."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gangwan.core.models import RoleAssignment
from gangwan.core.permissions import administers_organization
from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.members.models import Member
from gangwan.organizations.models import OrganizationUnit
from gangwan.regions.models import Region

from . import matching
from .models import (
    Council,
    CouncilMeeting,
    Match,
    Moderation,
    Need,
    NeedState,
    Project,
    ProjectStatus,
    Resource,
)


# --- scope -------------------------------------------------------------------------------------
def region_q(scope: Scope, field: str = "region__path") -> Q:
    """The regions whose co-building lists the user keeps: the subtrees of its region scopes and,
    as core's Scope.regions has it, exactly the areas where its organizations stand (a secretary
    keeps its own community's lists, not its neighbours' below the same street)."""
    if scope.everything:
        return Q()
    q = subtree_q(scope.region_paths, field)
    if scope.organization_region_paths:
        q |= Q(**{f"{field}__in": sorted(set(scope.organization_region_paths))})
    return q


def manages_region(scope: Scope, region: Region) -> bool:
    return (
        scope.everything
        or any(region.path.startswith(p) for p in scope.region_paths)
        or region.path in scope.organization_region_paths
    )


def areas(scope: Scope) -> QuerySet:
    """Communities and villages (and streets) where the user may post and keep lists."""
    return (
        Region.objects.filter(region_q(scope, "path"))
        .exclude(level="district")
        .select_related("parent")
        .order_by("path")
    )


# --- needs --------------------------------------------------------------------------------------
def need_list(
    *,
    scope: Scope,
    state: str = "",
    category: str = "",
    moderation: str = "",
    region: Region | None = None,
    q: str = "",
) -> QuerySet:
    qs = Need.objects.filter(region_q(scope)).select_related("region", "region__parent")
    if state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if moderation:
        qs = qs.filter(moderation=moderation)
    else:
        qs = qs.exclude(moderation=Moderation.UNVERIFIED)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(text__icontains=q))
    return qs


def need_get(*, scope: Scope, pk: int, published_anywhere: bool = False) -> Need:
    """A need of the user's areas; with `published_anywhere`, also a published need of any area
    (holders elsewhere may read and claim it: it is on the portal anyway)."""
    q = region_q(scope)
    if published_anywhere and not scope.everything:
        q |= Q(moderation=Moderation.APPROVED)
    need = (
        Need.objects.filter(q, pk=pk)
        .select_related("region", "region__parent", "poster_unit", "poster_organization")
        .first()
    )
    if need is None:
        raise Http404
    return need


def needs_public(*, region: Region | None = None) -> QuerySet:
    qs = Need.objects.filter(moderation=Moderation.APPROVED).select_related(
        "region", "region__parent"
    )
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    return qs


def public_areas() -> list[dict]:
    """Areas with published needs, and how many are open, for the portal."""
    rows = (
        Need.objects.filter(moderation=Moderation.APPROVED)
        .values("region_id", "region__name", "region__parent__name")
        .annotate(n=Count("id"), open=Count("id", filter=Q(state=NeedState.OPEN)))
        .order_by("region__path")
    )
    return list(rows)


def need_matches(*, need: Need) -> QuerySet:
    return need.matches.select_related(
        "resource", "member", "exchange", "resource__holder_unit", "resource__holder_organization"
    )


# --- resources ----------------------------------------------------------------------------------
def resource_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    q = region_q(scope)
    if scope.organization_paths:
        q |= subtree_q(scope.organization_paths, "holder_organization__path")
    return q


def resource_list(
    *, scope: Scope, category: str = "", kind: str = "", active: bool | None = True, q: str = ""
) -> QuerySet:
    qs = Resource.objects.filter(resource_q(scope)).select_related(
        "region", "holder_unit", "holder_organization", "holder_member"
    )
    if category:
        qs = qs.filter(category=category)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(text__icontains=q))
    return qs


def resource_get(*, scope: Scope, pk: int) -> Resource:
    r = resource_list(scope=scope, active=None).filter(pk=pk).first()
    if r is None:
        raise Http404
    return r


def manages_resource(scope: Scope, resource: Resource) -> bool:
    return Resource.objects.filter(resource_q(scope), pk=resource.pk).exists()


# --- matching --------------------------------------------------------------------------------
def _successes_by_resource(ids) -> dict[int, int]:
    rows = (
        Match.objects.filter(resource_id__in=ids, need__state=NeedState.DONE)
        .values("resource_id")
        .annotate(n=Count("id"))
    )
    return {r["resource_id"]: r["n"] for r in rows}


def resource_candidates(*, today: dt.date | None = None) -> list[matching.Candidate]:
    """Every active resource of the district as a matching candidate (4 queries)."""
    today = today or timezone.localdate()
    rows = list(
        Resource.objects.filter(is_active=True)
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=today))
        .values(
            "id",
            "title",
            "text",
            "skills",
            "category",
            "region__path",
            "available_until",
            "holder_unit__name",
            "holder_organization__name",
            "holder_member__name",
        )
    )
    wins = _successes_by_resource([r["id"] for r in rows])
    return [
        matching.Candidate.of(
            kind="resource",
            id=r["id"],
            label=f"{r['title']} · "
            + (
                r["holder_unit__name"]
                or r["holder_organization__name"]
                or r["holder_member__name"]
                or ""
            ),
            category=r["category"],
            region_path=r["region__path"],
            text=f"{r['title']} {r['text']}",
            skills=r["skills"],
            available_until=r["available_until"],
            successes=wins.get(r["id"], 0),
        )
        for r in rows
    ]


def member_candidates() -> list[matching.Candidate]:
    """On-call members (members.on_call), placed where their organization stands."""
    rows = list(
        Member.objects.filter(on_call=True, archived_on__isnull=True).values(
            "id", "name", "skills", "community_post", "organization__region__path"
        )
    )
    done = dict(
        Match.objects.filter(member_id__in=[r["id"] for r in rows], need__state=NeedState.DONE)
        .values_list("member_id")
        .annotate(n=Count("id"))
    )
    return [
        matching.Candidate.of(
            kind="member",
            id=r["id"],
            label=r["name"],
            category="",
            region_path=r["organization__region__path"] or "",
            text=r["community_post"] or "",
            skills=(r["skills"] or "").replace("、", " "),
            successes=done.get(r["id"], 0),
        )
        for r in rows
    ]


def need_subject(need: Need) -> matching.Subject:
    return matching.Subject.of(
        category=need.category, region_path=need.region.path, text=f"{need.title} {need.text}"
    )


# Below this score a suggestion is noise (e.g. a near resource of another category): not shown,
# not notified.
MIN_SCORE = 0.3


def suggestions_for_need(
    *, need: Need, limit: int = 8, today: dt.date | None = None
) -> dict[str, list[matching.Scored]]:
    """Ranked resources and on-call members for a need, with their reasons."""
    today = today or timezone.localdate()
    subject = need_subject(need)
    taken = set(need.matches.values_list("resource_id", flat=True))
    resources = [c for c in resource_candidates(today=today) if c.id not in taken]
    found = {
        "resources": matching.CandidateIndex(resources).rank(subject, today=today, limit=limit),
        "members": matching.rank(subject, member_candidates(), today=today, limit=limit),
    }
    return {k: [s for s in v if s.score >= MIN_SCORE] for k, v in found.items()}


def suggestions_for_resource(
    *, resource: Resource, limit: int = 8, today: dt.date | None = None
) -> list[matching.Scored]:
    """The reverse: open, published needs this resource could meet, best first."""
    today = today or timezone.localdate()
    subject = matching.Subject.of(
        category=resource.category,
        region_path=resource.region.path,
        text=f"{resource.title} {resource.text} {resource.skills}",
    )
    rows = Need.objects.filter(state=NeedState.OPEN, moderation=Moderation.APPROVED).values(
        "id", "title", "text", "category", "region__path"
    )
    needs = [
        matching.Candidate.of(
            kind="need",
            id=r["id"],
            label=r["title"],
            category=r["category"],
            region_path=r["region__path"],
            text=f"{r['title']} {r['text']}",
        )
        for r in rows
    ]
    return [
        s for s in matching.rank(subject, needs, today=today, limit=limit) if s.score >= MIN_SCORE
    ]


def holder_users(resource_ids) -> dict[int, set]:
    """The users to tell about a resource: the member holding it, the secretaries of the
    organization holding it, or of the organizations of the enterprise holding it."""
    rows = list(
        Resource.objects.filter(pk__in=resource_ids).values(
            "id", "holder_member__user_id", "holder_organization_id", "holder_unit_id"
        )
    )
    orgs_of_unit: dict[int, set] = {}
    for ou in OrganizationUnit.objects.filter(
        unit_id__in=[r["holder_unit_id"] for r in rows if r["holder_unit_id"]]
    ).values("unit_id", "organization_id"):
        orgs_of_unit.setdefault(ou["unit_id"], set()).add(ou["organization_id"])
    org_ids = {r["holder_organization_id"] for r in rows if r["holder_organization_id"]}
    for s in orgs_of_unit.values():
        org_ids |= s
    secretaries: dict[int, set] = {}
    for ra in RoleAssignment.objects.filter(organization_id__in=org_ids).values(
        "organization_id", "user_id"
    ):
        secretaries.setdefault(ra["organization_id"], set()).add(ra["user_id"])
    out: dict[int, set] = {}
    for r in rows:
        users = set()
        if r["holder_member__user_id"]:
            users.add(r["holder_member__user_id"])
        orgs = {r["holder_organization_id"]} if r["holder_organization_id"] else set()
        orgs |= orgs_of_unit.get(r["holder_unit_id"], set())
        for o in orgs:
            users |= secretaries.get(o, set())
        out[r["id"]] = users
    return out


# --- councils and projects -------------------------------------------------------------------
def council_list(*, scope: Scope) -> QuerySet:
    return (
        Council.objects.filter(region_q(scope))
        .select_related("region", "region__parent")
        .annotate(
            n_seats=Count("seats", distinct=True), n_meetings=Count("meetings", distinct=True)
        )
    )


def council_get(*, scope: Scope, pk: int) -> Council:
    c = Council.objects.filter(region_q(scope), pk=pk).select_related("region").first()
    if c is None:
        raise Http404
    return c


def meeting_get(*, scope: Scope, pk: int) -> CouncilMeeting:
    m = (
        CouncilMeeting.objects.filter(region_q(scope, "council__region__path"), pk=pk)
        .select_related("council", "council__region")
        .first()
    )
    if m is None:
        raise Http404
    return m


def project_q(scope: Scope) -> Q:
    if scope.everything:
        return Q()
    q = region_q(scope)
    if scope.organization_paths:
        q |= subtree_q(scope.organization_paths, "organization__path")
    return q


def project_list(*, scope: Scope, status: str = "", q: str = "") -> QuerySet:
    qs = Project.objects.filter(project_q(scope)).select_related(
        "region", "organization", "organization__region", "funder"
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def project_get(*, scope: Scope, pk: int) -> Project:
    p = project_list(scope=scope).filter(pk=pk).first()
    if p is None:
        raise Http404
    return p


def manages_project(scope: Scope, project: Project) -> bool:
    """Who may add and tick milestones and complete a project: the keepers of its area and the
    administrators of its owning organization (reading it is not enough)."""
    return manages_region(scope, project.region) or administers_organization(
        scope, project.organization
    )


def projects_public() -> QuerySet:
    return (
        Project.objects.filter(status=ProjectStatus.DONE)
        .select_related("region", "organization", "funder")
        .annotate(n_feedback=Count("feedback", filter=Q(feedback__is_hidden=False)))
        .order_by("-completed_on", "-id")
    )


# --- figures -------------------------------------------------------------------------------------
def _median_days(pairs) -> float | None:
    days = [(b - a).total_seconds() / 86400 for a, b in pairs if a and b]
    return round(statistics.median(days), 1) if days else None


def figures(*, scope: Scope) -> dict:
    """The dashboard's co-building figures for the user's scope (a handful of queries)."""
    needs = Need.objects.filter(region_q(scope)).exclude(
        moderation__in=[Moderation.UNVERIFIED, Moderation.REJECTED]
    )
    by_state = dict(needs.values_list("state").annotate(n=Count("id")))
    by_category = dict(needs.values_list("category").annotate(n=Count("id")))
    times = list(needs.values_list("posted_at", "matched_at", "done_at"))
    by_area = list(
        needs.values("region__parent__name")
        .annotate(
            n=Count("id"),
            done=Count("id", filter=Q(state=NeedState.DONE)),
            open=Count("id", filter=Q(state=NeedState.OPEN)),
        )
        .order_by("-n")[:12]
    )
    projects = Project.objects.filter(project_q(scope))
    return {
        "needs": sum(by_state.values()),
        "by_state": by_state,
        "by_category": by_category,
        "median_days_to_match": _median_days((p, m) for p, m, _d in times),
        "median_days_to_done": _median_days((p, d) for p, _m, d in times),
        "resources": Resource.objects.filter(resource_q(scope)).count(),
        "resources_used": Resource.objects.filter(resource_q(scope), matches__isnull=False)
        .distinct()
        .count(),
        "projects_done": projects.filter(status=ProjectStatus.DONE).count(),
        "projects": projects.count(),
        "by_area": by_area,
        "pending_moderation": needs.filter(
            moderation__in=[Moderation.PENDING, Moderation.HELD]
        ).count(),
    }
