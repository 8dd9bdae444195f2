"""Scope on every co-building view, export and endpoint: a reviewer (no structure) gets 403, the
小港 street admin sees nothing of 新碶's 芙蓉社区 (404 on its objects, empty lists and exports),
and lists stay within a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gangwan.cobuild import projects, services
from gangwan.cobuild.models import Moderation, Need, Project
from gangwan.core.tokens import api_token_create
from tests.test_api import Api
from tests.test_cobuild_story import CobuildWorld


class ScopeWorld(CobuildWorld):
    def __init__(self, d):
        super().__init__(d)
        self.published = services.need_post(
            actor=self.furong_secretary,
            title="芙蓉社区需要幼儿园",
            text="芙蓉社区没有幼儿园，孩子入园难",
            category="childcare",
            region=self.furong,
            urgency="high",
            poster_kind="community",
            poster_name="芙蓉社区",
        )
        self.pending = services.need_post(
            actor=None,
            title="芙蓉社区路灯坏了",
            text="三号楼前路灯坏了两个月",
            category="safety",
            region=self.furong,
            urgency="normal",
            poster_kind="resident",
            poster_name="赵先生",
            phone="13957411111",
            public=True,
        )
        Need.objects.filter(pk=self.pending.pk).update(moderation=Moderation.PENDING)
        self.council = projects.council_create(
            actor=self.admin,
            region=self.furong,
            name="芙蓉社区和谐理事会",
            established_on=dt.date(2024, 1, 1),
        )
        seat = projects.council_seat_add(
            actor=self.admin,
            council=self.council,
            name="张理事",
            constituency="residents",
            term_starts=dt.date(2024, 1, 1),
            term_ends=dt.date(2030, 1, 1),
        )
        self.meeting = projects.meeting_record(
            actor=self.admin, council=self.council, held_on=dt.date(2025, 3, 1), present=[seat]
        )
        self.item = projects.deliberation_add(
            actor=self.admin, meeting=self.meeting, title="议题", proposal="提议"
        )
        self.project = projects.project_create(
            actor=self.admin,
            title="芙蓉社区幼儿园项目",
            region=self.furong,
            organization=self.furong_committee,
            funder=self.geely,
        )
        self.milestone = projects.milestone_add(
            actor=self.admin, project=self.project, title="开工", due_on=dt.date(2025, 5, 1)
        )


@pytest.fixture
def world(district):
    return ScopeWorld(district)


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def object_urls(w):
    """(method, url) of every back-office view on 芙蓉社区's objects."""
    return [
        ("get", reverse("cobuild:need", args=[w.pending.pk])),
        ("get", reverse("cobuild:council", args=[w.council.pk])),
        ("get", reverse("cobuild:meeting", args=[w.meeting.pk])),
        ("get", reverse("cobuild:project", args=[w.project.pk])),
        ("get", reverse("cobuild:resource", args=[w.kindergarten_fund.pk])),
        ("post", reverse("cobuild:need_moderate", args=[w.pending.pk])),
        ("post", reverse("cobuild:need_close", args=[w.pending.pk])),
        ("post", reverse("cobuild:resource_withdraw", args=[w.kindergarten_fund.pk])),
        ("post", reverse("cobuild:meeting_create", args=[w.council.pk])),
        ("post", reverse("cobuild:agenda_add", args=[w.meeting.pk])),
        ("post", reverse("cobuild:decide", args=[w.meeting.pk, w.item.pk])),
        ("post", reverse("cobuild:milestone_add", args=[w.project.pk])),
        ("post", reverse("cobuild:milestone_done", args=[w.project.pk, w.milestone.pk])),
        ("post", reverse("cobuild:project_complete", args=[w.project.pk])),
    ]


LISTS = [
    "cobuild:needs",
    "cobuild:resources",
    "cobuild:projects",
    "cobuild:councils",
    "cobuild:need_create",
    "cobuild:resource_create",
    "cobuild:exchange_create",
    "cobuild:council_create",
    "cobuild:project_create",
]
EXPORTS = ["cobuild:need_export", "cobuild:resource_export", "cobuild:project_export"]


def test_users_without_structure_get_403_everywhere(world):
    c = client_for(world.reviewer)
    for name in LISTS + EXPORTS:
        assert c.get(reverse(name)).status_code == 403, name
    for method, url in object_urls(world) + [
        ("get", reverse("cobuild:need", args=[world.published.pk])),
        ("post", reverse("cobuild:need_claim", args=[world.published.pk])),
    ]:
        assert getattr(c, method)(url).status_code == 403, url


def test_anonymous_users_are_sent_to_log_in(world):
    c = Client()
    for name in LISTS + EXPORTS:
        resp = c.get(reverse(name))
        assert resp.status_code == 302 and "login" in resp.url


def test_another_street_sees_none_of_furongs_objects(world):
    c = client_for(world.xiaogang_admin)
    for method, url in object_urls(world):
        assert getattr(c, method)(url).status_code == 404, url
    needs = c.get(reverse("cobuild:needs")).context["page"]
    assert world.published not in needs and world.pending not in needs
    assert not c.get(reverse("cobuild:projects")).context["page"].object_list
    assert not list(c.get(reverse("cobuild:councils")).context["councils"])
    resources = c.get(reverse("cobuild:resources")).context["page"]
    assert world.kindergarten_fund not in resources and world.silt_site in resources
    # A published need of another area can be read (it is on the portal) but not moderated.
    assert c.get(reverse("cobuild:need", args=[world.published.pk])).status_code == 200
    resp = c.post(reverse("cobuild:need_close", args=[world.published.pk]), {"reason": "x"})
    assert resp.status_code == 404
    # Forms offer only the user's own areas.
    form = c.get(reverse("cobuild:need_create")).context["form"]
    assert world.furong not in form.fields["region"].queryset
    assert world.d.qingzhi in form.fields["region"].queryset


@pytest.mark.parametrize("name", EXPORTS)
def test_exports_are_cut_to_the_scope(world, name):
    keeper = world.geely_secretary if name == "cobuild:resource_export" else world.furong_secretary
    inside = client_for(keeper).get(reverse(name))
    outside = client_for(world.xiaogang_admin).get(reverse(name))
    assert inside.status_code == outside.status_code == 200
    assert inside["Content-Type"].startswith("application/vnd.openxmlformats")

    def cells(resp):
        ws = load_workbook(io.BytesIO(resp.content), read_only=True).active
        return " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row if c)

    marker = {
        "cobuild:need_export": "芙蓉社区需要幼儿园",
        "cobuild:resource_export": "吉利出资捐建普惠性幼儿园",
        "cobuild:project_export": "芙蓉社区幼儿园项目",
    }[name]
    assert marker in cells(inside) and marker not in cells(outside)
    assert "13957411111" not in cells(inside)


def test_photos_are_served_only_in_scope_and_when_published(world):
    from django.core.files.base import ContentFile

    from gangwan.cobuild.models import NeedPhoto

    photo = NeedPhoto(need=world.pending, content_type="image/png", size=10)
    photo.file.save("x.png", ContentFile(b"\x89PNG\r\n\x1a\n00"), save=True)
    assert (
        client_for(world.furong_secretary)
        .get(reverse("cobuild:photo", args=[photo.pk]))
        .status_code
        == 200
    )
    assert (
        client_for(world.xiaogang_admin).get(reverse("cobuild:photo", args=[photo.pk])).status_code
        == 404
    )
    public = Client()
    assert public.get(reverse("cobuild_public:photo", args=[photo.pk])).status_code == 404
    Need.objects.filter(pk=world.pending.pk).update(moderation=Moderation.APPROVED)
    assert public.get(reverse("cobuild_public:photo", args=[photo.pk])).status_code == 200


def test_public_pages_show_only_published_needs_and_done_projects(world):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = c.get(reverse("cobuild_public:area", args=[world.furong.pk])).content.decode()
    assert world.published.title in page and world.pending.title not in page
    assert c.get(reverse("cobuild_public:need", args=[world.pending.pk])).status_code == 404
    assert c.get(reverse("cobuild_public:project", args=[world.project.pk])).status_code == 404
    assert "13957411111" not in page


# --- API -------------------------------------------------------------------------------------------
def api(user) -> Api:
    return Api(api_token_create(actor=user, user=user, name="t")[1])


def test_api_reads_are_cut_to_the_scope(world):
    inside, outside, reviewer = (
        api(world.furong_secretary),
        api(world.xiaogang_admin),
        api(world.reviewer),
    )
    ids = {n["id"] for n in inside.get("/cobuild/needs").json()["items"]}
    assert {world.published.pk, world.pending.pk} <= ids
    assert not {world.published.pk, world.pending.pk} & {
        n["id"] for n in outside.get("/cobuild/needs").json()["items"]
    }
    for path in [
        "/cobuild/needs",
        "/cobuild/resources",
        "/cobuild/projects",
        "/cobuild/figures",
        f"/cobuild/needs/{world.published.pk}",
    ]:
        assert reviewer.get(path).status_code == 403, path
    for path in [
        f"/cobuild/needs/{world.pending.pk}",
        f"/cobuild/needs/{world.pending.pk}/matches",
        f"/cobuild/needs/{world.pending.pk}/suggestions",
        f"/cobuild/projects/{world.project.pk}",
    ]:
        assert outside.get(path).status_code == 404, path
        assert inside.get(path).status_code == 200, path
    path = f"/cobuild/resources/{world.kindergarten_fund.pk}/suggestions"
    assert outside.get(path).status_code == 404
    found = api(world.geely_secretary).get(path).json()
    assert found[0]["id"] == world.published.pk and found[0]["kind"] == "need"
    assert Api().get("/cobuild/needs").status_code == 401


def test_api_suggestions_give_reasons_and_claims_go_through_the_service(world):
    sec = api(world.geely_secretary)
    found = sec.get(f"/cobuild/needs/{world.published.pk}/suggestions").json()
    top = found["resources"][0]
    assert top["id"] == world.kindergarten_fund.pk
    assert {r["key"] for r in top["reasons"]} >= {"category", "distance", "text"}
    resp = sec.post(
        f"/cobuild/needs/{world.published.pk}/claim", {"resource": world.kindergarten_fund.pk}
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["how"] == "claim"
    again = sec.post(
        f"/cobuild/needs/{world.published.pk}/claim", {"resource": world.kindergarten_fund.pk}
    )
    assert again.status_code == 422
    # A resource outside one's scope cannot be used to claim.
    resp = sec.post(f"/cobuild/needs/{world.published.pk}/claim", {"resource": world.silt_site.pk})
    assert resp.status_code == 404
    # Dispatching a member needs the need's area.
    resp = sec.post(f"/cobuild/needs/{world.published.pk}/claim", {"member": world.old_member.pk})
    assert resp.status_code == 403


def test_api_writes_refuse_out_of_scope_and_complete_projects(world):
    outside = api(world.xiaogang_admin)
    resp = outside.post(
        "/cobuild/needs",
        {
            "title": "t",
            "text": "x",
            "category": "other",
            "region": world.furong.pk,
            "poster_name": "x",
        },
    )
    assert resp.status_code == 422
    assert (
        outside.post(f"/cobuild/needs/{world.pending.pk}/close", {"reason": "x"}).status_code == 404
    )
    assert (
        outside.post(
            f"/cobuild/projects/{world.project.pk}/complete", {"completed_on": "2026-01-01"}
        ).status_code
        == 404
    )
    inside = api(world.furong_secretary)
    resp = inside.post(
        "/cobuild/needs",
        {
            "title": "芙蓉社区健身器材损坏",
            "text": "小区健身器材损坏需要更换",
            "category": "venues",
            "region": world.furong.pk,
            "poster_name": "芙蓉社区",
        },
    )
    assert resp.status_code == 201 and resp.json()["moderation"] == "approved"
    today = timezone.localdate().isoformat()
    resp = inside.post(f"/cobuild/projects/{world.project.pk}/complete", {"completed_on": today})
    assert resp.status_code == 422 and "Milestones not done yet" in str(resp.json())
    projects.milestone_done(
        actor=world.admin, milestone=world.milestone, done_on=dt.date(2025, 5, 1), evidence="照片"
    )
    resp = inside.post(f"/cobuild/projects/{world.project.pk}/complete", {"completed_on": today})
    assert resp.status_code == 200 and resp.json()["status"] == "done"
    figures = inside.get("/cobuild/figures").json()
    assert figures["projects_done"] == 1


# --- query counts ------------------------------------------------------------------------------
def _many(world, n=40):
    for i in range(n):
        services.need_post(
            actor=world.admin,
            title=f"需求{i}",
            text="社区需要志愿者",
            category="elderly",
            region=world.furong,
            urgency="normal",
            poster_kind="community",
            poster_name="芙蓉社区",
        )
        services.resource_offer(
            actor=world.admin,
            title=f"资源{i}",
            text="志愿者",
            category="elderly",
            kind="people",
            region=world.furong,
            holder_kind="organization",
            holder_organization=world.furong_committee,
        )
        projects.project_create(
            actor=world.admin,
            title=f"项目{i}",
            region=world.furong,
            organization=world.furong_committee,
            funder=world.geely,
        )


@pytest.mark.parametrize(
    "name", ["cobuild:needs", "cobuild:resources", "cobuild:projects", "cobuild:councils"]
)
def test_back_office_lists_use_a_bounded_number_of_queries(
    world, name, django_assert_max_num_queries
):
    _many(world)
    c = client_for(world.admin)
    with django_assert_max_num_queries(12):
        assert c.get(reverse(name)).status_code == 200


@pytest.mark.parametrize(
    "name,args",
    [
        ("cobuild_public:index", []),
        ("cobuild_public:projects", []),
        ("cobuild_public:area", ["furong"]),
    ],
)
def test_public_lists_use_a_bounded_number_of_queries(
    world, name, args, django_assert_max_num_queries
):
    _many(world)
    for p in Project.objects.filter(milestones__isnull=True)[:20]:
        projects.project_complete(actor=world.admin, project=p, completed_on=timezone.localdate())
    c = Client()
    url = reverse(name, args=[world.furong.pk] if args else [])
    with django_assert_max_num_queries(8):
        assert c.get(url).status_code == 200


def test_the_dashboard_panel_and_the_api_list_use_bounded_queries(
    world, django_assert_max_num_queries
):
    _many(world)
    c = client_for(world.admin)
    resp = c.get(reverse("dashboard:home"))
    assert resp.status_code == 200 and "gw-panel-cobuild" in resp.content.decode()
    assert "cobuild_states" in resp.context["charts"]
    sec = api(world.admin)
    with django_assert_max_num_queries(10):
        assert sec.get("/cobuild/needs").status_code == 200
    with django_assert_max_num_queries(10):
        assert sec.get("/cobuild/projects").status_code == 200


def test_every_page_renders_for_the_keeper_and_forms_create_through_the_services(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gangwan.cobuild.models import Resource

    c = client_for(world.furong_secretary)
    for _method, url in object_urls(world)[:4]:
        assert c.get(url).status_code == 200, url
    for name in LISTS:
        assert c.get(reverse(name)).status_code == 200, name
    resp = c.post(
        reverse("cobuild:need_create"),
        {
            "title": "芙蓉社区老年食堂缺少运营经费",
            "text": "居家养老服务站助餐服务难以维持",
            "category": "elderly",
            "region": world.furong.pk,
            "urgency": "normal",
            "poster_kind": "community",
            "poster_name": "芙蓉社区",
            "phone": "",
            "photos": [SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32)],
        },
    )
    need = Need.objects.get(title="芙蓉社区老年食堂缺少运营经费")
    assert resp.status_code == 302 and need.photos.count() == 1
    assert need.moderation == Moderation.APPROVED
    resp = c.post(
        reverse("cobuild:resource_create"),
        {
            "title": "芙蓉社区党员志愿服务队",
            "text": "每周上门探望独居老人",
            "category": "elderly",
            "kind": "people",
            "capacity": "20人",
            "skills": "探望, 助餐",
            "region": world.furong.pk,
            "holder_kind": "organization",
            "holder_organization": world.furong_committee.pk,
        },
    )
    resource = Resource.objects.get(title="芙蓉社区党员志愿服务队")
    assert resp.status_code == 302 and resource.holder_organization == world.furong_committee
    # An organization outside one's scope is not offered as a holder.
    resp = c.post(
        reverse("cobuild:resource_create"),
        {
            "title": "x",
            "category": "elderly",
            "kind": "people",
            "region": world.furong.pk,
            "holder_kind": "organization",
            "holder_organization": world.d.qingzhi_committee.pk,
        },
    )
    assert resp.status_code == 200 and resp.context["form"].errors
    resp = c.post(
        reverse("cobuild:project_create"),
        {
            "title": "芙蓉社区老年食堂",
            "region": world.furong.pk,
            "organization": world.furong_committee.pk,
            "funder": world.geely.pk,
            "budget": "50000",
            "needs": [need.pk],
            "resources": [resource.pk],
        },
    )
    assert resp.status_code == 302
    need.refresh_from_db()
    assert need.state == "in_project"
    assert c.get(reverse("cobuild:resource", args=[resource.pk])).status_code == 200


def test_claims_and_exchanges_refuse_resources_and_needs_outside_the_scope(world):
    c = client_for(world.xiaogang_admin)
    # 吉利's fund (大港, 新碶) is not the 小港 admin's to give.
    url = reverse("cobuild:need_claim", args=[world.published.pk])
    assert c.post(url, {"resource": world.kindergarten_fund.pk}).status_code == 404
    # Nor may he dispatch a member to 芙蓉's need.
    assert c.post(url, {"member": world.old_member.pk}).status_code == 403
    # The exchange form offers only his own needs and resources.
    resp = c.post(
        reverse("cobuild:exchange_create"),
        {
            "title": "x",
            "first_need": world.published.pk,
            "first_resource": world.silt_site.pk,
            "second_need": world.published.pk,
            "second_resource": world.kindergarten_fund.pk,
        },
    )
    assert resp.status_code == 200
    assert {"first_need", "second_need", "second_resource"} <= set(resp.context["form"].errors)
    assert not world.published.matches.exists()


def test_one_feedback_per_person_is_a_database_constraint(world):
    from django.db import IntegrityError, transaction

    from gangwan.cobuild.models import Feedback
    from gangwan.core import crypto

    p = world.project
    Feedback.objects.create(project=p, phone_hash=crypto.blind_index("13957410077"), rating=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(project=p, phone_hash=crypto.blind_index("13957410077"), rating=1)
