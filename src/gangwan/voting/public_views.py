"""The public vote on the portal (no account): a poll's page, verification (phone and code, a
sum first when the poll asks for it), choosing, casting, the thank-you and the results."""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gangwan.core.crypto import mask_phone
from gangwan.core.throttle import client_ip

from . import selectors, services, verification
from .forms import ChooseForm, CodeForm, PhoneForm
from .models import Ballot, Poll

RECEIPT_SALT = "gangwan.voting.receipt"


def _poll(pk: int) -> Poll:
    """A poll the public may see (one with candidates); 404 otherwise."""
    return get_object_or_404(selectors.public_polls(), pk=pk)


def poll_list(request):
    polls = selectors.public_polls().order_by("-opens_at")[:50]
    return render(request, "voting/public_list.html", {"polls": polls})


def poll_detail(request, pk: int):
    poll = _poll(pk)
    candidates = list(selectors.candidates_of(poll))
    if not candidates:
        raise Http404
    return render(
        request,
        "voting/public_poll.html",
        {"poll": poll, "candidates": candidates, "results_visible": poll.results_visible()},
    )


def _asking(form, question):
    if question:
        form.fields["captcha_answer"].label = _("Answer the sum: %(q)s") % {"q": question}
    return form


def _refuse(form, field, exc: ValidationError):
    form.add_error(field if field in form.fields else None, exc.messages)


@never_cache
def verify(request, pk: int):
    """Step 1: the phone (and the sum); step 2: the code. Ends on the choose page."""
    poll = _poll(pk)
    if not poll.is_open():
        return render(request, "voting/public_closed.html", {"poll": poll}, status=403)
    ip = client_ip(request)
    v = verification.verifier()
    if request.method == "POST" and request.POST.get("step") == "code":
        form = CodeForm(request.POST)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            try:
                verification.limit_code_checks(identity=phone, region=poll.region)
                voter_key = v.confirm(poll=poll, identity=phone, code=form.cleaned_data["code"])
            except ValidationError as exc:
                _refuse(form, "code", exc)
            else:
                token = verification.voter_token(poll=poll, voter_key=voter_key)
                return _choose(
                    request,
                    poll,
                    ChooseForm(
                        initial={"token": token},
                        poll=poll,
                        candidates=selectors.candidates_of(poll),
                    ),
                )
        return render(
            request,
            "voting/public_code.html",
            {"poll": poll, "form": form, "phone_masked": mask_phone(request.POST.get("phone", ""))},
            status=422,
        )
    if request.method == "POST":
        form = PhoneForm(request.POST, captcha=poll.captcha)
        if form.is_valid():
            phone = form.cleaned_data["phone"].strip()
            try:
                if poll.captcha:
                    verification.captcha_check(
                        token=form.cleaned_data["captcha_token"],
                        answer=form.cleaned_data["captcha_answer"],
                    )
                verification.limit_code_requests(ip=ip, identity=phone, region=poll.region)
                v.start(poll=poll, identity=phone)
            except ValidationError as exc:
                _refuse(form, "captcha_answer" if exc.code == "captcha" else "phone", exc)
            else:
                code_form = CodeForm(initial={"phone": phone})
                return render(
                    request,
                    "voting/public_code.html",
                    {"poll": poll, "form": code_form, "phone_masked": mask_phone(phone)},
                )
        question = None
        if poll.captcha:
            question, token = verification.captcha_new()
            data = form.data.copy()
            data["captcha_token"] = token
            data["captcha_answer"] = ""
            form.data = data
        return render(
            request,
            "voting/public_verify.html",
            {"poll": poll, "form": _asking(form, question)},
            status=422,
        )
    form = PhoneForm(captcha=poll.captcha)
    question = None
    if poll.captcha:
        question, token = verification.captcha_new()
        form.initial["captcha_token"] = token
    return render(
        request, "voting/public_verify.html", {"poll": poll, "form": _asking(form, question)}
    )


def _choose(request, poll, form, status=200):
    return render(
        request,
        "voting/public_choose.html",
        {
            "poll": poll,
            "form": form,
            "candidates": form.fields["choices"].candidates,
            "selected": {int(x) for x in form.data.getlist("choices") if str(x).isdigit()}
            if form.is_bound
            else set(),
        },
        status=status,
    )


@require_POST
@never_cache
def cast(request, pk: int):
    poll = _poll(pk)
    form = ChooseForm(request.POST, poll=poll, candidates=selectors.candidates_of(poll))
    if not form.is_valid():
        if "token" in form.errors:
            return redirect("voting_public:verify", pk=poll.pk)
        return _choose(request, poll, form, status=422)
    try:
        verification.limit_casts(ip=client_ip(request))
        voter_key = verification.voter_from_token(poll=poll, token=form.cleaned_data["token"])
        ballot = services.ballot_cast(
            poll=poll,
            voter_key=voter_key,
            choices=form.cleaned_data["choices"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        if exc.code == "unverified":
            return render(
                request,
                "voting/public_refused.html",
                {"poll": poll, "message": " ".join(exc.messages)},
                status=403,
            )
        if exc.code in ("duplicate", "closed", "not_open", "rate_limited"):
            return render(
                request,
                "voting/public_refused.html",
                {"poll": poll, "message": " ".join(exc.messages)},
                status=429 if exc.code == "rate_limited" else 409,
            )
        form.add_error(None, exc.messages)
        return _choose(request, poll, form, status=422)
    receipt = signing.dumps(ballot.pk, salt=RECEIPT_SALT)
    return redirect("voting_public:thanks", pk=poll.pk, receipt=receipt)


def thanks(request, pk: int, receipt: str):
    try:
        ballot_id = signing.loads(receipt, salt=RECEIPT_SALT, max_age=7 * 86400)
    except signing.BadSignature:
        raise Http404 from None
    ballot = get_object_or_404(Ballot.objects.select_related("poll"), pk=ballot_id, poll_id=pk)
    chosen = selectors.candidates_of(ballot.poll).filter(
        pk__in=ballot.choices.values("candidate_id")
    )
    return render(
        request,
        "voting/public_thanks.html",
        {"poll": ballot.poll, "ballot": ballot, "chosen": chosen},
    )


def results(request, pk: int):
    poll = _poll(pk)
    if not poll.results_visible():
        # A normal page saying when the results come out (no counts in it), not an error.
        return render(request, "voting/public_results.html", {"poll": poll, "hidden": True})
    rows = selectors.poll_results(poll=poll)
    summary = selectors.poll_summary(poll=poll)
    top = max([r["votes"] for r in rows] + [1])
    for r in rows:
        r["pct"] = round(100 * r["votes"] / top)
    return render(
        request, "voting/public_results.html", {"poll": poll, "rows": rows, "summary": summary}
    )
