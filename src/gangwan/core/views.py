from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .exports import xlsx_response
from .forms import AuditFilterForm, ThrottledLoginForm, TokenForm
from .models import ApiToken
from .permissions import require
from .selectors import audit_list


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledLoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form):
        from .audit import audit_record

        resp = super().form_valid(form)
        audit_record(actor=self.request.user, action="user.password_change", obj=self.request.user)
        messages.success(self.request, gettext_lazy("Your password has been changed."))
        return resp


@login_required
def tokens(request):
    from .tokens import api_token_create, api_token_revoke

    raw = None
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if "revoke" in request.POST:
            token = ApiToken.objects.filter(
                user=request.user, pk=request.POST.get("revoke")
            ).first()
            if token:
                api_token_revoke(actor=request.user, token=token)
                messages.success(request, _("The token has been revoked."))
            return redirect("tokens")
        if form.is_valid():
            _token, raw = api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
            form = TokenForm()
    items = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "core/tokens.html", {"form": form, "tokens": items, "raw": raw})


def _audit_rows(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_list(scope=request.scope, **{k: v for k, v in filters.items() if v})


@login_required
def audit(request):
    require(request.scope.is_district_admin)
    form, qs = _audit_rows(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"form": form, "page": page})


@login_required
def audit_export(request):
    require(request.scope.is_district_admin)
    _form, qs = _audit_rows(request)
    headers = [
        _("Time"),
        _("User"),
        _("Action"),
        _("Object type"),
        _("Object"),
        _("Reason"),
        _("Before"),
        _("After"),
        _("Rule warnings"),
    ]
    rows = (
        [
            e.at,
            str(e.actor or ""),
            e.action,
            e.content_type.model if e.content_type else "",
            e.object_repr,
            e.reason,
            e.before,
            e.after,
            e.warnings,
        ]
        for e in qs[:100000]
    )
    return xlsx_response(
        filename="audit.xlsx",
        sheet=_("Audit trail"),
        headers=headers,
        rows=rows,
        widths=[20, 14, 24, 14, 30, 30, 50, 50, 40],
    )


@require_POST
def logout(request):
    from django.contrib.auth import logout as do_logout

    do_logout(request)
    return redirect("login")
