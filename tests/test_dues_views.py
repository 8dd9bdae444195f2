"""Dues pages and API: scope matrix (404 outside, 403 for the wrong role, no out-of-scope rows),
recording through the forms, the export and query counts on the overview."""

import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gangwan.core.models import RoleAssignment
from gangwan.core.scopes import scope_for
from gangwan.core.tokens import api_token_create
from gangwan.dues import rules, selectors, services
from gangwan.dues.models import DuesPayment, DuesReduction
from tests import factories as f

OUT = "OUT-OF-SCOPE"


@pytest.fixture
def world(district):
    d = district
    admin = f.user("boss", is_superuser=True)
    out_branch = f.organization(f"{OUT}支部", "branch", d.gaotang, d.gaotang_committee)
    out_member = f.member(out_branch, name=f"{OUT}张三")
    in_branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    in_member = f.member(in_branch, name="李四")
    year = timezone.localdate().year
    for m in (out_member, in_member):
        services.dues_assess(
            actor=admin,
            member=m,
            year=year,
            income_kind="salaried",
            post_type="enterprise",
            components={"base_pay": "6000"},
        )
    reduction = services.dues_reduce_request(
        actor=admin, member=out_member, year=year, monthly_amount=Decimal("1"), reason="困难"
    )
    member_user = f.user("dangyuan")
    in_member.user = member_user
    in_member.save()
    RoleAssignment.objects.create(user=member_user, role="member")
    users = {
        "street_admin": f.user("xiaogang", role="street_admin", region=d.xiaogang),
        "secretary": f.user("qingzhi_sec", role="secretary", organization=d.qingzhi_committee),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
    }
    return {
        "d": d,
        "admin": admin,
        "out_branch": out_branch,
        "out_member": out_member,
        "in_branch": in_branch,
        "in_member": in_member,
        "reduction": reduction,
        "users": users,
    }


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _out_urls(w):
    return [
        reverse("dues:overview", args=[w["out_branch"].pk]),
        reverse("dues:export", args=[w["out_branch"].pk]),
        reverse("dues:pay", args=[w["out_member"].pk]),
        reverse("dues:assess", args=[w["out_member"].pk]),
        reverse("dues:reassess", args=[w["out_member"].pk]),
        reverse("dues:reduce", args=[w["out_member"].pk]),
    ]


def _in_urls(w):
    return [
        reverse("dues:overview", args=[w["in_branch"].pk]),
        reverse("dues:export", args=[w["in_branch"].pk]),
        reverse("dues:pay", args=[w["in_member"].pk]),
        reverse("dues:assess", args=[w["in_member"].pk]),
        reverse("dues:reassess", args=[w["in_member"].pk]),
        reverse("dues:reduce", args=[w["in_member"].pk]),
        reverse("dues:reductions"),
    ]


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_scope_out_of_scope_objects_are_404_and_lists_show_no_out_rows(world, role):
    c = _client(world["users"][role])
    for url in _out_urls(world):
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("dues:pay", args=[world["out_member"].pk]), {}).status_code == 404
    assert (
        c.post(
            reverse("dues:reduction_decide", args=[world["reduction"].pk]), {"decision": "approve"}
        ).status_code
        == 404
    )
    for url in _in_urls(world):
        r = c.get(url)
        assert r.status_code == 200, url
        assert OUT.encode() not in r.content
    qingzhi = c.get(reverse("dues:overview", args=[world["d"].qingzhi_committee.pk]))
    assert "李四" in qingzhi.content.decode()
    assert OUT not in qingzhi.content.decode()


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_scope_roles_without_structure_access_get_403(world, role):
    c = _client(world["users"][role])
    for url in _in_urls(world) + _out_urls(world):
        assert c.get(url).status_code == 403, url


def test_scope_anonymous_is_sent_to_login(world):
    r = Client().get(reverse("dues:overview", args=[world["in_branch"].pk]))
    assert r.status_code == 302


def _months_ago(today, n):
    return rules.month_from_index(rules.month_index(today) - n)


def test_record_a_payment_through_the_form(world):
    c = _client(world["users"]["secretary"])
    member = world["in_member"]
    today = timezone.localdate()
    member.dues_paid_until = _months_ago(today, 2)
    member.save()
    services.dues_assess(
        actor=world["admin"], member=member, year=today.year - 1, income_kind="student"
    )
    url = reverse("dues:pay", args=[member.pk])
    prev = _months_ago(today, 1)
    r = c.post(
        url, {"kind": "regular", "to_month": f"{prev:%Y-%m}", "paid_on": f"{today:%Y-%m-%d}"}
    )
    assert r.status_code == 302
    member.refresh_from_db()
    assert member.dues_paid_until == prev
    r = c.post(url, {"kind": "voluntary", "amount": "1000", "paid_on": f"{today:%Y-%m-%d}"})
    assert r.status_code == 302
    assert DuesPayment.objects.get(kind="voluntary").routed_to == "central"
    assert c.get(url).status_code == 200


def test_back_payment_over_six_months_asks_for_a_reason_in_the_form(world):
    member = world["in_member"]
    today = timezone.localdate()
    member.dues_paid_until = _months_ago(today, 9)
    member.save()
    services.dues_assess(
        actor=world["admin"], member=member, year=today.year - 1, income_kind="student"
    )
    c = _client(world["users"]["secretary"])
    url = reverse("dues:pay", args=[member.pk])
    prev = _months_ago(today, 1)
    data = {"kind": "regular", "to_month": f"{prev:%Y-%m}", "paid_on": f"{today:%Y-%m-%d}"}
    r = c.post(url, data)
    assert r.status_code == 200
    assert b"R38" in r.content
    assert not DuesPayment.objects.exists()
    r = c.post(url, {**data, "reason": "外出务工，回乡补交"})
    assert r.status_code == 302
    assert DuesPayment.objects.get().kind == "back"


def test_assessment_form_computes_the_amount(world):
    d = world["d"]
    branch = f.organization("新支部", "branch", d.qingzhi, d.qingzhi_committee)
    member = f.member(branch, name="赵六")
    c = _client(world["users"]["secretary"])
    r = c.post(
        reverse("dues:assess", args=[member.pk]),
        {
            "year": "2026",
            "income_kind": "salaried",
            "post_type": "enterprise",
            "c_base_pay": "5000",
            "c_post_pay": "400",
            "c_year_end_pay": "30000",
        },
    )
    assert r.status_code == 302
    a = member.dues_assessments.get()
    assert (a.base, a.monthly_amount) == (Decimal("5400.00"), Decimal("81.00"))
    r = c.post(
        reverse("dues:assess", args=[member.pk]),
        {"year": "2026", "income_kind": "farmer", "farmer_amount": "3"},
    )
    assert r.status_code == 200 and b"R3" in r.content


def test_reassessment_form_changes_the_amount_from_a_month_with_a_reason(world):
    member = world["in_member"]
    c = _client(world["users"]["secretary"])
    assert b"dues-reassess-link" in c.get(reverse("dues:pay", args=[member.pk])).content
    url = reverse("dues:reassess", args=[member.pk])
    today = timezone.localdate()
    month = today.replace(month=max(today.month, 2), day=1)
    data = {
        "valid_from": f"{month:%Y-%m}",
        "income_kind": "salaried",
        "post_type": "enterprise",
        "c_base_pay": "12000",
    }
    r = c.post(url, data)
    assert r.status_code == 200 and not member.dues_assessments.filter(valid_from=month).exists()
    r = c.post(url, {**data, "reason": "岗位调整，工资上调"})
    assert r.status_code == 302
    a = member.dues_assessments.get(valid_from=month)
    assert (a.base, a.monthly_amount) == (Decimal("12000.00"), Decimal("240.00"))


def test_scope_reassessment_post_out_of_scope_is_404_and_wrong_role_403(world):
    data = {"valid_from": "2026-06", "income_kind": "student", "reason": "变更"}
    out = reverse("dues:reassess", args=[world["out_member"].pk])
    inside = reverse("dues:reassess", args=[world["in_member"].pk])
    for role in ("street_admin", "secretary"):
        assert _client(world["users"][role]).post(out, data).status_code == 404
    for role in ("reviewer", "member"):
        assert _client(world["users"][role]).post(inside, data).status_code == 403
    assert world["out_member"].dues_assessments.count() == 1


def test_reduction_queue_for_the_higher_committee(world):
    d = world["d"]
    gaotang_sec = f.user("gaotang_sec", role="secretary", organization=d.gaotang_committee)
    c = _client(gaotang_sec)
    r = c.get(reverse("dues:reductions"))
    assert f'data-reduction="{world["reduction"].pk}"'.encode() in r.content
    r = c.post(
        reverse("dues:reduction_decide", args=[world["reduction"].pk]), {"decision": "approve"}
    )
    assert r.status_code == 302
    assert DuesReduction.objects.get().state == "approved"
    # The branch itself does not see its own request to approve.
    branch_sec = f.user("out_sec", role="secretary", organization=world["out_branch"])
    assert b"data-reduction" not in _client(branch_sec).get(reverse("dues:reductions")).content


def test_export_has_the_overview_rows(world):
    c = _client(world["users"]["street_admin"])
    r = c.get(reverse("dues:export", args=[world["d"].qingzhi_committee.pk]))
    ws = load_workbook(io.BytesIO(r.content)).active
    names = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["李四"]


def test_overview_queries_stay_flat(world, django_assert_max_num_queries):
    d = world["d"]
    c = _client(world["admin"])
    url = reverse("dues:overview", args=[d.committee.pk])
    with django_assert_max_num_queries(20) as few:
        c.get(url)
    for i in range(15):
        m = f.member(world["in_branch"])
        services.dues_assess(
            actor=world["admin"],
            member=m,
            year=timezone.localdate().year,
            income_kind="retiree",
            components={"pension": str(3000 + i)},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(url)
    assert r.content.count(b"data-member=") == 17


def test_paid_up_rate_selector(world):
    today = timezone.localdate()
    world["in_member"].dues_paid_until = selectors.previous_month(today)
    world["in_member"].save()
    scope = scope_for(world["users"]["street_admin"])
    assert selectors.paid_up_rate(scope=scope, today=today) == {
        "members": 1,
        "paid_up": 1,
        "rate": 1.0,
    }
    everything = scope_for(world["admin"])
    assert selectors.paid_up_rate(scope=everything, today=today)["rate"] == 0.5


# --- API ------------------------------------------------------------------------------------------
def _api(user):
    raw = api_token_create(actor=user, user=user, name="手机")[1]
    c = Client()
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
    return c, headers


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_api_scope(world, role):
    c, h = _api(world["users"][role])
    out_org, out_m = world["out_branch"].pk, world["out_member"].pk
    for path in (
        f"/api/v1/dues/organizations/{out_org}/overview",
        f"/api/v1/dues/organizations/{out_org}/rate",
        f"/api/v1/dues/members/{out_m}/assessments",
    ):
        assert c.get(path, headers=h).status_code == 404, path
    r = c.post(
        f"/api/v1/dues/members/{out_m}/payments",
        json.dumps({"kind": "voluntary", "amount": "5"}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 404
    r = c.get(f"/api/v1/dues/organizations/{world['d'].qingzhi_committee.pk}/overview", headers=h)
    assert r.status_code == 200
    assert [row["name"] for row in r.json()["items"]] == ["李四"]
    assert r.json()["items"][0]["monthly_amount"] == "90.00"
    r = c.get(f"/api/v1/dues/members/{world['in_member'].pk}/assessments", headers=h)
    assert r.json()[0]["base"] == "6000.00"


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_api_roles_without_structure_access_get_403(world, role):
    c, h = _api(world["users"][role])
    r = c.get(f"/api/v1/dues/organizations/{world['in_branch'].pk}/overview", headers=h)
    assert r.status_code == 403


def test_api_records_payments_with_rules(world):
    c, h = _api(world["users"]["secretary"])
    url = f"/api/v1/dues/members/{world['in_member'].pk}/payments"
    r = c.post(
        url,
        json.dumps({"kind": "voluntary", "amount": "1200"}),
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 201
    assert r.json()["routed_to"] == "central"
    r = c.post(url, json.dumps({"kind": "regular"}), content_type="application/json", headers=h)
    assert r.status_code == 422
