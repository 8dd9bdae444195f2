"""The members' pages: a list searched and filtered, a detail page with every field (ID number
and phone masked), registering, editing and archiving through forms, with flat query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gangwan.core.models import AuditEntry
from gangwan.members.models import Member
from tests import factories as f


@pytest.fixture(autouse=True)
def en(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read English text whatever the catalog holds


@pytest.fixture
def place(district):
    unit = f.unit(district.gaotang, "宁波高塘五金有限公司")
    branch = f.organization(
        "高塘五金党支部", "branch", district.gaotang, district.gaotang_committee, units=[unit]
    )
    return {"d": district, "unit": unit, "branch": branch}


@pytest.fixture
def secretary(client, district):
    client.force_login(f.user("gaotang", "secretary", organization=district.gaotang_committee))
    return client


def _names(resp) -> set[str]:
    assert resp.status_code == 200
    return {m.name for m in resp.context["page"]}


def test_the_list_searches_and_filters(secretary, place):
    d = place["d"]
    wang = f.member(place["branch"], "王海燕", unit=place["unit"], phone="13900001234")
    li = f.member(
        place["branch"], "李四", on_call=True, status="probationary", joined_on=dt.date(2026, 1, 3)
    )
    zhao = f.member(d.gaotang_committee, "赵六", is_floating=True)
    url = reverse("members:list")
    assert _names(secretary.get(url)) == {"王海燕", "李四", "赵六"}
    assert _names(secretary.get(url, {"q": "1234"})) == {"王海燕"}
    assert _names(secretary.get(url, {"q": wang.id_number[-4:]})) == {"王海燕"}
    assert _names(secretary.get(url, {"q": "五金"})) == {"王海燕"}
    assert _names(secretary.get(url, {"q": zhao.id_number})) == {"赵六"}
    assert _names(secretary.get(url, {"on_call": "1"})) == {"李四"}
    assert _names(secretary.get(url, {"floating": "1"})) == {"赵六"}
    assert _names(secretary.get(url, {"floating": "0"})) == {"王海燕", "李四"}
    assert _names(secretary.get(url, {"status": "probationary"})) == {"李四"}
    assert _names(secretary.get(url, {"organization": place["branch"].pk})) == {"王海燕", "李四"}
    html = secretary.get(url).content.decode()
    assert wang.id_number not in html and "139****1234" in html
    assert li.pk


def test_former_members_are_listed_apart(secretary, place):
    f.member(place["branch"], "在册")
    f.member(
        place["branch"], "已转出", archived_on=dt.date(2026, 2, 1), archive_reason="transferred_out"
    )
    url = reverse("members:list")
    assert _names(secretary.get(url)) == {"在册"}
    resp = secretary.get(url, {"archived": "on"})
    assert _names(resp) == {"已转出"} and "Transferred out" in resp.content.decode()


def test_the_list_pages_and_its_queries_stay_flat(
    admin_client, place, django_assert_max_num_queries
):
    d = place["d"]
    url = reverse("members:list")

    def grow(n):
        for i in range(n):
            u = f.unit(d.gaotang)
            f.member(
                place["branch"], unit=u, home_organization=d.gaotang_committee, on_call=i % 2 == 0
            )

    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url, {"q": "党员"}).status_code == 200
    grow(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = admin_client.get(url, {"q": "党员"})
    assert resp.context["page"].paginator.num_pages == 2 and len(resp.context["page"]) == 50


def test_the_detail_page_shows_every_field_masked(secretary, place):
    m = f.member(
        place["branch"],
        "王海燕",
        unit=place["unit"],
        phone="13912345678",
        ethnicity="回族",
        education="college",
        post="质检员",
        skills="电工、驾驶",
        on_call=True,
        on_call_hours="周末",
        community_post="楼道长",
        last_life_on=dt.date(2026, 10, 9),
        dues_paid_until=dt.date(2026, 9, 1),
    )
    html = secretary.get(reverse("members:detail", args=[m.pk])).content.decode()
    for text in (
        "回族",
        "Junior college",
        "质检员",
        "电工",
        "驾驶",
        "周末",
        "楼道长",
        "2026-10-09",
        "2026-09",
    ):
        assert text in html, text
    assert m.id_number not in html and "13912345678" not in html and "139****5678" in html
    assert reverse("members:edit", args=[m.pk]) in html
    assert reverse("members:archive", args=[m.pk]) in html


def test_register_with_every_field(secretary, place):
    number = f.id_number(dt.date(1990, 3, 8), "female")
    resp = secretary.post(
        reverse("members:create") + f"?organization={place['branch'].pk}",
        {
            "organization": place["branch"].pk,
            "name": "陈静",
            "id_number": number,
            "phone": "13700001111",
            "status": "probationary",
            "joined_on": "2026-01-10",
            "ethnicity": "汉族",
            "education": "bachelor",
            "unit": place["unit"].pk,
            "post": "会计",
            "skills": "会计, 急救",
            "on_call": "on",
            "on_call_hours": "晚上",
            "community_post": "网格员",
        },
    )
    m = Member.objects.get(name="陈静")
    assert resp.status_code == 302 and resp.url == reverse("members:detail", args=[m.pk])
    assert (m.status, m.full_due_on, m.skill_list) == (
        "probationary",
        dt.date(2027, 1, 10),
        ["会计", "急救"],
    )
    assert (m.on_call, m.on_call_hours, m.community_post, m.post) == (
        True,
        "晚上",
        "网格员",
        "会计",
    )
    assert AuditEntry.objects.filter(action="member.create", object_id=str(m.pk)).exists()


def test_edit_keeps_the_id_number_unless_a_new_one_is_typed(secretary, place):
    m = f.member(place["branch"], "王海燕", phone="13912345678", joined_on=dt.date(2008, 7, 1))
    url = reverse("members:edit", args=[m.pk])
    page = secretary.get(url).content.decode()
    assert m.id_number not in page and "13912345678" not in page and m.id_number_masked in page
    resp = secretary.post(
        url,
        {
            "name": "王海燕",
            "id_number": "",
            "phone": "",
            "status": "full",
            "joined_on": "2008-07-01",
            "full_on": "2009-07-01",
            "skills": "调解",
            "community_post": "调解员",
        },
    )
    assert resp.status_code == 302
    m2 = Member.objects.get(pk=m.pk)
    assert (m2.id_number, m2.phone) == (m.id_number, "13912345678")
    assert (m2.full_on, m2.community_post) == (dt.date(2009, 7, 1), "调解员")
    entry = AuditEntry.objects.get(action="member.update", object_id=str(m.pk))
    assert entry.after["community_post"] == "调解员"


def test_edit_shows_refusals_on_the_form(secretary, place):
    m = f.member(place["branch"], "王海燕")
    resp = secretary.post(
        reverse("members:edit", args=[m.pk]),
        {"name": "王海燕", "status": "full", "id_number": "330206198506011235"},
    )
    assert resp.status_code == 200 and "id_number" in resp.context["form"].errors
    assert Member.objects.get(pk=m.pk).id_number == m.id_number


def test_archive_through_the_form(secretary, place):
    m = f.member(place["branch"], "王海燕")
    url = reverse("members:archive", args=[m.pk])
    assert secretary.get(url).status_code == 200
    resp = secretary.post(url, {"archived_on": "2026-03-01", "archive_reason": "other", "note": ""})
    assert resp.status_code == 200 and Member.objects.get(pk=m.pk).archived_on is None
    resp = secretary.post(
        url,
        {"archived_on": "2026-03-01", "archive_reason": "transferred_out", "note": "转往上海市"},
    )
    assert resp.status_code == 302
    m.refresh_from_db()
    assert (m.archived_on, m.archive_reason, m.archive_note) == (
        dt.date(2026, 3, 1),
        "transferred_out",
        "转往上海市",
    )
    html = secretary.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "former member" in html and reverse("members:edit", args=[m.pk]) not in html
    assert secretary.get(reverse("members:edit", args=[m.pk])).status_code == 302


def test_a_member_sees_their_record_without_edit_links(client, place):
    user = f.user("dangyuan")
    m = f.member(place["branch"], "王海燕", user=user)
    from gangwan.core.models import RoleAssignment

    RoleAssignment.objects.create(user=user, role="member")
    client.force_login(user)
    html = client.get(reverse("members:detail", args=[m.pk])).content.decode()
    assert "王海燕" in html and reverse("members:edit", args=[m.pk]) not in html
    assert client.get(reverse("members:edit", args=[m.pk])).status_code == 403
    assert client.post(reverse("members:archive", args=[m.pk]), {}).status_code == 403
