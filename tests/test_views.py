"""The back office as a user meets it: pages render, forms change data through the services,
and refusals come back as messages in the user's language."""

import datetime as dt

import pytest
from django.urls import reverse

from gangwan.core.models import AuditEntry
from gangwan.organizations.models import Organization
from gangwan.units.models import Unit
from tests import factories as f


@pytest.fixture
def admin_client(client, district):
    user = f.user("district", role="district_admin", region=district.district)
    client.force_login(user)
    return client


@pytest.fixture
def en(settings):
    settings.LANGUAGE_CODE = "en"


def test_every_page_renders_for_a_district_admin(admin_client, district):
    unit = f.unit(district.gaotang, "高塘物业公司")
    branch = f.organization(
        "高塘物业公司党支部", "branch", district.gaotang, district.gaotang_committee, units=[unit]
    )
    m = f.member(branch, unit=unit)
    f.office(branch, m)
    f.term(branch, dt.date(2024, 1, 1), dt.date(2027, 1, 1))
    urls = [
        reverse("dashboard:home"),
        reverse("regions:index"),
        reverse("regions:detail", args=[district.district.pk]),
        reverse("regions:detail", args=[district.gaotang.pk]),
        reverse("regions:detail", args=[district.dagang.pk]),
        reverse("regions:create", args=[district.xinqi.pk]),
        reverse("regions:edit", args=[district.gaotang.pk]),
        reverse("regions:move", args=[district.gaotang.pk]),
        reverse("units:list"),
        reverse("units:detail", args=[unit.pk]),
        reverse("units:create") + f"?region={district.gaotang.pk}",
        reverse("units:edit", args=[unit.pk]),
        reverse("organizations:list"),
        reverse("organizations:detail", args=[branch.pk]),
        reverse("organizations:create") + f"?region={district.gaotang.pk}&unit={unit.pk}",
        reverse("organizations:edit", args=[branch.pk]),
        reverse("organizations:move", args=[branch.pk]),
        reverse("organizations:dissolve", args=[branch.pk]),
        reverse("organizations:office_assign", args=[branch.pk]),
        reverse("organizations:term_start", args=[branch.pk]),
        reverse("organizations:terms"),
        reverse("organizations:coverage"),
        reverse("members:list"),
        reverse("members:detail", args=[m.pk]),
        reverse("members:create") + f"?organization={branch.pk}",
        reverse("audit"),
        reverse("tokens"),
        reverse("password_change"),
    ]
    for url in urls:
        resp = admin_client.get(url, follow=True)
        assert resp.status_code == 200, url


def test_a_street_admin_registers_a_unit_in_a_community(client, district, en):
    client.force_login(f.user("xinqi", role="street_admin", region=district.xinqi))
    resp = client.post(
        reverse("units:create"),
        {
            "name": "宁波港湾物流有限公司",
            "kind": "private_enterprise",
            "credit_code": f.credit_code(4711),
            "region": district.gaotang.pk,
            "employees": 120,
            "is_operating": "on",
        },
    )
    unit = Unit.objects.get(name="宁波港湾物流有限公司")
    assert resp.status_code == 302 and resp.url == reverse("units:detail", args=[unit.pk])
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()


def test_a_wrong_credit_code_is_refused_with_a_message(client, district, en):
    client.force_login(f.user("xinqi", role="street_admin", region=district.xinqi))
    code = f.credit_code(4712)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    resp = client.post(
        reverse("units:create"),
        {
            "name": "错号公司",
            "kind": "private_enterprise",
            "credit_code": wrong,
            "region": district.gaotang.pk,
            "employees": 3,
        },
    )
    assert resp.status_code == 200
    assert "GB 32100" in resp.content.decode()
    assert not Unit.objects.filter(name="错号公司").exists()


def test_a_street_admin_cannot_register_a_unit_in_another_street(client, district):
    client.force_login(f.user("xinqi", role="street_admin", region=district.xinqi))
    resp = client.post(
        reverse("units:create"),
        {
            "name": "越界公司",
            "kind": "private_enterprise",
            "region": district.qingzhi.pk,
            "employees": 3,
        },
    )
    assert resp.status_code == 200  # the region is not a choice: the form refuses it
    assert not Unit.objects.filter(name="越界公司").exists()


def test_r1_in_the_back_office_two_full_members_refused_three_established(client, district, en):
    client.force_login(f.user("xinqi", role="street_admin", region=district.xinqi))
    unit = f.unit(district.dagang, "三星重工")
    first, second = (
        f.member(district.dagang_regional, unit=unit),
        f.member(district.dagang_regional, unit=unit),
    )
    f.member(district.dagang_regional, unit=unit, status="probationary")
    data = {
        "name": "三星重工党支部",
        "kind": "branch",
        "parent": district.xinqi_wc.pk,
        "region": district.dagang.pk,
        "units": [unit.pk],
        "primary_unit": unit.pk,
        "established_on": "2013-05-01",
    }
    resp = client.post(reverse("organizations:create"), data)
    assert resp.status_code == 200
    assert "R1" in resp.content.decode()
    assert not Organization.objects.filter(name="三星重工党支部").exists()

    f.member(district.dagang_regional, unit=unit)
    resp = client.post(reverse("organizations:create"), data)
    org = Organization.objects.get(name="三星重工党支部")
    assert resp.status_code == 302
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(org.pk))
    assert entry.actor.username == "xinqi"
    assert first and second


def test_a_warning_asks_for_a_reason_and_stores_it(client, district, en):
    client.force_login(f.user("xinqi", role="street_admin", region=district.xinqi))
    units = [f.unit(district.dagang) for _ in range(6)]
    data = {
        "name": "大港联合党支部",
        "kind": "joint_branch",
        "parent": district.xinqi_wc.pk,
        "region": district.dagang.pk,
        "units": [u.pk for u in units],
        "established_on": "2013-05-01",
    }
    resp = client.post(reverse("organizations:create"), data)
    body = resp.content.decode()
    assert resp.status_code == 200 and "R3" in body and 'name="reason"' in body
    resp = client.post(
        reverse("organizations:create"), {**data, "reason": "区委组织部批复 仑组〔2013〕12号"}
    )
    org = Organization.objects.get(name="大港联合党支部")
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(org.pk))
    assert entry.reason.startswith("区委组织部批复") and entry.warnings[0]["rule"] == "R3"


def test_chinese_is_the_default_language(client, district):
    resp = client.get(reverse("login"))
    assert "登录" in resp.content.decode()


def test_revealing_an_id_number_needs_a_reason_and_is_logged(admin_client, district):
    m = f.member(district.gaotang_committee)
    resp = admin_client.get(reverse("members:detail", args=[m.pk]))
    assert m.id_number not in resp.content.decode() and m.id_number_masked in resp.content.decode()
    resp = admin_client.post(
        reverse("members:reveal", args=[m.pk]), {"field": "id_number", "reason": "核对组织关系转接"}
    )
    assert m.id_number in resp.content.decode()
    assert AuditEntry.objects.filter(
        action="member.reveal.id_number", object_id=str(m.pk), reason="核对组织关系转接"
    ).exists()


def test_audit_export_is_a_real_spreadsheet(admin_client, district):
    import io

    from openpyxl import load_workbook

    f.unit(district.gaotang)
    admin_client.post(
        reverse("regions:edit", args=[district.gaotang.pk]),
        {"name": "高塘社区", "kind": "residential", "residents": 8000, "newcomers": 3000},
    )
    resp = admin_client.get(reverse("audit_export"))
    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb.active.values)
    assert any(r[2] == "region.update" for r in rows[1:])


@pytest.mark.parametrize(
    "name",
    [
        "organizations:list",
        "units:list",
        "members:list",
        "dashboard:home",
        "organizations:terms",
        "organizations:coverage",
    ],
)
def test_list_pages_do_not_query_per_row(
    admin_client, district, django_assert_max_num_queries, name
):
    """Query counts stay flat as rows grow (no N+1): 1 row and 40 rows take the same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    def grow(n):
        for i in range(n):
            u = f.unit(district.gaotang, f"扩容公司{i}{n}")
            o = f.organization(
                f"扩容党支部{i}{n}",
                "branch",
                district.gaotang,
                district.gaotang_committee,
                units=[u],
            )
            m = f.member(o, unit=u)
            f.office(o, m)
            f.term(o, dt.date(2024, 1, 1), dt.date.today() + dt.timedelta(days=20))

    grow(1)
    small = count()
    grow(40)
    with django_assert_max_num_queries(small):
        assert admin_client.get(reverse(name)).status_code == 200


def test_region_page_queries_are_bounded(admin_client, district, django_assert_max_num_queries):
    for i in range(30):
        u = f.unit(district.dagang, f"大港企业{i}")
        f.organization(
            f"大港企业{i}党支部", "branch", district.dagang, district.xinqi_wc, units=[u]
        )
    with django_assert_max_num_queries(25):
        assert (
            admin_client.get(reverse("regions:detail", args=[district.dagang.pk])).status_code
            == 200
        )


def test_date_inputs_keep_their_value_in_chinese(admin_client, district):
    """A date input only takes ISO dates: a localized initial value would show an empty field."""
    resp = admin_client.get(
        reverse("organizations:term_start", args=[district.gaotang_committee.pk])
    )
    from django.utils import timezone

    assert f'value="{timezone.localdate().isoformat()}"' in resp.content.decode()
