"""Reading selections, nominations, reviews, results and pioneers, cut to the reader.

Back office: a selection is read by users whose scope touches its region and by its reviewers
(404 otherwise). Inside it, nominations are cut: the selection's administrators and reviewers see
all; a secretary sees those of its own organizations. The public sees what is published: the
approved candidates during and after the vote, the proposed list on notice, announced pioneers."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.regions.models import Region

from . import permissions
from .models import (
    Nomination,
    NominationPhoto,
    NominationState,
    Objection,
    Phase,
    Pioneer,
    PioneerLearning,
    Review,
    Selection,
)

PUBLIC_CANDIDATE_PHASES = (Phase.VOTING, Phase.PROPOSED, Phase.ON_NOTICE, Phase.ANNOUNCED)
RESULT_PHASES = (Phase.PROPOSED, Phase.ON_NOTICE, Phase.ANNOUNCED)


# --- back office -------------------------------------------------------------------------------
def selection_list(*, scope: Scope, user) -> QuerySet:
    qs = Selection.objects.select_related("region").annotate(
        n_nominations=Count("nominations", distinct=True)
    )
    if not scope.everything:
        exact, roots = permissions.visible_region_paths(scope, user)
        qs = qs.filter(Q(region__path__in=exact) | subtree_q(roots, "region__path"))
    return qs.order_by("-vote_opens_at", "-id")


def selection_get(*, scope: Scope, user, pk: int) -> Selection:
    s = selection_list(scope=scope, user=user).filter(pk=pk).first()
    if s is None:
        raise Http404
    return s


def sees_all_nominations(scope: Scope, user, selection: Selection) -> bool:
    return permissions.manages(scope, selection) or permissions.can_review(user, selection)


def nomination_list(*, scope: Scope, user, selection: Selection, state: str = "") -> QuerySet:
    qs = (
        Nomination.objects.filter(selection=selection)
        .select_related("nominee", "organization", "organization__region")
        .annotate(
            n_reviews=Count("reviews", distinct=True),
            n_photos=Count("photos", distinct=True),
        )
    )
    if not sees_all_nominations(scope, user, selection):
        qs = qs.filter(scope.organization_q("organization__"))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("rank", "id")


def nomination_get(*, scope: Scope, user, pk: int) -> Nomination:
    n = (
        Nomination.objects.select_related(
            "selection", "selection__region", "nominee", "organization", "organization__region"
        )
        .filter(pk=pk)
        .first()
    )
    if n is None or not permissions.sees(scope, user, n.selection):
        raise Http404
    if not sees_all_nominations(scope, user, n.selection) and not (
        scope.organizations(type(n.organization).objects.filter(pk=n.organization_id)).exists()
    ):
        raise Http404
    return n


def review_queue(*, user, selection: Selection) -> QuerySet:
    """Nominations of a selection under review that this reviewer has not reviewed yet."""
    return (
        Nomination.objects.filter(selection=selection)
        .exclude(reviews__reviewer=user)
        .select_related("nominee", "organization")
        .order_by("id")
    )


def reviews_of(*, selection: Selection) -> QuerySet:
    return (
        Review.objects.filter(nomination__selection=selection)
        .select_related("reviewer", "nomination__nominee", "nomination__organization")
        .order_by("nomination_id", "id")
    )


def ranking(*, selection: Selection) -> QuerySet:
    return (
        Nomination.objects.filter(selection=selection, state=NominationState.APPROVED)
        .select_related("nominee", "organization")
        .order_by("rank", "id")
    )


def objection_list(*, selection: Selection) -> QuerySet:
    return (
        Objection.objects.filter(selection=selection, verified_at__isnull=False)
        .select_related("nomination__nominee", "answered_by")
        .order_by("answered_at", "created_at")
    )


def pioneer_get_in_scope(*, scope: Scope, user, pk: int) -> Pioneer:
    p = (
        Pioneer.objects.select_related("selection", "selection__region", "member", "nomination")
        .filter(pk=pk)
        .first()
    )
    if p is None or not permissions.sees(scope, user, p.selection):
        raise Http404
    return p


def learning_activities_to_link(*, scope: Scope, pioneer: Pioneer) -> QuerySet:
    from gangwan.activities.models import Activity, ActivityKind

    linked = PioneerLearning.objects.filter(pioneer=pioneer).values("activity_id")
    return (
        Activity.objects.filter(kind=ActivityKind.EXEMPLAR_LEARNING)
        .filter(scope.organization_q("organization__"))
        .exclude(pk__in=linked)
        .select_related("organization")
        .order_by("-held_on")
    )


# --- public ------------------------------------------------------------------------------------
def public_selections() -> QuerySet:
    return (
        Selection.objects.exclude(phase=Phase.DRAFT)
        .select_related("region")
        .annotate(
            # distinct: the join with the pioneers multiplies the nominations' rows
            n_candidates=Count(
                "nominations",
                filter=Q(nominations__state=NominationState.APPROVED),
                distinct=True,
            ),
            n_pioneers=Count("pioneers", distinct=True),
        )
        .order_by("-vote_opens_at", "-id")
    )


def public_selection(pk: int) -> Selection:
    s = Selection.objects.exclude(phase=Phase.DRAFT).select_related("region").filter(pk=pk).first()
    if s is None:
        raise Http404
    return s


def public_candidates(*, selection: Selection) -> QuerySet:
    if selection.phase not in PUBLIC_CANDIDATE_PHASES:
        return Nomination.objects.none()
    return (
        Nomination.objects.filter(selection=selection, state=NominationState.APPROVED)
        .select_related("nominee", "organization", "organization__region")
        .prefetch_related(Prefetch("photos", queryset=NominationPhoto.objects.order_by("id")))
        .order_by("rank", "id")
    )


def public_candidate(pk: int) -> Nomination:
    n = (
        public_candidates_all()
        .select_related("selection", "nominee", "organization", "organization__region")
        .filter(pk=pk)
        .first()
    )
    if n is None:
        raise Http404
    return n


def public_candidates_all() -> QuerySet:
    return Nomination.objects.filter(
        state=NominationState.APPROVED, selection__phase__in=PUBLIC_CANDIDATE_PHASES
    )


def public_proposed(*, selection: Selection) -> QuerySet:
    if selection.phase not in RESULT_PHASES:
        return Nomination.objects.none()
    return (
        Nomination.objects.filter(selection=selection, proposed=True)
        .select_related("nominee", "organization")
        .order_by("rank")
    )


def public_objections(*, selection: Selection) -> QuerySet:
    """Answered objections are published with their answers (no names, no phones)."""
    return (
        Objection.objects.filter(selection=selection, answered_at__isnull=False)
        .select_related("nomination__nominee")
        .order_by("answered_at")
    )


def public_pioneers(selection: Selection | None = None) -> QuerySet:
    qs = Pioneer.objects.select_related(
        "member", "selection", "nomination", "nomination__organization"
    ).prefetch_related(
        Prefetch("nomination__photos", queryset=NominationPhoto.objects.order_by("id"))
    )
    if selection is not None:
        qs = qs.filter(selection=selection)
    return qs.order_by("-selection__announced_on", "rank")


def public_pioneer(pk: int) -> Pioneer:
    p = public_pioneers().filter(pk=pk).first()
    if p is None:
        raise Http404
    return p


def pioneer_learnings(*, pioneer: Pioneer) -> QuerySet:
    return (
        PioneerLearning.objects.filter(pioneer=pioneer)
        .select_related("activity", "activity__organization")
        .order_by("-activity__held_on")
    )


def public_photo(pk: int) -> NominationPhoto:
    """A photo is public once its nomination is a public candidate."""
    photo = (
        NominationPhoto.objects.filter(pk=pk, nomination__in=public_candidates_all())
        .select_related("nomination")
        .first()
    )
    if photo is None:
        raise Http404
    return photo


# --- figures -----------------------------------------------------------------------------------
def figures(*, scope: Scope, user) -> dict:
    """Nominations by state, turnout by day (the newest selection's poll) and pioneers by street,
    for the selections the user reads."""
    from . import polls

    sels = selection_list(scope=scope, user=user)
    noms = Nomination.objects.filter(selection__in=sels.values("pk"))
    # Reviewers review every nomination of the selections they read; others see their own area's.
    if not (scope.is_district_admin or scope.has_role("reviewer")):
        noms = noms.filter(scope.organization_q("organization__"))
    by_state = dict(noms.values("state").annotate(n=Count("id")).values_list("state", "n"))
    newest = sels.filter(poll_id__isnull=False).first()
    turnout = polls.turnout_by_day(selection=newest) if newest else []
    pioneers = Pioneer.objects.filter(selection__in=sels.values("pk"))
    street_of: dict[str, Region] = {}
    per_street: dict[int, int] = {}
    rows = pioneers.values_list("nomination__organization__region__path").annotate(n=Count("id"))
    streets = {r.path: r for r in Region.objects.filter(level__in=["street", "town"])}
    for path, n in rows:
        street = next((streets[p] for p in streets if path.startswith(p)), None)
        if street is None:
            continue
        street_of[street.path] = street
        per_street[street.pk] = per_street.get(street.pk, 0) + n
    return {
        "nominations": {k: by_state.get(k, 0) for k in NominationState.values},
        "turnout_selection": newest,
        "turnout": turnout,
        "pioneers_by_street": sorted(
            ({"street": s, "n": per_street[s.pk]} for s in street_of.values()),
            key=lambda r: -r["n"],
        ),
    }
