"""Inactivity (R27): members without organizational life or dues for 3 months are listed for their
secretary, escalated at 6; counted from the last record, else from arrival, else from joining.
Nothing is ever changed automatically."""

import datetime as dt

import pytest
from django.db.models import DateField, Value
from django.urls import reverse

from gangwan.core.models import AuditEntry, RuleSetting
from gangwan.core.scopes import Scope
from gangwan.members.inactivity import (
    inactive_members,
    inactivity_counts,
    register_arrival_source,
    unregister_arrival_source,
)
from gangwan.members.models import Member
from tests import factories as f

TODAY = dt.date(2026, 11, 20)
EVERYTHING = Scope(everything=True)


@pytest.fixture(autouse=True)
def en(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read English text whatever the catalog holds


@pytest.fixture
def branch(district):
    return f.organization("高塘五金党支部", "branch", district.gaotang, district.gaotang_committee)


def _levels(**kw):
    return {
        m.name: (m.life_level, m.dues_level)
        for m in inactive_members(scope=EVERYTHING, today=TODAY, **kw)
    }


def test_r27_warns_at_three_months_and_escalates_at_six(branch):
    f.member(
        branch, "在册", last_life_on=dt.date(2026, 10, 15), dues_paid_until=dt.date(2026, 10, 1)
    )
    f.member(
        branch, "缺会三月", last_life_on=dt.date(2026, 8, 10), dues_paid_until=dt.date(2026, 10, 1)
    )
    f.member(
        branch, "缺会半年", last_life_on=dt.date(2026, 5, 1), dues_paid_until=dt.date(2026, 10, 1)
    )
    # Paid up to July: August, September and October are over and unpaid.
    f.member(
        branch, "欠费三月", last_life_on=dt.date(2026, 11, 1), dues_paid_until=dt.date(2026, 7, 1)
    )
    f.member(
        branch, "欠费两月", last_life_on=dt.date(2026, 11, 1), dues_paid_until=dt.date(2026, 8, 1)
    )
    assert _levels() == {
        "缺会三月": ("warn", ""),
        "缺会半年": ("escalate", ""),
        "欠费三月": ("", "warn"),
    }
    assert set(_levels(level="escalate")) == {"缺会半年"}
    assert set(_levels(condition="dues")) == {"欠费三月"}
    assert set(_levels(condition="life")) == {"缺会三月", "缺会半年"}


def test_without_any_record_a_member_counts_from_joining(branch):
    old = f.member(branch, "老党员", joined_on=dt.date(1990, 7, 1))
    new = f.member(branch, "新党员", status="probationary", joined_on=dt.date(2026, 10, 1))
    rows = {m.name: m for m in inactive_members(scope=EVERYTHING, today=TODAY)}
    assert set(rows) == {"老党员"}
    assert rows["老党员"].life_since == old.joined_on and rows["老党员"].life_level == "escalate"
    assert new.pk not in {m.pk for m in rows.values()}


def test_arrival_registered_by_an_upper_app_counts_before_joining(branch):
    """The floating app registers its arrival date; a newcomer is not flagged on arrival."""
    f.member(branch, "新来的流动党员", joined_on=dt.date(2000, 7, 1), is_floating=True)

    def arrival():
        return Value(dt.date(2026, 10, 1), output_field=DateField())

    register_arrival_source(arrival)
    try:
        assert _levels() == {}
    finally:
        unregister_arrival_source(arrival)
    assert set(_levels()) == {"新来的流动党员"}


def test_former_members_are_not_listed(branch):
    f.member(branch, "已故", joined_on=dt.date(1980, 7, 1), archived_on=dt.date(2026, 1, 1))
    assert _levels() == {}


def test_a_region_may_set_its_own_thresholds(district, branch):
    f.member(
        branch, "缺会四月", last_life_on=dt.date(2026, 7, 10), dues_paid_until=dt.date(2026, 10, 1)
    )
    RuleSetting.objects.create(region=district.district, key="R27.warn_months", value=5)
    secretary = Scope(
        user_id=1,
        organization_paths=(branch.path,),
        organization_region_paths=(district.gaotang.path,),
        roles=frozenset({"secretary"}),
    )
    assert list(inactive_members(scope=secretary, today=TODAY)) == []
    assert inactivity_counts(scope=secretary, today=TODAY) == {
        "inactive_warn": 0,
        "inactive_escalate": 0,
    }


def test_the_page_lists_them_for_the_secretary_and_changes_nothing(client, district, branch):
    today = dt.date.today()
    f.member(
        branch,
        "张缺会",
        last_life_on=today - dt.timedelta(days=200),
        dues_paid_until=today.replace(day=1),
    )
    f.member(branch, "李正常", last_life_on=today, dues_paid_until=today.replace(day=1))
    other = f.organization("青峙化工党支部", "branch", district.qingzhi, district.qingzhi_committee)
    f.member(other, "王外人", joined_on=dt.date(1990, 7, 1))
    client.force_login(f.user("sec", "secretary", organization=district.gaotang_committee))
    before = (AuditEntry.objects.count(), list(Member.objects.values_list("pk", "last_life_on")))
    resp = client.get(reverse("members:inactive"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "张缺会" in html and "李正常" not in html and "王外人" not in html
    assert "escalated" in html
    assert (
        AuditEntry.objects.count(),
        list(Member.objects.values_list("pk", "last_life_on")),
    ) == before
    resp = client.get(reverse("members:inactive"), {"condition": "dues"})
    assert "张缺会" not in resp.content.decode()


def test_the_page_is_for_secretaries_and_administrators(client, district):
    client.force_login(f.user("reviewer", "reviewer"))
    assert client.get(reverse("members:inactive")).status_code == 403


def test_the_page_does_not_query_per_row(
    admin_client, district, branch, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("members:inactive")
    f.member(branch, joined_on=dt.date(1990, 7, 1), unit=f.unit(district.gaotang))
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    for _ in range(30):
        f.member(
            branch, joined_on=dt.date(1990, 7, 1), unit=f.unit(district.gaotang), is_floating=True
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert admin_client.get(url).status_code == 200
