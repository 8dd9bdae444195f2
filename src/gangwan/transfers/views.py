"""Back-office pages for transfers: lists, a new transfer from a member's page or for an arrival
from outside, the detail with the actions the user's scope allows, the letter as PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gangwan.core.audit import audit_record, history_for
from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.members.selectors import member_get
from gangwan.organizations.models import Organization
from gangwan.organizations.selectors import organization_list

from . import forms, selectors, services
from .models import TransferDirection
from .pdf import render_letter

PAGE = 50


def _filtered(request):
    form = forms.TransferFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.transfer_list(
        scope=request.scope,
        state=f.get("state", ""),
        direction=f.get("direction", ""),
        side=f.get("side", ""),
        q=f.get("q", ""),
    )
    return form, qs


@login_required
def transfer_list(request):
    require_structure_access(request.scope)
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "transfers/transfer_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


@login_required
def transfer_export(request):
    require_structure_access(request.scope)
    _form, qs = _filtered(request)
    rows = list(qs[:20000])
    audit_record(actor=request.user, action="transfer.export", after={"rows": len(rows)})
    return xlsx_response(
        filename="transfers.xlsx",
        sheet=_("Transfers"),
        headers=[
            _("Letter no."),
            _("Full name"),
            _("Direction"),
            _("State"),
            _("Sending organization"),
            _("Receiving organization"),
            _("Issued on"),
            _("Valid until"),
            _("Dues paid up to"),
            _("Received on"),
            _("Receipt returned on"),
        ],
        rows=(
            [
                t.letter_no,
                t.person_name,
                t.get_direction_display(),
                t.get_state_display(),
                t.from_label,
                t.to_label,
                t.issued_on,
                t.valid_until,
                t.dues_paid_until.strftime("%Y-%m") if t.dues_paid_until else "",
                t.received_on,
                t.receipt_returned_on,
            ]
            for t in rows
        ),
        widths=[24, 10, 14, 14, 30, 30, 12, 12, 10, 12, 12],
    )


def _due_list(request, rows, title: str, kind: str):
    require_structure_access(request.scope)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "transfers/transfer_due.html",
        {
            "page": page,
            "title": title,
            "kind": kind,
            "today": timezone.localdate(),
            "querystring": "",
        },
    )


@login_required
def letters_expired(request):
    require_structure_access(request.scope)
    rows = selectors.letters_expired(scope=request.scope)
    return _due_list(request, rows, _("Expired letters"), "expired")


@login_required
def receipts_overdue(request):
    require_structure_access(request.scope)
    rows = selectors.receipts_overdue(scope=request.scope)
    return _due_list(request, rows, _("Receipts overdue"), "receipts")


def _receiver_choices(request, find: str, chosen: str):
    """Receiving organizations to offer: those matching the search, else those in one's scope.
    Any active organization of the system may receive; only the offered list is cut."""
    active = Organization.objects.filter(dissolved_on__isnull=True).select_related("region")
    if request.method == "POST":
        return active.filter(pk=chosen) if chosen.isdigit() else active.none()
    if len(find) >= 2:
        return active.filter(name__icontains=find).order_by("path")[:50]
    return organization_list(scope=request.scope)[:200]


@login_required
def transfer_create(request):
    scope = request.scope
    require_structure_access(scope)
    if request.GET.get("direction") == TransferDirection.IN:
        return _incoming_create(request)
    member_pk = request.GET.get("member") or request.POST.get("member") or ""
    if not member_pk.isdigit():
        return redirect("members:list")
    member = member_get(scope=scope, pk=int(member_pk))
    require(administers_organization(scope, member.organization))
    find = request.GET.get("find", "").strip()[:60]
    orgs = _receiver_choices(request, find, request.POST.get("to_organization", ""))
    form = forms.TransferCreateForm(request.POST or None, organizations=orgs)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        transfer, _f = run_service(
            form,
            lambda: services.transfer_create(
                actor=request.user,
                direction=d["direction"],
                member=member,
                to_organization=d["to_organization"]
                if d["direction"] == TransferDirection.INTERNAL
                else None,
                to_text=d["to_text"] if d["direction"] == TransferDirection.OUT else "",
            ),
        )
        if transfer:
            messages.success(request, _("The transfer has been drafted."))
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/transfer_create.html",
        {"form": form, "member": member, "find": find, "open": selectors.open_transfer_of(member)},
    )


def _incoming_create(request):
    scope = request.scope
    orgs = organization_list(scope=scope)
    form = forms.IncomingForm(
        request.POST or None, organizations=orgs, initial={"incoming_status": "full"}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        require(administers_organization(scope, d["to_organization"]))
        transfer, _f = run_service(
            form,
            lambda: services.transfer_create(
                actor=request.user, direction=TransferDirection.IN, **d
            ),
        )
        if transfer:
            messages.success(request, _("The arriving member's letter has been recorded."))
            return redirect("transfers:detail", pk=transfer.pk)
    return render(request, "transfers/transfer_incoming.html", {"form": form})


@login_required
def transfer_detail(request, pk):
    require_structure_access(request.scope)
    transfer = selectors.transfer_get(scope=request.scope, pk=pk)
    actions = selectors.transfer_actions(scope=request.scope, transfer=transfer)
    return render(
        request,
        "transfers/transfer_detail.html",
        {
            "t": transfer,
            "actions": actions,
            "history": history_for(transfer)[:30],
            "reveal_form": forms.LetterRevealForm(),
            "today": timezone.localdate(),
        },
    )


def _issue(request, t, data):
    form = forms.IssueForm(data, incoming=t.direction == TransferDirection.IN)
    call = lambda d: services.transfer_issue(actor=request.user, transfer=t, **d)  # noqa: E731
    return form, call, _("Issue the letter"), _("The letter has been issued.")


def _receive(request, t, data):
    form = forms.ReceiveForm(data, initial={"received_on": timezone.localdate()})
    call = lambda d: services.transfer_receive(  # noqa: E731
        actor=request.user, transfer=t, received_on=d["received_on"], reason=d["note"]
    )
    title = (
        _("Record the receipt from the receiving organization")
        if t.direction == "out"
        else _("Receive the member")
    )
    return form, call, title, _("The member has been received.")


def _receipt(request, t, data):
    form = forms.ReceiptForm(data, initial={"returned_on": timezone.localdate()})
    call = lambda d: services.transfer_receipt_return(actor=request.user, transfer=t, **d)  # noqa: E731
    return form, call, _("Record the receipt sent back"), _("The receipt has been recorded.")


def _return(request, t, data):
    form = forms.ReturnForm(data, initial={"returned_on": timezone.localdate()})
    call = lambda d: services.transfer_return(actor=request.user, transfer=t, **d)  # noqa: E731
    return form, call, _("Return the letter"), _("The letter has been returned.")


def _revoke(request, t, data):
    form = forms.RevokeForm(data)
    call = lambda d: services.transfer_revoke(actor=request.user, transfer=t, **d)  # noqa: E731
    return form, call, _("Revoke the transfer"), _("The transfer has been revoked.")


def _expire(request, t, data):
    form = forms.ExpireForm(data)
    call = lambda d: services.transfer_expire(actor=request.user, transfer=t)  # noqa: E731
    return form, call, _("Mark the letter as expired"), _("The letter is marked as expired.")


ACTIONS = {
    "issue": _issue,
    "receive": _receive,
    "receipt": _receipt,
    "return": _return,
    "revoke": _revoke,
    "expire": _expire,
}


@login_required
@require_http_methods(["GET", "POST"])
def transfer_action(request, pk, action):
    """One step of the state machine; 403 when the step is not the user's side's to take now."""
    require_structure_access(request.scope)
    transfer = selectors.transfer_get(scope=request.scope, pk=pk)
    if action not in ACTIONS:
        raise PermissionDenied
    require(action in selectors.transfer_actions(scope=request.scope, transfer=transfer))
    form, call, title, done_message = ACTIONS[action](
        request, transfer, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        done, _f = run_service(form, lambda: call(form.cleaned_data))
        if done:
            messages.success(request, done_message)
            return redirect("transfers:detail", pk=transfer.pk)
    return render(
        request,
        "transfers/transfer_action.html",
        {"form": form, "t": transfer, "title": title, "action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_letter(request, pk):
    """The three-part letter as PDF, ID number masked; with a POSTed reason, in the clear (the
    reveal is logged on the member). Every print is audited."""
    require_structure_access(request.scope)
    transfer = selectors.transfer_get(scope=request.scope, pk=pk)
    require("print" in selectors.transfer_actions(scope=request.scope, transfer=transfer))
    id_number, reason = None, ""
    if request.method == "POST":
        form = forms.LetterRevealForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("transfers:detail", pk=transfer.pk)
        from gangwan.members.services import member_reveal

        reason = form.cleaned_data["reason"]
        id_number = member_reveal(
            actor=request.user, member=transfer.member, field="id_number", reason=reason
        )
    audit_record(
        actor=request.user,
        action="transfer.letter.print",
        obj=transfer,
        after={"letter_no": transfer.letter_no, "id_number": "full" if id_number else "masked"},
        reason=reason,
    )
    resp = HttpResponse(
        render_letter(transfer, id_number=id_number), content_type="application/pdf"
    )
    resp["Content-Disposition"] = f'inline; filename="transfer-letter-{transfer.pk}.pdf"'
    resp["Cache-Control"] = "no-store"
    return resp
