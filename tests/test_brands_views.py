"""The back office of service brands: scope on every view and export (404 outside it, 403 when
one may read but not change), the advisory group's problem page, the event's waiting list, and
bounded queries on the brand and coverage pages."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from gangwan.brands import services
from gangwan.brands.models import EnterpriseProblem, ServiceBrand, ServiceRecord
from tests import factories as f
from tests.test_brands_services import TODAY, BrandsWorld, _register


@pytest.fixture
def world(district):
    w = BrandsWorld(district)
    w.problem_obj = w.problem()
    w.event_obj = w.event(capacity=1)
    w.regs = _register(w.event_obj, 2)
    services.record_create(
        actor=None,
        brand=w.advisory,
        served_on=TODAY,
        title="融资政策宣讲",
        served_unit=w.dagang_unit,
        hours=2,
    )
    services.record_create(
        actor=None,
        brand=w.sunflower,
        served_on=TODAY,
        title="关爱外来务工子女",
        served_text="青峙社区外来务工家庭",
        hours=4,
    )
    return w


def client_for(world, role) -> Client:
    c = Client(headers={"Accept-Language": "en"})
    c.force_login(world.users[role])
    return c


def test_the_brand_list_is_cut_to_the_scope(world):
    assert set(_names(client_for(world, "district_admin"))) == {
        "企业顾问团",
        "一员双岗",
        "向日葵工程",
    }
    assert set(_names(client_for(world, "xinqi_admin"))) == {"企业顾问团", "一员双岗"}
    # 大港's regional branch sees its own brand and the one it partners in.
    assert set(_names(client_for(world, "dagang_secretary"))) == {"企业顾问团", "一员双岗"}
    assert set(_names(client_for(world, "qingzhi_secretary"))) == {"向日葵工程"}


def _names(client):
    resp = client.get(reverse("brands:list"))
    assert resp.status_code == 200
    return [b.name for b in resp.context["page"]]


GET_VIEWS = [
    ("brands:detail", "sunflower"),
    ("brands:edit", "sunflower"),
    ("brands:record_create", "sunflower"),
    ("brands:problem_report", "sunflower"),
    ("brands:event_create", "sunflower"),
    ("brands:event", "event_obj"),
]


@pytest.mark.parametrize("name, attr", GET_VIEWS)
def test_pages_of_another_street_are_404(world, name, attr):
    obj = getattr(world, attr)
    c = client_for(world, "xinqi_admin")
    assert c.get(reverse(name, args=[obj.pk])).status_code == 404
    assert (
        client_for(world, "qingzhi_secretary").get(reverse(name, args=[obj.pk])).status_code == 200
    )


def test_a_problem_of_another_street_is_404_and_its_actions_too(world):
    p = world.problem_obj
    c = client_for(world, "qingzhi_secretary")
    assert c.get(reverse("brands:problem", args=[p.pk])).status_code == 404
    url = reverse("brands:problem_action", args=[p.pk, "take"])
    assert c.post(url, {"on": TODAY.isoformat()}).status_code == 404
    assert (
        client_for(world, "dagang_secretary")
        .get(reverse("brands:problem", args=[p.pk]))
        .status_code
        == 200
    )


def test_registrations_of_another_street_cannot_be_changed(world):
    reg = world.regs[0]
    c = client_for(world, "xinqi_admin")
    assert c.post(reverse("brands:registration", args=[reg.pk, "cancel"])).status_code == 404
    reg.refresh_from_db()
    assert reg.status == "confirmed"


def test_a_partner_reads_the_brand_but_cannot_change_it(world):
    c = client_for(world, "dagang_secretary")
    brand = world.two_posts
    assert c.get(reverse("brands:detail", args=[brand.pk])).status_code == 200
    for name in (
        "brands:edit",
        "brands:record_create",
        "brands:problem_report",
        "brands:event_create",
    ):
        assert c.get(reverse(name, args=[brand.pk])).status_code == 403, name
    resp = c.post(
        reverse("brands:record_create", args=[brand.pk]),
        {"served_on": TODAY.isoformat(), "title": "x", "served_text": "居民", "hours": "1"},
    )
    assert resp.status_code == 403 and not ServiceRecord.objects.filter(brand=brand).exists()


@pytest.mark.parametrize(
    "name",
    [
        "brands:list",
        "brands:problems",
        "brands:events",
        "brands:export",
        "brands:export_records",
        "brands:export_problems",
        "brands:create",
    ],
)
def test_users_without_structure_access_get_403(world, name):
    assert client_for(world, "reviewer").get(reverse(name)).status_code == 403
    anon = Client().get(reverse(name))
    assert anon.status_code == 302 and "login" in anon["Location"]


def _sheet(resp):
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_exports_hold_only_what_is_in_scope(world):
    services.problem_transition(actor=None, problem=world.problem_obj, action="take")
    c = client_for(world, "qingzhi_secretary")
    brands = _sheet(c.get(reverse("brands:export")))
    assert [r[0] for r in brands[1:]] == ["向日葵工程"] and brands[0][0] == "Name"
    records = _sheet(c.get(reverse("brands:export_records")))
    assert [r[2] for r in records[1:]] == ["关爱外来务工子女"]
    assert _sheet(c.get(reverse("brands:export_problems")))[1:] == []
    d = client_for(world, "dagang_secretary")
    problems = _sheet(d.get(reverse("brands:export_problems")))
    assert [(r[2], r[5]) for r in problems[1:]] == [("宁波大港模具有限公司", "In hand")]
    assert [r[0] for r in _sheet(d.get(reverse("brands:export")))[1:]] == ["一员双岗", "企业顾问团"]


def test_a_secretary_creates_a_brand_and_records_a_service(world):
    c = client_for(world, "gaotang_secretary")
    resp = c.post(
        reverse("brands:create"),
        {
            "name": "星期六雇员",
            "category": "serve_enterprises",
            "organization": world.d.gaotang_committee.pk,
            "description": "党员周六到企业义务服务",
            "started_on": "2012-04-07",
            "is_public": "on",
        },
    )
    brand = ServiceBrand.objects.get(name="星期六雇员")
    assert resp.status_code == 302 and resp["Location"] == reverse("brands:detail", args=[brand.pk])
    # Someone else's organization cannot be named the owner.
    resp = c.post(
        reverse("brands:create"),
        {
            "name": "x",
            "category": "serve_public",
            "organization": world.d.qingzhi_committee.pk,
            "started_on": "2012-04-07",
        },
    )
    assert resp.status_code == 200 and "organization" in resp.context["form"].errors
    resp = c.post(
        reverse("brands:record_create", args=[brand.pk]),
        {
            "served_on": TODAY.isoformat(),
            "title": "帮企业梳理安全生产台账",
            "served_unit": world.gaotang_unit.pk,
            "hours": "4",
            "feedback": "很实用",
        },
    )
    assert resp.status_code == 302
    record = ServiceRecord.objects.get(brand=brand)
    assert record.served_unit == world.gaotang_unit and record.feedback == "很实用"
    # Bad input: a clear message, nothing written.
    resp = c.post(
        reverse("brands:record_create", args=[brand.pk]),
        {"served_on": (TODAY + dt.timedelta(days=3)).isoformat(), "title": "x", "hours": "1"},
    )
    assert resp.status_code == 200 and resp.context["form"].errors
    assert ServiceRecord.objects.filter(brand=brand).count() == 1


def test_the_advisory_group_takes_and_solves_a_problem_from_its_page(world):
    c = client_for(world, "dagang_secretary")
    resp = c.post(
        reverse("brands:problem_report", args=[world.advisory.pk]),
        {
            "unit": world.dagang_unit.pk,
            "category": "financing",
            "text": "流动资金贷款难",
            "reported_on": TODAY.isoformat(),
        },
    )
    p = EnterpriseProblem.objects.get(text="流动资金贷款难")
    assert resp.status_code == 302
    base = {"on": TODAY.isoformat(), "handler": "顾问团 陈行长"}
    assert c.post(reverse("brands:problem_action", args=[p.pk, "solve"]), base).status_code == 422
    assert c.post(reverse("brands:problem_action", args=[p.pk, "take"]), base).status_code == 302
    resp = c.post(reverse("brands:problem_action", args=[p.pk, "solve"]), base)
    assert resp.status_code == 422 and "resolution" in resp.context["form"].errors
    resp = c.post(
        reverse("brands:problem_action", args=[p.pk, "solve"]),
        {**base, "resolution": "协调农商行授信500万元", "hours": "3"},
    )
    assert resp.status_code == 302
    p.refresh_from_db()
    assert p.status == "solved" and p.record.hours == 3
    assert c.post(reverse("brands:problem_action", args=[p.pk, "bogus"]), base).status_code == 404


def test_cancelling_on_the_event_page_promotes_the_waiting(world):
    c = client_for(world, "qingzhi_secretary")
    first, second = world.regs
    resp = c.get(reverse("brands:event", args=[world.event_obj.pk]) + "?show=waiting")
    assert [r.name for r in resp.context["page"]] == [second.name]
    assert "1390000" not in resp.content.decode()  # phones are masked
    resp = c.post(reverse("brands:registration", args=[first.pk, "cancel"]), {"show": "confirmed"})
    assert resp.status_code == 302
    second.refresh_from_db()
    assert second.status == "confirmed"
    assert c.post(reverse("brands:registration", args=[second.pk, "attend"])).status_code == 302
    second.refresh_from_db()
    assert second.attended
    resp = c.post(
        reverse("brands:event", args=[world.event_obj.pk]),
        {"name": "金敏", "phone": "13911112222", "employer": "三星重工"},
    )
    assert resp.status_code == 302
    assert world.event_obj.registrations.get(name="金敏").status == "waiting"


# --- bounded queries ---------------------------------------------------------------------------
def _more_brands(world, n=12):
    for i in range(n):
        org = f.organization(
            f"高塘企业{i}党支部", "branch", world.d.gaotang, world.d.gaotang_committee
        )
        b = services.brand_create(
            actor=None,
            name=f"品牌{i}",
            category="serve_public",
            organization=org,
            started_on=dt.date(2012, 1, 1),
            partners=[world.d.dagang_regional],
        )
        for j in range(3):
            r = services.record_create(
                actor=None,
                brand=b,
                served_on=TODAY - dt.timedelta(days=30 * j),
                title=f"服务{j}",
                served_unit=world.gaotang_unit,
                hours=2,
            )
            r.members.set([f.member(org)])


def test_brand_list_queries_do_not_grow_with_brands(world, django_assert_max_num_queries):
    _more_brands(world)
    c = client_for(world, "xinqi_admin")
    with django_assert_max_num_queries(16):
        resp = c.get(reverse("brands:list"))
    assert len(resp.context["page"]) == 14


def test_brand_page_queries_do_not_grow_with_records(world, django_assert_max_num_queries):
    _more_brands(world, n=1)
    brand = ServiceBrand.objects.get(name="品牌0")
    for j in range(20):
        r = services.record_create(
            actor=None,
            brand=brand,
            served_on=TODAY - dt.timedelta(days=j),
            title=f"加{j}",
            served_unit=world.gaotang_unit,
            hours=1,
        )
        r.members.set([world.member])
    c = client_for(world, "district_admin")
    with django_assert_max_num_queries(20):
        resp = c.get(reverse("brands:detail", args=[brand.pk]))
    assert resp.status_code == 200 and len(resp.context["records"]) == 23
    assert resp.context["brand"].record_count == 23


def test_problem_and_event_lists_are_bounded(world, django_assert_max_num_queries):
    for _ in range(15):
        world.problem()
    c = client_for(world, "district_admin")
    with django_assert_max_num_queries(14):
        assert c.get(reverse("brands:problems")).status_code == 200
    with django_assert_max_num_queries(12):
        assert c.get(reverse("brands:events")).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("brands:event", args=[world.event_obj.pk])).status_code == 200


def test_r47_coverage_page_by_street_with_its_lists_is_bounded(
    world, django_assert_max_num_queries
):
    """The coverage page (organizations:coverage, reused from the menu of service brands) shows
    coverage by street and community and lists which enterprises lack an organization and which
    have a union, in a bounded number of queries."""
    for i in range(10):
        f.unit(world.d.qingzhi, f"青峙企业{i}", has_union=i % 2 == 0)
    c = client_for(world, "district_admin")
    url = reverse("organizations:coverage")
    with django_assert_max_num_queries(14):
        resp = c.get(url, {"region": world.d.xiaogang.pk, "show": "uncovered"})
    rows = {r["name"]: r for r in resp.context["rows"]}
    assert rows["青峙社区"]["total"] == 11 and rows["青峙社区"]["union"] == 6
    assert "青峙企业0" in [u.name for u in resp.context["page"]]
    with django_assert_max_num_queries(14):
        resp = c.get(url, {"region": world.d.xiaogang.pk, "show": "union"})
    assert "三星重工（宁波）有限公司" in [u.name for u in resp.context["page"]]
    assert (
        client_for(world, "gaotang_secretary").get(url, {"region": world.d.xiaogang.pk}).status_code
        == 404
    )


def test_the_dashboard_shows_the_brands_panel(world):
    services.problem_transition(
        actor=None, problem=world.problem_obj, action="refer", referred_to="区人社局"
    )
    resp = client_for(world, "district_admin").get(reverse("dashboard:home"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert 'id="gw-panel-brands"' in body and "chart-enterprise-problems" in body
    panel = next(
        p for p in resp.context["panels"] if p["template"] == "brands/dashboard_panel.html"
    )
    assert panel["figures"]["brands"] == 3 and panel["figures"]["problems"]["referred"] == 1
    assert client_for(world, "reviewer").get(reverse("dashboard:home")).status_code == 200


def test_the_owner_edits_the_brand_and_the_change_is_audited(world):
    from gangwan.core.models import AuditEntry

    c = client_for(world, "qingzhi_secretary")
    brand = world.sunflower
    resp = c.post(
        reverse("brands:edit", args=[brand.pk]),
        {
            "name": "向日葵工程（青峙）",
            "category": brand.category,
            "organization": world.d.qingzhi_committee.pk,
            "description": "结对外来务工子女",
            "started_on": "2010-06-01",
            "ended_on": "",
        },
    )
    assert resp.status_code == 302
    brand.refresh_from_db()
    assert brand.name == "向日葵工程（青峙）" and brand.is_public is False
    entry = AuditEntry.objects.filter(action="brand.update").latest("at")
    assert entry.before["name"] == "向日葵工程" and entry.after["name"] == "向日葵工程（青峙）"
