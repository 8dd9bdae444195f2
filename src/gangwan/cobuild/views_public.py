"""The public face of co-building (/portal/cobuild/): the needs page per area, posting a need with
a phone code (rate-limited, moderated before publication), the done projects and their feedback."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gangwan.core import crypto
from gangwan.core.phone_verification import code_check, code_send
from gangwan.core.rules import rule_value
from gangwan.core.throttle import client_ip
from gangwan.core.viewutils import run_service
from gangwan.regions.models import Region

from . import projects, selectors, services
from .forms import CodeForm, FeedbackForm, PublicNeedForm
from .models import Moderation, Need, NeedPhoto

SESSION_NEED = "cobuild_need"
SESSION_FEEDBACK = "cobuild_feedback"
HOUR, DAY = 3600, 86400


def _count(key: str, window: int) -> None:
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)


def _keys(ip: str, phone: str) -> tuple[str, str]:
    return (
        f"cobuild:need:ip:{crypto.blind_index(ip or '-')}",
        f"cobuild:need:phone:{crypto.blind_index(phone)}",
    )


def post_refusal(*, ip: str, phone: str) -> str | None:
    ip_key, phone_key = _keys(ip, phone)
    counts = cache.get_many([ip_key, phone_key])
    if counts.get(ip_key, 0) >= rule_value("R48.needs_per_ip_per_hour"):
        return _("Too many needs were posted from your network in the last hour. Please try later.")
    if counts.get(phone_key, 0) >= rule_value("R48.needs_per_phone_per_day"):
        return _("This phone number has posted %(n)s needs today. Please try again tomorrow.") % {
            "n": rule_value("R48.needs_per_phone_per_day")
        }
    return None


def _public_areas():
    return (
        Region.objects.filter(level__in=["community", "village"])
        .select_related("parent")
        .order_by("path")
    )


def index(request):
    return render(
        request,
        "cobuild/public/index.html",
        {
            "areas": selectors.public_areas(),
            "needs": selectors.needs_public()[:10],
            "projects": selectors.projects_public()[:5],
        },
    )


def area_needs(request, region_pk):
    region = get_object_or_404(Region, pk=region_pk)
    page = Paginator(selectors.needs_public(region=region), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cobuild/public/area.html",
        {"region": region, "page": page, "querystring": ""},
    )


def need_detail(request, pk):
    need = get_object_or_404(
        Need.objects.select_related("region", "region__parent"),
        pk=pk,
        moderation=Moderation.APPROVED,
    )
    return render(
        request,
        "cobuild/public/need.html",
        {
            "need": need,
            "photos": need.photos.all(),
            "projects": need.projects.filter(status="done"),
        },
    )


def need_photo(request, pk):
    photo = get_object_or_404(NeedPhoto, pk=pk, need__moderation=Moderation.APPROVED)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@never_cache
def need_post(request):
    areas = _public_areas()
    initial = {}
    if request.GET.get("area", "").isdigit():
        initial["region"] = request.GET["area"]
    form = PublicNeedForm(request.POST or None, request.FILES or None, areas=areas, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ip = client_ip(request)
        refusal = post_refusal(ip=ip, phone=d["phone"])
        if refusal is None:
            # Every attempt counts, refused ones too (a refused code, a duplicate, bad photos).
            for key, window in zip(_keys(ip, d["phone"]), (HOUR, DAY), strict=True):
                _count(key, window)
            need, _f = run_service(
                form,
                lambda: services.need_post(
                    actor=None,
                    title=d["title"],
                    text=d["text"],
                    category=d["category"],
                    region=d["region"],
                    urgency=d["urgency"],
                    poster_kind=d["poster_kind"],
                    poster_name=d["poster_name"],
                    phone=d["phone"],
                    photos=d["photos"],
                    public=True,
                ),
            )
            if need:
                request.session[SESSION_NEED] = need.pk
                return redirect("cobuild_public:verify")
    return render(
        request,
        "cobuild/public/post.html",
        {"form": form, "refusal": refusal},
        status=429 if refusal else (422 if request.method == "POST" else 200),
    )


def _pending(request) -> Need | None:
    pk = request.session.get(SESSION_NEED)
    if not pk:
        return None
    return Need.objects.filter(pk=pk, moderation=Moderation.UNVERIFIED).first()


@never_cache
def verify(request):
    need = _pending(request)
    if need is None:
        return redirect("cobuild_public:post")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_verify(need=need, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.messages)
        else:
            request.session.pop(SESSION_NEED, None)
            request.session["cobuild_thanks"] = need.moderation
            return redirect("cobuild_public:thanks")
    return render(
        request,
        "cobuild/public/verify.html",
        {
            "form": form,
            "phone": need.phone_masked,
            "action_url": request.path,
            "resend": True,
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
def resend(request):
    need = _pending(request)
    if need is None:
        return redirect("cobuild_public:post")
    try:
        services.need_code_resend(need=need)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A new code is on its way."))
    return redirect("cobuild_public:verify")


def thanks(request):
    state = request.session.pop("cobuild_thanks", None)
    if state is None:
        return redirect("cobuild_public:index")
    return render(request, "cobuild/public/thanks.html", {"held": state == Moderation.HELD})


# --- projects -------------------------------------------------------------------------------------
def project_list(request):
    page = Paginator(selectors.projects_public(), 20).get_page(request.GET.get("page"))
    return render(request, "cobuild/public/projects.html", {"page": page, "querystring": ""})


@never_cache
def project_detail(request, pk):
    project = selectors.projects_public().filter(pk=pk).first()
    if project is None:
        raise Http404
    form = FeedbackForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ip_key = f"cobuild:feedback:ip:{crypto.blind_index(client_ip(request) or '-')}"
        if (cache.get(ip_key) or 0) >= rule_value("R48.needs_per_ip_per_hour") * 4:
            refused = True
            form.add_error(None, _("Too many requests from your network. Please try later."))
        else:
            _count(ip_key, HOUR)
    if request.method == "POST" and form.is_valid() and not refused:
        d = form.cleaned_data
        try:
            code_send(phone=d["phone"], purpose=projects.FEEDBACK_PURPOSE)
        except ValidationError as exc:
            form.add_error("phone", exc.messages)
        else:
            # The feedback waits in the session, not in the database, until the phone is proven.
            request.session[SESSION_FEEDBACK] = {
                "project": project.pk,
                "phone": crypto.encrypt(d["phone"]),
                "rating": d["rating"],
                "comment": d["comment"],
            }
            return redirect("cobuild_public:feedback_verify", pk=project.pk)
    return render(
        request,
        "cobuild/public/project.html",
        {
            "project": project,
            "milestones": project.milestones.all(),
            "feedback": project.feedback.filter(is_hidden=False)[:30],
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


@never_cache
def feedback_verify(request, pk):
    pending = request.session.get(SESSION_FEEDBACK)
    project = selectors.projects_public().filter(pk=pk).first()
    if project is None or not pending or pending.get("project") != project.pk:
        return redirect("cobuild_public:projects")
    phone = crypto.decrypt(pending["phone"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code_check(
                phone=phone,
                purpose=projects.FEEDBACK_PURPOSE,
                code=form.cleaned_data["code"],
            )
            projects.feedback_submit(
                project=project,
                phone=phone,
                rating=pending["rating"],
                comment=pending["comment"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "twice":
                request.session.pop(SESSION_FEEDBACK, None)
                messages.error(request, " ".join(exc.messages))
                return redirect("cobuild_public:project", pk=pk)
            form.add_error("code", exc.messages)
        else:
            request.session.pop(SESSION_FEEDBACK, None)
            messages.success(request, _("Thank you for your feedback."))
            return redirect("cobuild_public:project", pk=pk)
    return render(
        request,
        "cobuild/public/verify.html",
        {
            "form": form,
            "phone": crypto.mask_phone(phone),
            "action_url": request.path,
        },
        status=422 if request.method == "POST" else 200,
    )
