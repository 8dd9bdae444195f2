"""R23 (activity certificates: no vote at the inflow organization, reviewed yearly) and the
days-to-home figures (median, share within 60 days, by station and street)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gangwan.core.models import AuditEntry
from gangwan.core.scopes import scope_for
from gangwan.floating import rules, selectors, services
from gangwan.floating.models import Floating
from tests import factories as f
from tests.test_floating_placement import FloatingWorld, sichuan_id


@pytest.fixture
def fworld(district):
    return FloatingWorld(district)


# --- R23: no vote at the inflow organization ----------------------------------------------------
def test_r23_a_certificate_holder_has_no_vote_at_the_inflow_organization(fworld):
    holder = fworld.register(certificate_no="川流证2025-0001").member
    assert holder.home_organization == fworld.gaotang_regional
    assert not rules.has_vote_at(holder, fworld.gaotang_regional)
    # … nor anywhere else in the system: his membership is held by his origin organization.
    assert not rules.has_vote_at(holder, fworld.d.gaotang_committee)
    assert not rules.has_vote_at(holder, fworld.floating_branch)


def test_r23_a_floating_member_whose_membership_moved_here_votes_where_it_is_held(fworld):
    moved = fworld.register(id_number=sichuan_id(dt.date(1979, 5, 5))).member  # no certificate
    assert rules.has_vote_at(moved, fworld.gaotang_regional)
    assert rules.has_vote_at(moved, fworld.d.xinqi_wc)  # a superior's assembly counts him
    assert not rules.has_vote_at(moved, fworld.floating_branch)


def test_r23_probationary_members_have_no_vote(fworld):
    probationary = f.member(
        fworld.gaotang_regional, status="probationary", joined_on=dt.date(2025, 9, 1)
    )
    assert not rules.has_vote_at(probationary, fworld.gaotang_regional)
    local = f.member(fworld.gaotang_regional)
    assert rules.has_vote_at(local, fworld.gaotang_regional)
    local.archived_on = dt.date(2025, 1, 1)
    assert not rules.has_vote_at(local, fworld.gaotang_regional)


# --- R23: the yearly review --------------------------------------------------------------------
def test_r23_certificates_are_reviewed_yearly_with_a_reminder_list(client, fworld):
    today = timezone.localdate()
    never = fworld.register(name="从未年审", certificate_no="C-1", id_number=sichuan_id())
    overdue = fworld.register(
        name="超期年审", certificate_no="C-2", id_number=sichuan_id(dt.date(1970, 2, 2))
    )
    fresh = fworld.register(
        name="近期年审", certificate_no="C-3", id_number=sichuan_id(dt.date(1971, 3, 3))
    )
    fworld.register(name="无活动证", id_number=sichuan_id(dt.date(1972, 4, 4)))
    Floating.objects.filter(pk=never.pk).update(certificate_reviewed_on=None)
    Floating.objects.filter(pk=overdue.pk).update(
        certificate_reviewed_on=today - dt.timedelta(days=400)
    )
    Floating.objects.filter(pk=fresh.pk).update(
        certificate_reviewed_on=today - dt.timedelta(days=180)
    )
    scope = scope_for(fworld.gaotang_staff)
    due = list(selectors.certificate_reminders(scope=scope))
    assert {x.member.name for x in due} == {"从未年审", "超期年审"}

    client.force_login(fworld.gaotang_staff)
    page = client.get(reverse("floating:certificates"))
    assert page.status_code == 200 and "超期年审" in page.content.decode()
    resp = client.post(
        reverse("floating:certificate_review", args=[overdue.pk]), {"back": "certificates"}
    )
    assert resp.status_code == 302 and resp.url == reverse("floating:certificates")
    overdue.refresh_from_db()
    assert overdue.certificate_reviewed_on == today
    assert AuditEntry.objects.filter(
        action="floating.certificate_review", object_id=str(overdue.pk), actor=fworld.gaotang_staff
    ).exists()
    assert {x.member.name for x in selectors.certificate_reminders(scope=scope)} == {"从未年审"}


def test_r23_review_dates_cannot_go_back_or_ahead(fworld):
    fl = fworld.register(certificate_no="C-9")
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.floating_certificate_review(
            actor=None, floating=fl, reviewed_on=today + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.floating_certificate_review(
            actor=None, floating=fl, reviewed_on=today - dt.timedelta(days=1)
        )
    plain = fworld.register(id_number=sichuan_id(dt.date(1969, 9, 9)))
    with pytest.raises(ValidationError):
        services.floating_certificate_review(actor=None, floating=plain)


def test_r23_the_review_is_due_twelve_months_after_the_last_one():
    assert rules.certificate_review_due_before(dt.date(2026, 3, 31)) == dt.date(2025, 3, 31)
    assert rules.certificate_review_due_before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)


# --- days to home ------------------------------------------------------------------------------
def _arrive(fworld, station, name, birth, days_ago, home_after=None):
    fl = fworld.register(
        station,
        actor=fworld.gaotang_staff if station == fworld.gaotang_station else fworld.qingzhi_staff,
        name=name,
        id_number=sichuan_id(birth),
        days_ago=days_ago,
    )
    if home_after is not None:
        Floating.objects.filter(pk=fl.pk).update(
            home_found_on=fl.arrived_on + dt.timedelta(days=home_after)
        )
    return fl


def test_days_to_home_by_station_and_by_street(fworld):
    g, q = fworld.gaotang_station, fworld.qingzhi_station
    _arrive(fworld, g, "甲", dt.date(1980, 1, 1), 200, home_after=20)
    _arrive(fworld, g, "乙", dt.date(1980, 1, 2), 200, home_after=40)
    _arrive(fworld, g, "丙", dt.date(1980, 1, 3), 200, home_after=90)  # beyond 60 days
    _arrive(fworld, g, "丁", dt.date(1980, 1, 4), 100)  # 100 days without a home: counts as not
    _arrive(fworld, g, "戊", dt.date(1980, 1, 5), 10)  # too early to tell: left out of the share
    _arrive(fworld, q, "己", dt.date(1980, 1, 6), 300, home_after=30)

    admin = f.user("beilun", role="district_admin", region=fworld.d.district)
    figures = selectors.floating_figures(scope=scope_for(admin))
    assert figures["total"] == 6 and figures["home_found"] == 4 and figures["pending"] == 2
    assert figures["median_days_to_home"] == 35  # 20, 30, 40, 90
    assert figures["share_within_60_days"] == 60.0  # 3 of the 5 known outcomes
    by_station = {r["station"]: r for r in figures["by_station"]}
    assert by_station["高塘社区流动党员服务站"]["median_days_to_home"] == 40
    assert by_station["高塘社区流动党员服务站"]["share_within_60_days"] == 50.0  # 2 of 4
    assert by_station["青峙社区流动党员服务站"]["share_within_60_days"] == 100.0
    by_street = {r["street"]: r for r in figures["by_street"]}
    assert set(by_street) == {"新碶街道", "小港街道"}
    assert by_street["新碶街道"]["total"] == 5

    # The station's staff see their own station only.
    own = selectors.floating_figures(scope=scope_for(fworld.gaotang_staff))
    assert own["total"] == 5 and [r["station"] for r in own["by_station"]] == [
        "高塘社区流动党员服务站"
    ]


def test_floating_home_found_by_attendance_sets_the_home_once(fworld):
    fl = fworld.register(days_ago=30)
    member = fl.member
    day = timezone.localdate() - dt.timedelta(days=3)
    assert not services.floating_home_found(member=member, on=fl.arrived_on - dt.timedelta(days=1))
    assert services.floating_home_found(member=member, on=day, what="党小组会")
    assert not services.floating_home_found(member=member, on=timezone.localdate())
    fl.refresh_from_db()
    assert fl.home_found_on == day and fl.first_activity == "党小组会"
    local = f.member(fworld.gaotang_regional)
    assert not services.floating_home_found(member=local, on=day)


def test_first_activity_cannot_precede_arrival_or_lie_ahead(fworld):
    fl = fworld.register(days_ago=20)
    today = timezone.localdate()
    for date in (fl.arrived_on - dt.timedelta(days=1), today + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.floating_record_first_activity(
                actor=None, floating=fl, date=date, what="主题党日"
            )
        assert "date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.floating_record_first_activity(actor=None, floating=fl, date=today, what=" ")
