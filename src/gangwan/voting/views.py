"""The back office of public votes: polls, candidates, results with the recount check, flags
review, invalidations and the results export. District administrators see every poll without a
region; region administrators the polls of their regions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.exports import xlsx_response
from gangwan.core.viewutils import run_service
from gangwan.regions.models import Region

from . import selectors, services
from .forms import CandidateForm, NoteForm, PollForm, ReasonForm
from .models import Candidate, Flag, FlagStatus, Poll


def _require_access(request) -> None:
    if not selectors.administers_polls(request.scope):
        raise PermissionDenied


def _poll(request, pk: int) -> Poll:
    _require_access(request)
    poll = get_object_or_404(Poll.objects.select_related("region"), pk=pk)
    if not selectors.may_administer_poll(request.scope, poll):
        raise Http404
    return poll


def _regions(request):
    return request.scope.regions(Region.objects.all()).order_by("path")


@login_required
def poll_list(request):
    _require_access(request)
    page = Paginator(selectors.poll_list(scope=request.scope), 50).get_page(request.GET.get("page"))
    return render(request, "voting/poll_list.html", {"page": page})


@login_required
def poll_create(request):
    _require_access(request)
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = PollForm(
        request.POST or None,
        regions=_regions(request),
        initial={"opens_at": now, "closes_at": now + dt.timedelta(days=7), "max_choices": 1},
    )
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        if region is None and not request.scope.is_district_admin:
            form.add_error("region", _("Choose the region the poll belongs to."))
        else:
            data = {k: form.cleaned_data[k] for k in form.Meta.fields}
            poll, _f = run_service(form, lambda: services.poll_create(actor=request.user, **data))
            if poll:
                messages.success(request, _("The poll is created; add its candidates."))
                return redirect("voting:detail", pk=poll.pk)
    return render(request, "voting/poll_form.html", {"form": form})


def _owned(request, poll: Poll) -> bool:
    """A poll run by another app (owner_ref, e.g. a pioneers selection) is changed through that
    app only: its window, rules and candidates belong to the owner's process."""
    if poll.owner_ref:
        messages.error(
            request,
            _(
                "This poll belongs to another process (such as a selection of service pioneers);"
                " change it there, not here."
            ),
        )
        return True
    return False


@login_required
def poll_edit(request, pk: int):
    poll = _poll(request, pk)
    if _owned(request, poll):
        return redirect("voting:detail", pk=poll.pk)
    form = PollForm(request.POST or None, instance=poll, regions=_regions(request))
    if request.method == "POST" and form.is_valid():
        changes = {k: form.cleaned_data[k] for k in form.Meta.fields}
        fresh = Poll.objects.get(pk=poll.pk)
        done, _f = run_service(
            form, lambda: services.poll_update(poll=fresh, actor=request.user, **changes)
        )
        if done:
            messages.success(request, _("The poll is saved."))
            return redirect("voting:detail", pk=poll.pk)
    return render(request, "voting/poll_form.html", {"form": form, "poll": poll})


@login_required
def poll_detail(request, pk: int):
    poll = _poll(request, pk)
    rows = selectors.poll_results(poll=poll)
    summary = selectors.poll_summary(poll=poll)
    invalidations = (
        poll.ballots.filter(invalidation__isnull=False)
        .select_related("invalidation__by")
        .order_by("-invalidation__at")[:50]
    )
    return render(
        request,
        "voting/poll_detail.html",
        {
            "poll": poll,
            "rows": rows,
            "summary": summary,
            "turnout": selectors.turnout_by_day(poll=poll),
            "open_flags": poll.flags.filter(status=FlagStatus.OPEN).count(),
            "candidate_form": CandidateForm(),
            "reason_form": ReasonForm(),
            "invalidations": invalidations,
            "frozen": bool(poll.owner_ref) or poll.ballots.exists(),
            "owned": bool(poll.owner_ref),
        },
    )


@login_required
@require_POST
def candidate_add(request, pk: int):
    poll = _poll(request, pk)
    if _owned(request, poll):
        return redirect("voting:detail", pk=poll.pk)
    form = CandidateForm(request.POST, request.FILES)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.candidate_add(
                poll=poll,
                name=form.cleaned_data["name"],
                text=form.cleaned_data["text"],
                photo=form.cleaned_data["photo"],
                actor=request.user,
            ),
        )
        if done:
            messages.success(request, _("The candidate is added."))
            return redirect("voting:detail", pk=poll.pk)
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("voting:detail", pk=poll.pk)


@login_required
@require_POST
def candidate_remove(request, pk: int, candidate_pk: int):
    poll = _poll(request, pk)
    if _owned(request, poll):
        return redirect("voting:detail", pk=poll.pk)
    candidate = get_object_or_404(Candidate, pk=candidate_pk, poll=poll)
    try:
        services.candidate_remove(candidate=candidate, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The candidate is removed."))
    return redirect("voting:detail", pk=poll.pk)


@login_required
@require_POST
def recount(request, pk: int):
    poll = _poll(request, pk)
    result = services.poll_recount(poll=poll, actor=request.user)
    if result["agreed"]:
        messages.success(
            request,
            _("Recount done: %(n)s valid ballots; the live counts agree with the ballots.")
            % {"n": result["recount"]["ballots"]},
        )
    else:
        messages.warning(
            request,
            _("Recount done: the live counts differed and were rewritten from the %(n)s ballots.")
            % {"n": result["recount"]["ballots"]},
        )
    return redirect("voting:detail", pk=poll.pk)


@login_required
@require_POST
def invalidate(request, pk: int):
    poll = _poll(request, pk)
    form = ReasonForm(request.POST)
    number = (request.POST.get("ballot") or "").strip()
    ballot = poll.ballots.filter(pk=int(number)).first() if number.isdigit() else None
    if ballot is None:
        messages.error(request, _("No ballot with this number in this poll."))
    elif form.is_valid():
        try:
            services.ballot_invalidate(
                ballot=ballot, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Ballot %(n)s is invalidated.") % {"n": ballot.pk})
    else:
        messages.error(request, _("Give the reason for the invalidation."))
    return redirect("voting:detail", pk=poll.pk)


@login_required
def flags(request, pk: int):
    poll = _poll(request, pk)
    status = request.GET.get("status") or ""
    qs = selectors.flag_list(poll=poll, status=status or None)
    return render(
        request,
        "voting/flags.html",
        {
            "poll": poll,
            "flags": qs[:200],
            "status": status,
            "statuses": FlagStatus.choices,
            "reason_form": ReasonForm(),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_POST
def flags_scan(request, pk: int):
    poll = _poll(request, pk)
    n = services.flags_scan(poll=poll, actor=request.user)
    messages.info(request, _("%(n)s new flags.") % {"n": n})
    return redirect("voting:flags", pk=poll.pk)


@login_required
@require_POST
def flag_review(request, pk: int, flag_pk: int):
    poll = _poll(request, pk)
    flag = get_object_or_404(Flag, pk=flag_pk, poll=poll)
    try:
        if request.POST.get("action") == "invalidate":
            n = services.flag_invalidate(
                flag=flag, reason=request.POST.get("reason", ""), actor=request.user
            )
            messages.success(request, _("%(n)s ballots invalidated.") % {"n": n})
        else:
            services.flag_dismiss(flag=flag, note=request.POST.get("note", ""), actor=request.user)
            messages.success(request, _("The flag is dismissed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("voting:flags", pk=poll.pk)


@login_required
def results_export(request, pk: int):
    poll = _poll(request, pk)
    summary = selectors.poll_summary(poll=poll)
    rows = [
        (i, r["candidate"].position, r["candidate"].name, r["votes"])
        for i, r in enumerate(selectors.poll_results(poll=poll), start=1)
    ]
    rows.append(("", "", _("Valid ballots"), summary["valid"]))
    rows.append(("", "", _("Invalidated ballots"), summary["invalidated"]))
    return xlsx_response(
        filename=f"poll-{poll.pk}-results.xlsx",
        sheet=poll.title,
        headers=[_("Rank"), _("No."), _("Candidate"), _("Votes")],
        rows=rows,
        widths=[8, 8, 24, 12],
    )


@login_required
def ballots(request, pk: int):
    """Ballots of a poll (no voter identity): number, time, network, choices, invalidation."""
    poll = _poll(request, pk)
    qs = poll.ballots.select_related("invalidation").order_by("-id")
    network = request.GET.get("network", "").strip()
    if network:
        qs = qs.filter(network=network)
    if request.GET.get("invalidated") == "1":
        qs = qs.filter(~Q(invalidation=None))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    names = dict(poll.candidates.values_list("pk", "name"))
    for b in page:
        b.choice_names = [names.get(int(x), x) for x in b.choices_key.split(",") if x]
    return render(request, "voting/ballots.html", {"poll": poll, "page": page, "network": network})
