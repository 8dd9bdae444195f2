"""Back office for floating members: the overview with days-to-home figures, the list and detail
of floating members, the follow-up list (R22) and the certificate reviews (R23).
Stations, the counter and portal registrations are in views_stations.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.viewutils import querystring_without_page, run_service

from . import permissions as perms
from . import rules, selectors, services
from .forms import CertificateReviewForm, FirstActivityForm, FloatingFilterForm


def _nav(request, active: str) -> dict:
    scope = request.scope
    operates = perms.can_operate_stations(scope)
    return {
        "floating_nav": active,
        "operates": operates,
        "pending_registrations": (
            selectors.self_registration_pending_counts(scope=scope) if operates else 0
        ),
    }


@login_required
def home(request):
    """Overview: days from arrival to home (median, share within 60 days) by station and street."""
    scope = request.scope
    perms.require_floating_access(scope)
    figures = selectors.floating_figures(scope=scope)
    return render(
        request,
        "floating/home.html",
        {
            **_nav(request, "home"),
            "figures": figures,
            "follow_up_count": len(selectors.follow_up_list(scope=scope)),
            "certificates_due": selectors.certificate_reminders(scope=scope).count(),
            "within_days": rules.HOME_WITHIN_DAYS,
        },
    )


@login_required
def floating_list(request):
    scope = request.scope
    perms.require_floating_access(scope)
    stations = selectors.station_list(scope=scope)
    form = FloatingFilterForm(request.GET or None, stations=stations)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.floating_list(
        scope=scope, station=f.get("station"), q=f.get("q", ""), home=f.get("home", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "floating/floating_list.html",
        {
            **_nav(request, "list"),
            "form": form,
            "page": page,
            "querystring": querystring_without_page(request),
        },
    )


def _detail_context(request, floating, activity_form=None, review_form=None) -> dict:
    scope = request.scope
    can_follow = perms.can_follow_up(scope, floating)
    return {
        **_nav(request, "list"),
        "floating": floating,
        "member": floating.member,
        "can_follow_up": can_follow,
        "activity_form": activity_form or FirstActivityForm(),
        "review_form": review_form or CertificateReviewForm(),
        "has_vote_here": rules.has_vote_at(floating.member, floating.member.home_organization),
        "history": history_for(floating)[:20] if can_follow else [],
    }


@login_required
def floating_detail(request, pk):
    scope = request.scope
    perms.require_floating_access(scope)
    floating = selectors.floating_get(scope=scope, pk=pk)
    return render(request, "floating/floating_detail.html", _detail_context(request, floating))


@login_required
@require_POST
def first_activity(request, pk):
    scope = request.scope
    perms.require_floating_access(scope)
    floating = selectors.floating_get(scope=scope, pk=pk)
    perms.require(perms.can_follow_up(scope, floating))
    form = FirstActivityForm(request.POST)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.floating_record_first_activity(
                actor=request.user,
                floating=floating,
                date=form.cleaned_data["date"],
                what=form.cleaned_data["what"],
            ),
        )
        if done:
            messages.success(
                request,
                _("%(name)s found a home: first organizational life on %(date)s.")
                % {"name": floating.member.name, "date": done.home_found_on.isoformat()},
            )
            if request.POST.get("back") == "follow_up":
                return redirect("floating:follow_up")
            return redirect("floating:detail", pk=floating.pk)
    floating.refresh_from_db()
    return render(
        request,
        "floating/floating_detail.html",
        _detail_context(request, floating, activity_form=form),
        status=422,
    )


@login_required
@require_POST
def certificate_review(request, pk):
    scope = request.scope
    perms.require_floating_access(scope)
    floating = selectors.floating_get(scope=scope, pk=pk)
    perms.require(perms.can_follow_up(scope, floating))
    form = CertificateReviewForm(request.POST)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.floating_certificate_review(
                actor=request.user,
                floating=floating,
                reviewed_on=form.cleaned_data["reviewed_on"],
            ),
        )
        if done:
            messages.success(
                request,
                _("The activity certificate of %(name)s is reviewed (%(date)s).")
                % {"name": floating.member.name, "date": done.certificate_reviewed_on.isoformat()},
            )
            if request.POST.get("back") == "certificates":
                return redirect("floating:certificates")
            return redirect("floating:detail", pk=floating.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    if request.POST.get("back") == "certificates":
        return redirect("floating:certificates")
    return redirect("floating:detail", pk=floating.pk)


@login_required
def follow_up(request):
    """R22: members registered at a station in scope without a home after N days."""
    scope = request.scope
    perms.require_floating_access(scope)
    rows = selectors.follow_up_list(scope=scope)
    _mark_followable(request, rows)
    return render(
        request,
        "floating/follow_up.html",
        {
            **_nav(request, "follow_up"),
            "rows": rows,
            "default_days": rules.follow_up_days_default(),
        },
    )


@login_required
def certificates(request):
    """R23: activity certificates due for their yearly review."""
    scope = request.scope
    perms.require_floating_access(scope)
    qs = selectors.certificate_reminders(scope=scope)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    _mark_followable(request, page.object_list)
    return render(
        request,
        "floating/certificates.html",
        {
            **_nav(request, "certificates"),
            "page": page,
            "querystring": querystring_without_page(request),
            "months": rules.CERTIFICATE_REVIEW_MONTHS,
        },
    )


def _mark_followable(request, rows) -> None:
    """Set `can_follow_up` on each row with one lookup of the user's stations (no N+1)."""
    scope = request.scope
    paths = selectors.operator_paths(scope)
    for f in rows:
        f.can_follow_up = perms.can_follow_up(scope, f, paths)
