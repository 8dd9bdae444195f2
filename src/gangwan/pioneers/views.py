"""Back office of the selections. Reading is cut by selectors (404 outside the reader's selections
and organizations); running phases, answering objections and exporting results need the
selection's region (403); reviewing needs the reviewer role or district administration over it
(403); nominating needs an organization the user administers inside the selection's region."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.permissions import require
from gangwan.core.tree import subtree_q
from gangwan.core.viewutils import run_service
from gangwan.members.models import Member
from gangwan.organizations.models import Organization
from gangwan.regions.models import Region

from . import permissions, polls, selectors, services
from .forms import AnswerForm, LearningForm, NominationForm, NoticeForm, ReviewForm, SelectionForm
from .models import NominationPhoto, Objection, Phase, PioneerLearning

STEPS = {
    # step: (service, phase it needs, button label)
    "open": (services.selection_open, Phase.DRAFT),
    "review": (services.selection_start_review, Phase.NOMINATING),
    "vote": (services.selection_start_vote, Phase.REVIEWING),
    "rank": (services.selection_rank, Phase.VOTING),
    "notice": (services.selection_start_notice, Phase.PROPOSED),
    "announce": (services.selection_announce, Phase.ON_NOTICE),
}


def _ctx_flags(request, selection):
    scope, user = request.scope, request.user
    return {
        "manages": permissions.manages(scope, selection),
        "is_reviewer": permissions.can_review(user, selection),
        "sees_all": selectors.sees_all_nominations(scope, user, selection),
    }


def _creatable_regions(scope):
    qs = Region.objects.filter(level__in=["district", "street", "town"]).order_by("path")
    return qs if scope.everything else qs.filter(subtree_q(scope.region_paths))


@login_required
def index(request):
    scope = request.scope
    page = Paginator(selectors.selection_list(scope=scope, user=request.user), 30).get_page(
        request.GET.get("page")
    )
    if not page.object_list and not scope.has_structure_access and not scope.has_role("reviewer"):
        raise PermissionDenied
    return render(
        request,
        "pioneers/index.html",
        {"page": page, "can_create": scope.everything or bool(scope.region_paths)},
    )


@login_required
def selection_create(request):
    scope = request.scope
    require(scope.everything or bool(scope.region_paths))
    regions = _creatable_regions(scope)
    from gangwan.core.rules import rule_value

    form = SelectionForm(
        request.POST or None,
        regions=regions,
        initial={
            "quota": 30,
            "vote_weight": rule_value("pioneers.vote_weight"),
            "committee_weight": rule_value("pioneers.committee_weight"),
            "region": regions.first(),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        s, _f = run_service(
            form,
            lambda: services.selection_create(actor=request.user, scope=scope, **d),
        )
        if s:
            messages.success(request, _("Selection created."))
            return redirect("pioneers:detail", pk=s.pk)
    return render(request, "pioneers/form.html", {"form": form, "title": _("New selection")})


@login_required
def selection_detail(request, pk):
    scope, user = request.scope, request.user
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    flags = _ctx_flags(request, s)
    noms = Paginator(selectors.nomination_list(scope=scope, user=user, selection=s), 50).get_page(
        request.GET.get("page")
    )
    can_nominate = (
        s.phase == Phase.NOMINATING
        and scope.organizations(
            Organization.objects.filter(region__path__startswith=s.region.path)
        ).exists()
    )
    return render(
        request,
        "pioneers/detail.html",
        {
            "s": s,
            "noms": noms,
            "can_nominate": can_nominate,
            "poll": polls.summary(selection=s) if flags["sees_all"] else None,
            "poll_url": polls.public_url(s.poll_id),
            "unanswered": services.unanswered_objections(s).count(),
            "proposed": selectors.ranking(selection=s).filter(proposed=True)
            if s.phase == Phase.ON_NOTICE and flags["manages"]
            else [],
            "phases": Phase.choices,
            "phase_index": [p for p, _l in Phase.choices].index(s.phase),
            "history": history_for(s)[:20] if flags["manages"] else [],
            "notice_form": NoticeForm(initial={"starts_on": timezone.localdate()}),
            **flags,
        },
    )


@login_required
@require_POST
def selection_advance(request, pk, step):
    scope = request.scope
    s = selectors.selection_get(scope=scope, user=request.user, pk=pk)
    require(permissions.manages(scope, s))
    if step not in STEPS:
        raise Http404
    service, _phase = STEPS[step]
    kwargs = {}
    if step == "notice":
        nf = NoticeForm(request.POST)
        if nf.is_valid():
            kwargs["starts_on"] = nf.cleaned_data["starts_on"]
    if step == "announce":
        kwargs["withdraw"] = [int(x) for x in request.POST.getlist("withdraw") if x.isdigit()]
    try:
        service(actor=request.user, selection=s, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The selection is now: %(phase)s.") % {"phase": s.get_phase_display()}
        )
    return redirect("pioneers:detail", pk=s.pk)


@login_required
def nomination_create(request, pk):
    scope, user = request.scope, request.user
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    orgs = scope.organizations(
        Organization.objects.filter(
            region__path__startswith=s.region.path, dissolved_on__isnull=True
        )
    ).order_by("path")
    require(orgs.exists())
    if s.phase != Phase.NOMINATING:
        # Say so before anyone fills in a form the service would refuse.
        messages.info(request, _("Nominations for this selection are not open."))
        return redirect("pioneers:detail", pk=s.pk)
    members = (
        scope.members(Member.objects.filter(archived_on__isnull=True))
        .select_related("organization")
        .order_by("organization__path", "name")
    )
    form = NominationForm(
        request.POST or None, request.FILES or None, organizations=orgs, members=members
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        n, _f = run_service(
            form,
            lambda: services.nomination_submit(
                actor=user,
                scope=scope,
                selection=s,
                organization=d["organization"],
                nominee=d["nominee"],
                headline=d["headline"],
                deeds=d["deeds"],
                opinion=d["opinion"],
                photos=request.FILES.getlist("photos"),
            ),
        )
        if n:
            messages.success(request, _("%(name)s is nominated.") % {"name": n.nominee.name})
            return redirect("pioneers:nomination", pk=n.pk)
    return render(
        request,
        "pioneers/form.html",
        {
            "form": form,
            "title": _("Nominate for %(title)s") % {"title": s.title},
            "s": s,
            "multipart": True,
        },
    )


@login_required
def nomination_detail(request, pk):
    scope, user = request.scope, request.user
    n = selectors.nomination_get(scope=scope, user=user, pk=pk)
    flags = _ctx_flags(request, n.selection)
    mine = n.reviews.filter(reviewer=user).first() if flags["is_reviewer"] else None
    form = None
    if flags["is_reviewer"] and n.selection.phase == Phase.REVIEWING:
        form = ReviewForm(
            initial={"decision": mine.decision, "score": mine.score, "reason": mine.reason}
            if mine
            else None
        )
    return render(
        request,
        "pioneers/nomination.html",
        {
            "n": n,
            "s": n.selection,
            "photos": n.photos.all(),
            "reviews": n.reviews.select_related("reviewer") if flags["sees_all"] else [],
            "can_add_photos": n.selection.phase == Phase.NOMINATING
            and permissions.may_nominate_for(scope, n.selection, n.organization),
            "form": form,
            **flags,
        },
    )


@login_required
@require_POST
def nomination_review(request, pk):
    scope, user = request.scope, request.user
    n = selectors.nomination_get(scope=scope, user=user, pk=pk)
    require(permissions.can_review(user, n.selection))
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        done, _f = run_service(
            form,
            lambda: services.review_submit(
                actor=user,
                nomination=n,
                decision=d["decision"],
                score=d["score"],
                reason=d["reason"],
            ),
        )
        if done:
            messages.success(
                request, _("Your review of %(name)s is recorded.") % {"name": n.nominee.name}
            )
            nxt = selectors.review_queue(user=user, selection=n.selection).first()
            return (
                redirect("pioneers:nomination", pk=nxt.pk)
                if nxt
                else redirect("pioneers:queue", pk=n.selection_id)
            )
    flags = _ctx_flags(request, n.selection)
    return render(
        request,
        "pioneers/nomination.html",
        {
            "n": n,
            "s": n.selection,
            "photos": n.photos.all(),
            "reviews": n.reviews.all(),
            "form": form,
            **flags,
        },
        status=422,
    )


@login_required
@require_POST
def nomination_photos(request, pk):
    """The nominating organization adds photos while nominations are open."""
    scope, user = request.scope, request.user
    n = selectors.nomination_get(scope=scope, user=user, pk=pk)
    require(permissions.may_nominate_for(scope, n.selection, n.organization))
    try:
        services.nomination_photos_add(
            actor=user, scope=scope, nomination=n, photos=request.FILES.getlist("photos")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The photos are added."))
    return redirect("pioneers:nomination", pk=n.pk)


@login_required
def photo(request, pk):
    p = get_object_or_404(NominationPhoto.objects.select_related("nomination"), pk=pk)
    selectors.nomination_get(scope=request.scope, user=request.user, pk=p.nomination_id)
    return FileResponse(p.file.open("rb"), content_type=p.content_type)


@login_required
def review_queue(request, pk):
    scope, user = request.scope, request.user
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    require(permissions.can_review(user, s))
    return render(
        request,
        "pioneers/queue.html",
        {
            "s": s,
            "queue": selectors.review_queue(user=user, selection=s)[:200],
            "open": s.phase == Phase.REVIEWING,
        },
    )


def _managed_or_reviewed(request, pk):
    scope, user = request.scope, request.user
    s = selectors.selection_get(scope=scope, user=user, pk=pk)
    require(selectors.sees_all_nominations(scope, user, s))
    return s


@login_required
def ranking(request, pk):
    s = _managed_or_reviewed(request, pk)
    return render(
        request,
        "pioneers/ranking.html",
        {"s": s, "rows": selectors.ranking(selection=s), "poll": polls.summary(selection=s)},
    )


@login_required
def objections(request, pk):
    scope = request.scope
    s = selectors.selection_get(scope=scope, user=request.user, pk=pk)
    require(permissions.manages(scope, s))
    return render(
        request,
        "pioneers/objections.html",
        {"s": s, "objections": selectors.objection_list(selection=s), "form": AnswerForm()},
    )


@login_required
@require_POST
def objection_answer(request, pk):
    scope = request.scope
    obj = get_object_or_404(
        Objection.objects.select_related("selection", "selection__region"), pk=pk
    )
    s = selectors.selection_get(scope=scope, user=request.user, pk=obj.selection_id)
    require(permissions.manages(scope, s))
    form = AnswerForm(request.POST)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.objection_answer(
                actor=request.user, scope=scope, objection=obj, answer=form.cleaned_data["answer"]
            ),
        )
        if done:
            messages.success(request, _("The answer is recorded."))
            return redirect("pioneers:objections", pk=s.pk)
    messages.error(
        request, " ".join(str(e) for e in form.non_field_errors() or form.errors.get("answer", []))
    )
    return redirect("pioneers:objections", pk=s.pk)


@login_required
def pioneer_detail(request, pk):
    scope, user = request.scope, request.user
    p = selectors.pioneer_get_in_scope(scope=scope, user=user, pk=pk)
    activities = selectors.learning_activities_to_link(scope=scope, pioneer=p)
    return render(
        request,
        "pioneers/pioneer.html",
        {
            "p": p,
            "learnings": selectors.pioneer_learnings(pioneer=p),
            "form": LearningForm(activities=activities) if scope.has_structure_access else None,
        },
    )


@login_required
@require_POST
def learning_link(request, pk):
    scope, user = request.scope, request.user
    p = selectors.pioneer_get_in_scope(scope=scope, user=user, pk=pk)
    form = LearningForm(
        request.POST, activities=selectors.learning_activities_to_link(scope=scope, pioneer=p)
    )
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.learning_link(
                actor=user, scope=scope, pioneer=p, activity=form.cleaned_data["activity"]
            ),
        )
        if done:
            messages.success(request, _("The learning activity is linked."))
            return redirect("pioneers:pioneer", pk=p.pk)
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("pioneers:pioneer", pk=p.pk)


@login_required
@require_POST
def learning_unlink(request, pk):
    scope = request.scope
    link = get_object_or_404(
        PioneerLearning.objects.select_related("activity__organization"), pk=pk
    )
    p = selectors.pioneer_get_in_scope(scope=scope, user=request.user, pk=link.pioneer_id)
    services.learning_unlink(actor=request.user, scope=scope, link=link)
    messages.success(request, _("The link is removed."))
    return redirect("pioneers:pioneer", pk=p.pk)
